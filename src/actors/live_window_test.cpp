#include "actors/live_window.hpp"

#include <catch2/catch.hpp>

#include "actors/live_convert.hpp"

namespace whisp::live {
namespace {

store::MessageView confirmed(const std::string& id, std::int64_t t) {
  store::MessageView m;
  m.message_id = id;
  m.sender_id = "bob";
  m.text = "text " + id;
  m.time_micros = t;
  m.time_stamp = std::to_string(t);
  return m;
}

store::MessageView own(const std::string& local_id) {
  store::MessageView m;
  m.local_id = local_id;
  m.sender_id = "alice";
  m.text = "mine";
  m.status = store::MessageStatus::pending;
  return m;
}

std::vector<store::MessageView> chat(int n) {
  std::vector<store::MessageView> all;
  for (int i = 0; i < n; ++i) all.push_back(confirmed("m" + std::to_string(100 + i), 10 * i));
  return all;
}

}  // namespace

TEST_CASE("a chat window starts with the newest messages and then keeps its oldest one") {
  auto all = chat(10);
  ChatWindow w(3);
  CHECK(w.start(all) == 7);
  all.push_back(confirmed("m200", 1000));  // a new message: the window grows, it does not slide
  CHECK(w.start(all) == 7);
  all.insert(all.begin(), confirmed("m000", -5));  // an older one arrives from backfill
  CHECK(w.start(all) == 8);
  SECTION("the anchor holds when its message is deleted") {
    all.erase(all.begin() + 8);
    CHECK(w.start(all) == 8);
    CHECK(*all[8].message_id == "m108");
  }
  SECTION("extending moves the start back, never past the beginning") {
    CHECK(w.extend(all, 2) == 2);
    CHECK(w.start(all) == 6);
    CHECK(w.extend(all, 100) == 6);
    CHECK(w.start(all) == 0);
    CHECK(w.extend(all, 1) == 0);
  }
}

TEST_CASE("a chat window of only own unconfirmed messages counts them until one is confirmed") {
  std::vector<store::MessageView> all = chat(4);
  all.push_back(own("l1"));
  all.push_back(own("l2"));
  ChatWindow w(2);
  CHECK(w.start(all) == 4);
  all.push_back(own("l3"));
  CHECK(w.start(all) == 5);  // count-based while nothing delivered is shown
  CHECK(w.extend(all, 2) == 2);
  CHECK(w.start(all) == 3);  // now anchored at m103
  all.push_back(own("l4"));
  CHECK(w.start(all) == 3);
}

TEST_CASE("public snapshots, diffs and apply agree with the store's diff layer") {
  store::ChatView a;
  a.chat_id = "c1";
  a.name = "chat";
  a.messages = chat(5);
  a.messages.push_back(own("local-1"));
  store::ChatView b = a;
  b.messages.pop_back();
  auto delivered = own("local-1");
  delivered.message_id = "m102a";
  delivered.time_micros = 25;
  delivered.status = store::MessageStatus::delivered;
  b.messages.insert(b.messages.begin() + 3, delivered);
  b.unread_count = 2;

  auto before = to_public(&a, "c1", 10, false, {});
  auto after = to_public(&b, "c1", 12, true, {"bob"});
  auto d = diff(before, after);
  CHECK(d.from_seq == 10);
  CHECK(d.to_seq == 12);
  REQUIRE(d.updated.size() == 1);
  CHECK(d.updated[0].message.key == "local-1");
  CHECK(d.updated[0].moved);
  CHECK(d.inserted.empty());
  CHECK(d.removed.empty());
  CHECK(d.has_older == std::optional<bool>(true));
  CHECK(d.typing == std::optional<std::vector<std::string>>({"bob"}));
  auto applied = apply(before, d);
  REQUIRE(applied.ok());
  CHECK(same(*applied, after));
  CHECK(applied->to_json() == after.to_json());
  CHECK(after.to_json().rfind("{\"seq\":12,\"exists\":true,\"chatId\":\"c1\"", 0) == 0);
  CHECK(d.to_json().find("\"unreadCount\":2,\"hasOlder\":true,\"typing\":[\"bob\"],\"removed\":[]") !=
        std::string::npos);
  CHECK(diff(after, after).empty());

  SECTION("a diff applied to the wrong snapshot is refused") {
    auto other = to_public(nullptr, "c1", 3, false, {});
    CHECK_FALSE(apply(other, d).ok());
  }
}

}  // namespace whisp::live
