// The read side: chat lists, history windows, and snapshots taken on another thread while the
// writer commits (each one shows exactly one committed state).
#include "store/reader.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

TEST_CASE("the chat list is sorted by last activity with unread counts", "[reader]") {
  TempStore tmp;
  auto store = Store::open(tmp.path, OpenOptions{kSelf, true});
  REQUIRE(store.ok());
  auto info = (*store)->commit({new_chat("c1", "One"), send("c1", "u-a", "m1", "old", 1),
                                send("c2", "u-a", "m2", "new", 9), send("c2", "u-a", "m3", "x", 8),
                                read("c2", kSelf, "m3"), send("c3", kSelf, "m4", "mine", 5)});
  REQUIRE(info.ok());
  CHECK(info->first_seq == 1);
  CHECK(info->last_seq == 6);
  CHECK(info->changed_chats == std::set<std::string>{"c1", "c2", "c3"});
  CHECK(info->chat_list_changed);
  auto reader = Reader::open(tmp.path);
  REQUIRE(reader.ok());
  auto list = (*reader)->chat_list();
  REQUIRE(list.ok());
  CHECK(list->seq == 6);
  REQUIRE(list->chats.size() == 3);
  CHECK(list->chats[0].chat_id == "c2");
  CHECK(list->chats[0].unread_count == 1);
  CHECK(list->chats[0].last_message->text == "new");
  CHECK(list->chats[1].chat_id == "c3");
  CHECK(list->chats[1].unread_count == 0);
  CHECK(list->chats[2].chat_id == "c1");
  CHECK(*list->chats[2].name == "One");
  CHECK(to_json(*list).find("\"lastMessage\"") != std::string::npos);
}

TEST_CASE("history windows give the latest messages or those before one", "[reader]") {
  TempStore tmp;
  auto store = Store::open(tmp.path, OpenOptions{kSelf, true});
  REQUIRE(store.ok());
  std::vector<LogEntry> events;
  for (int i = 1; i <= 5; ++i) {
    events.push_back(send("c1", "u-a", "m" + std::to_string(i), "t" + std::to_string(i), i));
  }
  LocalIntent own;
  own.local_id = "L1";
  own.made_at = at(0);  // an own unconfirmed message is last whatever its clock
  own.what = intent::Send{"c1", "pending"};
  events.push_back(own);
  REQUIRE((*store)->commit(events).ok());
  auto reader = Reader::open(tmp.path);
  REQUIRE(reader.ok());
  auto latest = (*reader)->latest("c1", 3);
  REQUIRE(latest.ok());
  REQUIRE(latest->messages.size() == 3);
  CHECK(*latest->messages[0].message_id == "m4");
  CHECK(*latest->messages[1].message_id == "m5");
  CHECK(*latest->messages[2].local_id == "L1");
  CHECK(latest->has_older);
  auto older = (*reader)->before("c1", "m4", 2);
  REQUIRE(older.ok());
  REQUIRE(older->messages.size() == 2);
  CHECK(*older->messages[0].message_id == "m2");
  CHECK(*older->messages[1].message_id == "m3");
  CHECK(older->has_older);
  auto first = (*reader)->before("c1", "m2", 5);
  REQUIRE(first->messages.size() == 1);
  CHECK(!first->has_older);
  CHECK((*reader)->latest("nope", 5)->messages.empty());
}

TEST_CASE("a snapshot on another thread always shows one committed state", "[reader][tsan]") {
  TempStore tmp;
  auto store = Store::open(tmp.path, OpenOptions{kSelf, true});
  REQUIRE(store.ok());
  REQUIRE((*store)->commit({send("c1", "u-a", "m0", "x", 0)}).ok());
  auto reader = Reader::open(tmp.path);
  REQUIRE(reader.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, seen{0};
  std::thread ui([&] {
    while (!stop.load()) {
      auto s = (*reader)->snapshot();
      if (!s.ok()) {
        ++bad;
        continue;
      }
      // Every commit appends two entries: a message in c1 and one in c2.
      size_t total = 0;
      for (const auto& c : s->chats) total += c.messages.size();
      if (static_cast<std::int64_t>(total) != s->seq) ++bad;
      ++seen;
    }
  });
  // 150 commits at least, and on until the reader took a few snapshots among them: on loaded
  // cores the reader thread may not be scheduled before 150 quick commits are over.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int i = 1; i <= 150 || (seen.load() < 5 && std::chrono::steady_clock::now() < deadline);
       ++i) {
    std::string n = std::to_string(i);
    REQUIRE((*store)->commit({send("c1", "u-a", "a" + n, "x", i), send("c2", "u-b", "b" + n, "y", i)})
                .ok());
  }
  stop = true;
  ui.join();
  CHECK(bad.load() == 0);
  CHECK(seen.load() > 0);
}
