// Every row of DESIGN.md's order-tolerance table, with its events applied in every permutation
// (each once as one transaction and once one transaction per event): one identical snapshot,
// with the stated result.
#include "store/apply.hpp"

#include <algorithm>
#include <numeric>

#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

// Applies `events` in every order and batching; returns the single snapshot they all give.
Snapshot in_every_order(const std::vector<LogEntry>& events) {
  std::vector<size_t> idx(events.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::vector<size_t> every;
  for (size_t i = 1; i < events.size(); ++i) every.push_back(i);
  std::string first_json;
  Snapshot first;
  int orders = 0;
  do {
    std::vector<LogEntry> ordered;
    for (auto i : idx) ordered.push_back(events[i]);
    for (const auto& cuts : {std::vector<size_t>{}, every}) {
      Snapshot s = apply_all(ordered, cuts);
      std::string json = to_json(s);
      if (first_json.empty()) {
        first_json = json;
        first = s;
      } else {
        INFO("order #" << orders);
        REQUIRE(json == first_json);
      }
    }
    ++orders;
  } while (std::next_permutation(idx.begin(), idx.end()));
  return first;
}

const MessageView& only_message(const Snapshot& s, const std::string& chat) {
  const ChatView* c = find_chat(s, chat);
  REQUIRE(c != nullptr);
  REQUIRE(c->messages.size() == 1);
  return c->messages.front();
}

}  // namespace

TEST_CASE("the same event twice changes nothing", "[apply]") {
  auto s = in_every_order({send("c1", "u-a", "m1", "hi", 1), send("c1", "u-a", "m1", "hi", 1),
                           react("c1", "u-b", "r1", "+1", "m1"),
                           react("c1", "u-b", "r1", "+1", "m1")});
  const auto& m = only_message(s, "c1");
  CHECK(m.text == "hi");
  REQUIRE(m.reactions.size() == 1);
  CHECK(*m.reactions[0].reaction_id == "r1");
  CHECK(m.status == MessageStatus::delivered);
}

TEST_CASE("an edit before its message makes the message appear edited", "[apply]") {
  SECTION("SEND_MSG") {
    auto s = in_every_order({send("c1", "u-a", "m1", "hi", 1),
                             edit("c1", "u-a", "m1", "hello", at(5))});
    const auto& m = only_message(s, "c1");
    CHECK(m.text == "hello");
    CHECK(m.edited);
    CHECK(*m.edited_at == at(5).text);
  }
  SECTION("REPLY") {
    auto s = in_every_order({send("c1", "u-a", "m1", "hi", 1),
                             reply("c1", "u-b", "m2", "yes", 2, "m1", "u-a", "hi", 1),
                             edit("c1", "u-b", "m2", "no", at(5))});
    const ChatView* c = find_chat(s, "c1");
    REQUIRE(c->messages.size() == 2);
    const auto& m = c->messages[1];
    CHECK(m.text == "no");
    CHECK(m.edited);
    REQUIRE(m.reply_to);
    CHECK(*m.reply_to->message_id == "m1");
    CHECK(m.reply_to->text == "hi");
  }
}

TEST_CASE("of several edits the latest editedAt wins, compared as instants", "[apply]") {
  auto later = parse_timestamp("2024-01-15T11:00:09+01:00");  // = 10:00:09Z
  REQUIRE(later.ok());
  auto s = in_every_order({send("c1", "u-a", "m1", "v0", 1), edit("c1", "u-a", "m1", "v1", at(3)),
                           edit("c1", "u-a", "m1", "v3", *later),
                           edit("c1", "u-a", "m1", "v2", at(7))});
  const auto& m = only_message(s, "c1");
  CHECK(m.text == "v3");
  CHECK(*m.edited_at == "2024-01-15T11:00:09+01:00");
  SECTION("a tie goes to the larger text") {
    auto t = in_every_order({send("c1", "u-a", "m1", "v0", 1),
                             edit("c1", "u-a", "m1", "aaa", at(3)),
                             edit("c1", "u-a", "m1", "bbb", at(3))});
    CHECK(only_message(t, "c1").text == "bbb");
  }
}

TEST_CASE("a deleted message is gone for good", "[apply]") {
  auto s = in_every_order({send("c1", "u-a", "m1", "hi", 1), edit("c1", "u-a", "m1", "x", at(4)),
                           react("c1", "u-b", "r1", "+1", "m1"), del("c1", "u-a", "m1"),
                           send("c1", "u-a", "m2", "kept", 2)});
  const auto& m = only_message(s, "c1");
  CHECK(*m.message_id == "m2");
  CHECK(m.reactions.empty());
}

TEST_CASE("a reaction to an unknown message is held until the message arrives", "[apply]") {
  SECTION("shown when the message arrives") {
    auto s = in_every_order({react("c1", "u-b", "r1", "+1", "m1"),
                             react("c1", "u-c", "r0", "ok", "m1"),
                             send("c1", "u-a", "m1", "hi", 1)});
    const auto& m = only_message(s, "c1");
    REQUIRE(m.reactions.size() == 2);
    CHECK(*m.reactions[0].reaction_id == "r0");
    CHECK(*m.reactions[1].reaction_id == "r1");
    CHECK(m.reactions[1].sender_id == "u-b");
    CHECK(m.reactions[1].emoji == "+1");
  }
  SECTION("dropped with the message when it is deleted") {
    auto s = in_every_order({react("c1", "u-b", "r1", "+1", "m1"),
                             send("c1", "u-a", "m1", "hi", 1), del("c1", "u-a", "m1"),
                             send("c1", "u-a", "m2", "other", 2)});
    const auto& m = only_message(s, "c1");
    CHECK(*m.message_id == "m2");
    CHECK(m.reactions.empty());
  }
}

TEST_CASE("a reaction deleted before it arrives never appears", "[apply]") {
  auto s = in_every_order({send("c1", "u-a", "m1", "hi", 1), react("c1", "u-b", "r1", "+1", "m1"),
                           unreact("c1", "u-b", "r1"), react("c1", "u-c", "r2", "ok", "m1")});
  const auto& m = only_message(s, "c1");
  REQUIRE(m.reactions.size() == 1);
  CHECK(*m.reactions[0].reaction_id == "r2");
}

TEST_CASE("a read pointer only moves forward and waits for unknown messages", "[apply]") {
  SECTION("forward only, by (timeStamp, messageId)") {
    auto s = in_every_order({join("c1", kSelf, "me"), send("c1", "u-a", "m1", "a", 1),
                             send("c1", "u-a", "m2", "b", 2), read("c1", kSelf, "m2"),
                             read("c1", kSelf, "m1")});
    const ChatView* c = find_chat(s, "c1");
    REQUIRE(c->members.size() == 1);
    CHECK(*c->members[0].last_read_message_id == "m2");
    CHECK(c->unread_count == 0);
  }
  SECTION("a read of an unknown message is held until it is known") {
    auto s = in_every_order({join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "a", 1),
                             read("c1", "u-b", "m3"), send("c1", "u-a", "m3", "c", 3),
                             read("c1", "u-b", "m1")});
    const ChatView* c = find_chat(s, "c1");
    REQUIRE(c->members.size() == 1);
    CHECK(*c->members[0].last_read_message_id == "m3");
    CHECK(c->unread_count == 2);  // self read nothing
  }
  SECTION("unreadCount counts others' messages after the own pointer") {
    auto s = in_every_order({send("c1", "u-a", "m1", "a", 1), send("c1", kSelf, "m2", "b", 2),
                             send("c1", "u-a", "m3", "c", 3), read("c1", kSelf, "m1")});
    CHECK(find_chat(s, "c1")->unread_count == 1);
  }
}

TEST_CASE("events of a chat never announced create it, nameless until named", "[apply]") {
  auto s = in_every_order({send("c9", "u-a", "m1", "hi", 1), react("c9", "u-b", "r1", "+1", "m1")});
  const ChatView* c = find_chat(s, "c9");
  REQUIRE(c != nullptr);
  CHECK(!c->name);
  auto named = in_every_order({send("c9", "u-a", "m1", "hi", 1), new_chat("c9", "Nine")});
  CHECK(*find_chat(named, "c9")->name == "Nine");
}

TEST_CASE("a deleted chat is gone for good and its later events are ignored", "[apply]") {
  auto s = in_every_order({send("c1", "u-a", "m1", "hi", 1), delete_chat("c1"),
                           edit("c1", "u-a", "m1", "x", at(3)), send("c2", "u-a", "m9", "z", 1)});
  CHECK(find_chat(s, "c1") == nullptr);
  CHECK(find_chat(s, "c2") != nullptr);
}

// USER_JOIN / USER_LEAVE carry no usable time: by arrival order, so not permuted.
TEST_CASE("membership follows the latest of join and leave by arrival", "[apply]") {
  auto joined_last = apply_all({leave("c1", "u-b"), join("c1", "u-b", "bob")});
  REQUIRE(find_chat(joined_last, "c1")->members.size() == 1);
  CHECK(*find_chat(joined_last, "c1")->members[0].username == "bob");
  auto left_last = apply_all({join("c1", "u-b", "bob"), leave("c1", "u-b")});
  CHECK(find_chat(left_last, "c1")->members.empty());
}

TEST_CASE("leaving a chat hides it and joining again brings it back", "[apply]") {
  auto left = apply_all({send("c1", "u-a", "m1", "hi", 1), leave("c1", kSelf)});
  CHECK(find_chat(left, "c1") == nullptr);
  auto back = apply_all({send("c1", "u-a", "m1", "hi", 1), leave("c1", kSelf),
                         join("c1", kSelf, "me"), send("c1", "u-a", "m2", "again", 2)});
  const ChatView* c = find_chat(back, "c1");
  REQUIRE(c != nullptr);
  CHECK(c->messages.size() == 2);
}

TEST_CASE("typing is never stored", "[apply]") {
  auto store = memory_store();
  auto info = store->commit({live(common<event::Typing>("c1", "u-a"))});
  REQUIRE(info.ok());
  CHECK(info->first_seq == 0);
  CHECK(store->last_seq() == 0);
  CHECK(snapshot_of(*store).chats.empty());
}

TEST_CASE("interactions: edit, delete and send in every order leave nothing", "[apply]") {
  auto s = in_every_order({edit("c1", "u-a", "m1", "e", at(4)), del("c1", "u-a", "m1"),
                           send("c1", "u-a", "m1", "hi", 1), read("c1", kSelf, "m1"),
                           send("c1", "u-a", "m2", "after", 2)});
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c->messages.size() == 1);
  CHECK(c->unread_count == 1);  // the pointer sits on the deleted m1; m2 is after it
}

TEST_CASE("interactions: react, unreact, then the message", "[apply]") {
  auto s = in_every_order({react("c1", "u-b", "r1", "+1", "m1"), unreact("c1", "u-b", "r1"),
                           send("c1", "u-a", "m1", "hi", 1), react("c1", "u-b", "r2", "ok", "m1")});
  const auto& m = only_message(s, "c1");
  REQUIRE(m.reactions.size() == 1);
  CHECK(*m.reactions[0].reaction_id == "r2");
}
