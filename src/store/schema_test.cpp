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
