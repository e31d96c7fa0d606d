// Schema versions: a committed version-1 file opens and shows what it held; newer files are
// refused; the store refuses another user's file.
#include "store/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "store/reader.hpp"
#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

const std::string kFixture = std::string(WHISP_TEST_DATA) + "/store/v1.db";
const std::string kFixtureSnapshot = std::string(WHISP_TEST_DATA) + "/store/v1.snapshot.json";

std::string temp_copy(const std::string& from) {
  char buf[] = "/tmp/whisp-schema-XXXXXX";
  int fd = ::mkstemp(buf);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(buf, std::ios::binary | std::ios::trunc) << slurp(from);
  return buf;
}

void remove_db(const std::string& p) {
  for (const char* s : {"", "-wal", "-shm"}) std::remove((p + s).c_str());
}

}  // namespace

TEST_CASE("a version 1 store file opens and shows what it held", "[schema]") {
  const std::string path = temp_copy(kFixture);
  {
    auto store = Store::open(path, OpenOptions{"", false});
    REQUIRE(store.ok());
    CHECK((*store)->self_user_id() == kSelf);
    CHECK(to_json(snapshot_of(**store)) + "\n" == slurp(kFixtureSnapshot));
    auto reader = Reader::open(path);
    REQUIRE(reader.ok());
    CHECK(to_json(*(*reader)->snapshot()) + "\n" == slurp(kFixtureSnapshot));
    // It keeps working: new entries apply on top.
    REQUIRE((*store)->commit({send("c1", "u-a", "m-new", "later", 50)}).ok());
    CHECK(find_message(*find_chat(snapshot_of(**store), "c1"), "m-new") != nullptr);
  }
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == kSchemaVersion);
  remove_db(path);
}

TEST_CASE("message ids that are UUIDs are kept as 16 bytes, and a version 3 file is converted",
          "[schema]") {
  const std::string path = temp_copy(kFixture);
  const std::string a = "660e8400-e29b-41d4-a716-446655440001";
  const std::string b = "770e8400-e29b-41d4-a716-44665544000a";
  std::string before;
  {
    auto store = Store::open(path, OpenOptions{"", false});
    REQUIRE(store.ok());
    REQUIRE((*store)->commit({send("c1", "u-a", a, "one", 60), send("c1", "u-a", b, "two", 60),
                              read("c1", "u-b", b)})
                .ok());
    before = to_json(snapshot_of(**store));
  }
  auto kinds = [&] {
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    return std::pair{raw.execAndGet("SELECT COUNT(*) FROM messages WHERE typeof(message_id)='blob' "
                                    "AND length(message_id)=16").getInt(),
                     raw.execAndGet("SELECT COUNT(*) FROM messages WHERE typeof(message_id)='text'")
                         .getInt()};
  };
  CHECK(kinds() == std::pair{2, 7});  // the fixture's own ids are not UUIDs: they stay text
  {
    // As a version 3 store wrote them: every id as text.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE messages SET message_id=lower(substr(hex(message_id),1,8)||'-'||"
             "substr(hex(message_id),9,4)||'-'||substr(hex(message_id),13,4)||'-'||"
             "substr(hex(message_id),17,4)||'-'||substr(hex(message_id),21,12)) "
             "WHERE typeof(message_id)='blob'; ALTER TABLE outbox DROP COLUMN unconfirmed; "
             "ALTER TABLE read_pointers DROP COLUMN listed_id; "
             "ALTER TABLE read_pointers DROP COLUMN listed_seq; "
             "ALTER TABLE read_pointers DROP COLUMN since_seq; "
             "ALTER TABLE held_reads DROP COLUMN since_seq; "
             "PRAGMA user_version=3");
  }
  CHECK(kinds() == std::pair{0, 9});
  {
    auto store = Store::open(path, OpenOptions{"", false});
    REQUIRE(store.ok());
    CHECK(to_json(snapshot_of(**store)) == before);
    auto reader = Reader::open(path);
    REQUIRE(reader.ok());
    CHECK(to_json(*(*reader)->snapshot()) == before);
  }
  CHECK(kinds() == std::pair{2, 7});
  remove_db(path);
}

TEST_CASE("a version 4 file's failed own reaction is hidden by the migration, as a replay does",
          "[schema]") {
  const std::string path = temp_copy(kFixture);
  std::string replayed;
  {
    auto store = Store::open(path, OpenOptions{"", false});
    REQUIRE(store.ok());
    REQUIRE((*store)->commit({send("c1", "u-a", "m-new", "later", 50),
                              intent_of("Lr", intent::React{"c1", server("m-new"), "+1"}),
                              moved("Lr", OutboxTransition::State::sent),
                              moved("Lr", OutboxTransition::State::failed, "refused")})
                .ok());
    replayed = to_json(snapshot_of(**store));
    CHECK(find_message(*find_chat(snapshot_of(**store), "c1"), "m-new")->reactions.empty());
  }
  {
    // As a version 4 store left it: the failed reaction shown as pending.
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE reactions SET deleted=0 WHERE local_id='Lr'; "
             "ALTER TABLE held_reads DROP COLUMN since_seq; PRAGMA user_version=4");
  }
  auto store = Store::open(path, OpenOptions{"", false});
  REQUIRE(store.ok());
  CHECK(to_json(snapshot_of(**store)) == replayed);
  remove_db(path);
}

TEST_CASE("a file of a newer schema or another user is refused", "[schema]") {
  const std::string path = temp_copy(kFixture);
  CHECK(Store::open(path, OpenOptions{"u-other", false}).error().code ==
        ErrorCode::invalid_argument);
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version=99");
  }
  auto s = Store::open(path, OpenOptions{"", false});
  REQUIRE(!s.ok());
  CHECK(s.error().message.find("newer") != std::string::npos);
  remove_db(path);
}

TEST_CASE("creating a store needs the self user", "[schema]") {
  CHECK(Store::open(":memory:", OpenOptions{"", true}).error().code ==
        ErrorCode::invalid_argument);
}

// Writes the fixture (run by hand after a deliberate format change: store_tests "[.fixture]").
TEST_CASE("write the version 1 fixture", "[.fixture]") {
  remove_db(kFixture);
  {
    auto store = Store::open(kFixture, OpenOptions{kSelf, true});
    REQUIRE(store.ok());
    REQUIRE((*store)->commit(rich_history()).ok());
    std::ofstream(kFixtureSnapshot, std::ios::binary | std::ios::trunc)
        << to_json(snapshot_of(**store)) << "\n";
  }
  SQLite::Database raw(kFixture, SQLite::OPEN_READWRITE);
  raw.exec("PRAGMA journal_mode=DELETE");
}
