// Background WAL checkpoints: a store that commits past SQLite's threshold has its WAL
// checkpointed by the store's own thread, and what was committed reads back whole.
#include "store/checkpointer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "store/reader.hpp"
#include "store/store.hpp"
#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

std::string temp_db() {
  char buf[] = "/tmp/whisp-ckpt-XXXXXX";
  int fd = ::mkstemp(buf);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::remove(buf);
  return buf;
}

void remove_db(const std::string& p) {
  for (const char* s : {"", "-wal", "-shm"}) std::remove((p + s).c_str());
}

}  // namespace

TEST_CASE("commits past SQLite's WAL threshold are checkpointed by the store's own thread") {
  const auto path = temp_db();
  {
    OpenOptions options;
    options.self_user_id = kSelf;
    auto store = Store::open(path, options);
    REQUIRE(store.ok());
    CHECK((*store)->background_checkpoints() == 0);
    // About 6 MB of messages: well past 1,000 pages of 4 KiB in the WAL.
    const std::string text(3000, 'x');
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<LogEntry> entries;
      for (int i = 0; i < 100; ++i) {
        const int n = batch * 100 + i;
        entries.push_back(send("c1", "u-a", "m" + std::to_string(n), text + std::to_string(n), n));
      }
      REQUIRE((*store)->commit(entries).ok());
    }
    // The checkpoint runs beside the writer: wait for it, with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while ((*store)->background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    CHECK((*store)->background_checkpoints() > 0);
    auto reader = Reader::open(path);
    REQUIRE(reader.ok());
    auto snap = (*reader)->snapshot(std::string("c1"));
    REQUIRE(snap.ok());
    REQUIRE(snap->chats.size() == 1);
    CHECK(snap->chats[0].messages.size() == 2000);
  }
  // Closed and reopened: everything is there.
  OpenOptions options;
  options.self_user_id = kSelf;
  auto again = Store::open(path, options);
  REQUIRE(again.ok());
  CHECK((*again)->last_seq() == 2000);
  remove_db(path);
}
