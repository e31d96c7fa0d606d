// The outbox transition `lost`, history pages that confirm own actions whose echo was lost
// (DESIGN.md invariant 5), and Store::check_intent (an intent is refused before it is logged).
#include "store/store.hpp"

#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

constexpr auto kSent = OutboxTransition::State::sent;
constexpr auto kLost = OutboxTransition::State::lost;


/// The outbox item of a local id, or nullopt when the outbox no longer lists it (delivered or
/// failed).
std::optional<OutboxItem> outbox_item(const Store& s, const std::string& local_id) {
  auto items = s.outbox();
  REQUIRE(items.ok());
  for (const auto& i : *items) {
    if (i.intent.local_id == local_id) return i;
  }
  return std::nullopt;
}

/// Delivered: gone from the outbox, and its server id recorded.
void require_delivered(const Store& s, const std::string& local_id, const std::string& server_id) {
  INFO("outbox item " << local_id);
  CHECK(!outbox_item(s, local_id));
  auto id = s.server_id_of(local_id);
  REQUIRE(id.ok());
  REQUIRE(id->has_value());
  CHECK(**id == server_id);
}

void require_still_sent(const Store& s, const std::string& local_id) {
  INFO("outbox item " << local_id);
  auto i = outbox_item(s, local_id);
  REQUIRE(i);
  CHECK(i->state == OutboxItem::State::sent);
  auto id = s.server_id_of(local_id);
  REQUIRE(id.ok());
  CHECK(!id->has_value());
}

const MessageView* by_local(const ChatView& c, const std::string& local_id) {
  for (const auto& m : c.messages) {
    if (m.local_id && *m.local_id == local_id) return &m;
  }
  return nullptr;
}


rest::Reaction page_reaction(const std::string& id, const std::string& sender,
                             const std::string& emoji, const std::string& message_id) {
  rest::Reaction r;
  r.reaction_id = id;
  r.chat_id = "c1";
  r.message_id = message_id;
  r.sender_id = sender;
  r.reaction = emoji;
  r.created_at = at(1);
  return r;
}


}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. The transition `lost`.

TEST_CASE("a lost send puts the item back to pending and takes back its count", "[outbox][lost]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "hello"})});

  SECTION("sent, lost, sent counts one send") {
    commit(*store, {moved("L1", kSent)});
    REQUIRE(outbox_item(*store, "L1")->sends == 1);
    commit(*store, {moved("L1", kLost)});
    auto i = outbox_item(*store, "L1");
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::pending);
    CHECK(i->sends == 0);
    const Snapshot s = snapshot_of(*store);
    CHECK(by_local(*find_chat(s, "c1"), "L1")->status == MessageStatus::pending);
    commit(*store, {moved("L1", kSent)});
    i = outbox_item(*store, "L1");
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::sent);
    CHECK(i->sends == 1);
  }
  SECTION("two counted sends then a lost one leave one") {
    commit(*store, {moved("L1", kSent), moved("L1", OutboxTransition::State::resend),
                    moved("L1", kSent), moved("L1", kLost)});
    auto i = outbox_item(*store, "L1");
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::pending);
    CHECK(i->sends == 1);
  }
  SECTION("lost on a never-sent item changes nothing") {
    commit(*store, {moved("L1", kLost)});
    auto i = outbox_item(*store, "L1");
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::pending);
    CHECK(i->sends == 0);
    // Still counts from zero afterwards.
    commit(*store, {moved("L1", kSent)});
    CHECK(outbox_item(*store, "L1")->sends == 1);
  }
  SECTION("lost after a resend (already pending) does not uncount the resent send") {
    commit(*store, {moved("L1", kSent), moved("L1", OutboxTransition::State::resend),
                    moved("L1", kLost)});
    auto i = outbox_item(*store, "L1");
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::pending);
    CHECK(i->sends == 1);
  }
  SECTION("lost on a delivered item changes nothing") {
    commit(*store, {moved("L1", kSent), send("c1", kSelf, "m1", "hello", 5)});
    require_delivered(*store, "L1", "m1");
    const std::string before = to_json(snapshot_of(*store), JsonOptions{true});
    commit(*store, {moved("L1", kLost)});
    require_delivered(*store, "L1", "m1");
    CHECK(to_json(snapshot_of(*store), JsonOptions{true}) == before);
    const Snapshot s = snapshot_of(*store);
    CHECK(by_local(*find_chat(s, "c1"), "L1")->status == MessageStatus::delivered);
  }
  SECTION("lost on a failed item changes nothing") {
    commit(*store, {moved("L1", kSent), moved("L1", OutboxTransition::State::failed, "rejected")});
    const std::string before = to_json(snapshot_of(*store), JsonOptions{true});
    commit(*store, {moved("L1", kLost)});
    CHECK(!outbox_item(*store, "L1"));
    CHECK(to_json(snapshot_of(*store), JsonOptions{true}) == before);
    const Snapshot s = snapshot_of(*store);
    const MessageView* m = by_local(*find_chat(s, "c1"), "L1");
    CHECK(m->status == MessageStatus::failed);
    CHECK(m->error == "rejected");
  }
}

TEST_CASE("the envelope carries the state lost and refuses an unknown state", "[outbox][lost]") {
  const std::string line = encode_entry(OutboxTransition{"L7", kLost, ""});
  INFO(line);
  CHECK(line.find("\"state\":\"lost\"") != std::string::npos);
  auto back = decode_entry(line);
  REQUIRE(back.ok());
  REQUIRE(std::holds_alternative<OutboxTransition>(*back));
  const auto& t = std::get<OutboxTransition>(*back);
  CHECK(t.local_id == "L7");
  CHECK(t.state == kLost);
  CHECK(encode_entry(*back) == line);
  // Decoded from a hand-written line too.
  auto hand = decode_entry(R"({"entry":"outbox","localId":"L8","state":"lost"})");
  REQUIRE(hand.ok());
  CHECK(std::get<OutboxTransition>(*hand).state == kLost);

  auto bad = decode_entry(R"({"entry":"outbox","localId":"L8","state":"misplaced"})");
  REQUIRE(!bad.ok());
  CHECK(bad.error().code == ErrorCode::invalid_value);
  CHECK_THAT(bad.error().message, Catch::StartsWith("outbox.state:"));
  CHECK_THAT(bad.error().message, Catch::Contains("misplaced"));
}

TEST_CASE("an own message that failed unconfirmed is delivered when the server shows it after all",
          "[outbox][unconfirmed]") {
  constexpr auto kUnconfirmed = OutboxTransition::State::unconfirmed;
  const std::string why = "not confirmed by the server after 3 sends";
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "hello"}), moved("L1", kSent),
                  moved("L1", kUnconfirmed, why)});
  {
    const Snapshot s = snapshot_of(*store);
    const MessageView* m = by_local(*find_chat(s, "c1"), "L1");
    REQUIRE(m);
    CHECK(m->status == MessageStatus::failed);
    CHECK(m->error == why);
  }
  // The intent was made at 100 s (client clock); the server stored it at 130 s, or at 60 s by
  // a server clock 40 s behind.
  SECTION("by its echo") { commit(*store, {send("c1", kSelf, "m1", "hello", 130)}); }
  SECTION("by a history page") {
    commit(*store, {page({page_msg("m1", kSelf, "hello", 130)}, 50)});
  }
  SECTION("by its echo, the server's clock behind the client's") {
    commit(*store, {send("c1", kSelf, "m1", "hello", 60)});
  }
  require_delivered(*store, "L1", "m1");
  const Snapshot s = snapshot_of(*store);
  const ChatView& c = *find_chat(s, "c1");
  REQUIRE(c.messages.size() == 1);  // one message, not the failed one and another device's
  CHECK(c.messages[0].status == MessageStatus::delivered);
  CHECK(c.messages[0].message_id == std::optional<std::string>("m1"));
  CHECK(c.messages[0].local_id == std::optional<std::string>("L1"));
  CHECK(c.messages[0].error.empty());
  // The envelope names the state.
  CHECK(encode_entry(moved("L1", kUnconfirmed, why)).find("\"state\":\"unconfirmed\"") !=
        std::string::npos);
}

TEST_CASE("an own message that failed unconfirmed is not taken for an older one with its text",
          "[outbox][unconfirmed]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "ok"}), moved("L1", kSent),
                  moved("L1", OutboxTransition::State::unconfirmed, "not confirmed")});
  // A backfill brings an "ok" this user said from another device long before (30 s on the
  // server's clock, the intent was made at 100 s): that is its own message.
  commit(*store, {page({page_msg("m0", kSelf, "ok", 30)}, 50)});
  const Snapshot s = snapshot_of(*store);
  const ChatView& c = *find_chat(s, "c1");
  REQUIRE(c.messages.size() == 2);
  CHECK(by_local(c, "L1")->status == MessageStatus::failed);
  CHECK(find_message(c, "m0")->status == MessageStatus::delivered);
}

TEST_CASE("an own message the server refused stays failed when the same text shows up",
          "[outbox][unconfirmed]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "hello"}), moved("L1", kSent),
                  moved("L1", OutboxTransition::State::failed, "refused: not a member")});
  // Another device of the same user says the same: that is its message, not this one.
  commit(*store, {send("c1", kSelf, "m1", "hello", 5)});
  const Snapshot s = snapshot_of(*store);
  const ChatView& c = *find_chat(s, "c1");
  REQUIRE(c.messages.size() == 2);
  CHECK(by_local(c, "L1")->status == MessageStatus::failed);
  CHECK(find_message(c, "m1")->status == MessageStatus::delivered);
}

// ---------------------------------------------------------------------------------------------
// 2. History pages confirm own actions whose echo was lost.

TEST_CASE("a history page confirms an own deletion whose echo was lost", "[outbox][pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m0", "zero", 10), send("c1", kSelf, "m1", "mine", 20),
                  send("c1", "u-a", "m2", "two", 30), send("c1", "u-a", "m3", "three", 40),
                  intent_of("L1", intent::Delete{"c1", server("m1")}), moved("L1", kSent)});
  require_still_sent(*store, "L1");

  SECTION("a page around the message, without it, delivers the deletion") {
    commit(*store, {page({page_msg("m0", "u-a", "zero", 10), page_msg("m2", "u-a", "two", 30)},
                         2)});
    require_delivered(*store, "L1", "m1");
  }
  SECTION("an older page up to a cursor after it, reaching the start, delivers it") {
    commit(*store, {page({page_msg("m0", "u-a", "zero", 10)}, 10, "m2")});
    require_delivered(*store, "L1", "m1");
  }
  SECTION("a page that still holds the message leaves it sent") {
    commit(*store, {page({page_msg("m0", "u-a", "zero", 10), page_msg("m1", kSelf, "mine", 20),
                          page_msg("m2", "u-a", "two", 30)},
                         3)});
    require_still_sent(*store, "L1");
  }
  SECTION("an empty newest page (the whole chat) delivers it") {
    commit(*store, {page({}, 50)});
    require_delivered(*store, "L1", "m1");
  }
  SECTION("a page that does not reach the message's position leaves it sent") {
    commit(*store, {page({page_msg("m2", "u-a", "two", 30), page_msg("m3", "u-a", "three", 40)},
                         2)});
    require_still_sent(*store, "L1");
  }
  SECTION("a pending (never sent) deletion is not delivered by a page") {
    commit(*store, {moved("L1", kLost),
                    page({page_msg("m0", "u-a", "zero", 10), page_msg("m2", "u-a", "two", 30)},
                         2)});
    auto i = outbox_item(*store, "L1");
    REQUIRE(i);
    CHECK(i->state == OutboxItem::State::pending);
  }
}

TEST_CASE("a history page confirms an own edit whose echo was lost by its text", "[outbox][pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", kSelf, "m1", "draft", 20),
                  intent_of("L1", intent::Edit{"c1", server("m1"), "final"}), moved("L1", kSent)});
  require_still_sent(*store, "L1");
  auto edited = [](const std::string& text) {
    auto m = page_msg("m1", kSelf, text, 20);
    m.edited = true;
    m.edited_at = at(25);
    return m;
  };

  SECTION("the message edited with that text delivers the edit") {
    commit(*store, {page({edited("final")}, 50)});
    require_delivered(*store, "L1", "m1");
    const Snapshot s = snapshot_of(*store);
    const MessageView* m = find_message(*find_chat(s, "c1"), "m1");
    REQUIRE(m != nullptr);
    CHECK(m->text == "final");
    CHECK(m->edited);
  }
  SECTION("the message edited with another text leaves it sent") {
    commit(*store, {page({edited("something else")}, 50)});
    require_still_sent(*store, "L1");
  }
  SECTION("the message not edited leaves it sent") {
    commit(*store, {page({page_msg("m1", kSelf, "draft", 20)}, 50)});
    require_still_sent(*store, "L1");
  }
}

TEST_CASE("a history page confirms an own unreact whose echo was lost", "[outbox][pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "theirs", 20),
                  intent_of("L1", intent::React{"c1", server("m1"), "+1"}), moved("L1", kSent),
                  react("c1", kSelf, "r1", "+1", "m1")});
  require_delivered(*store, "L1", "r1");
  commit(*store, {intent_of("L2", intent::Unreact{"c1", server("r1")}), moved("L2", kSent)});
  require_still_sent(*store, "L2");

  SECTION("the message without the reaction delivers the unreact") {
    commit(*store, {page({page_msg("m1", "u-a", "theirs", 20)}, 50)});
    require_delivered(*store, "L2", "r1");
  }
  SECTION("the message still listing the reaction leaves it sent") {
    auto m = page_msg("m1", "u-a", "theirs", 20);
    m.reactions.push_back(page_reaction("r1", kSelf, "+1", "m1"));
    commit(*store, {page({m}, 50)});
    require_still_sent(*store, "L2");
    // The optimistic unreact stays applied meanwhile.
    const Snapshot s = snapshot_of(*store);
    CHECK(find_message(*find_chat(s, "c1"), "m1")->reactions.empty());
  }
  SECTION("another reaction on the message does not stand in for it") {
    auto m = page_msg("m1", "u-a", "theirs", 20);
    m.reactions.push_back(page_reaction("r9", "u-b", "+1", "m1"));
    commit(*store, {page({m}, 50)});
    require_delivered(*store, "L2", "r1");
  }
}

TEST_CASE("an own unreact whose reaction's message went with an own deletion is confirmed",
          "[outbox][pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m0", "zero", 10), send("c1", kSelf, "m1", "mine", 20),
                  send("c1", "u-a", "m2", "two", 30), react("c1", kSelf, "r1", "+1", "m1"),
                  intent_of("L1", intent::Unreact{"c1", server("r1")}), moved("L1", kSent),
                  intent_of("L2", intent::Delete{"c1", server("m1")}), moved("L2", kSent)});
  commit(*store, {page({page_msg("m0", "u-a", "zero", 10), page_msg("m2", "u-a", "two", 30)}, 2)});
  require_delivered(*store, "L2", "m1");
  require_delivered(*store, "L1", "r1");
}

TEST_CASE("an own unreact aimed at its reaction's local id is confirmed by a page too",
          "[outbox][pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "theirs", 20),
                  intent_of("L1", intent::React{"c1", server("m1"), "+1"}),
                  intent_of("L2", intent::Unreact{"c1", local("L1")}), moved("L1", kSent),
                  react("c1", kSelf, "r1", "+1", "m1"), moved("L2", kSent)});
  require_delivered(*store, "L1", "r1");
  require_still_sent(*store, "L2");
  CHECK(*outbox_item(*store, "L2")->resolved_target == "r1");
  commit(*store, {page({page_msg("m1", "u-a", "theirs", 20)}, 50)});
  require_delivered(*store, "L2", "r1");
}

TEST_CASE("an own unreact whose reaction's message is absent from a covering page is confirmed",
          "[outbox][pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m0", "zero", 10), send("c1", "u-a", "m1", "theirs", 20),
                  send("c1", "u-a", "m2", "two", 30), react("c1", kSelf, "r1", "+1", "m1"),
                  intent_of("L1", intent::Unreact{"c1", server("r1")}), moved("L1", kSent)});
  require_still_sent(*store, "L1");
  commit(*store, {page({page_msg("m0", "u-a", "zero", 10), page_msg("m2", "u-a", "two", 30)}, 2)});
  // The page did find m1 gone...
  const Snapshot s = snapshot_of(*store);
  CHECK(find_message(*find_chat(s, "c1"), "m1") == nullptr);
  // ...and with it the reaction the unreact removes: nothing is left to resend.
  require_delivered(*store, "L1", "r1");
}

// ---------------------------------------------------------------------------------------------
// 3. Store::check_intent.

namespace {

/// c1: m1 (theirs), m2 (mine), m3 (mine, deleted), r1 (theirs, on m2), r2 (mine, on m1), a
/// pending own message L1 with a pending own reaction L2; c2 deleted; c3 no longer listed;
/// c4 holds m4.
std::unique_ptr<Store> checked_store() {
  auto store = memory_store();
  commit(*store, {join("c1", kSelf, "me"), send("c1", "u-a", "m1", "theirs", 10),
                  send("c1", kSelf, "m2", "mine", 20), send("c1", kSelf, "m3", "gone", 30),
                  del("c1", kSelf, "m3"), react("c1", "u-a", "r1", "+1", "m2"),
                  react("c1", kSelf, "r2", "ok", "m1"), react("c1", "u-a", "r5", "?", "m5"),
                  intent_of("L1", intent::Send{"c1", "pending"}),
                  intent_of("L2", intent::React{"c1", local("L1"), "+1"}),
                  send("c2", "u-a", "m6", "doomed", 10), delete_chat("c2"),
                  send("c3", "u-a", "m7", "left behind", 10), send("c4", "u-a", "m4", "x", 10)});
  ChatsPage p;
  p.complete = true;
  for (const char* id : {"c1", "c4"}) {
    rest::ChatDetails d;
    d.chat_id = id;
    d.chat_name = id;
    d.created_at = at(0);
    d.creator = "u-a";
    p.chats.chats.push_back(d);
    p.pass_chat_ids.push_back(id);
  }
  commit(*store, {p});
  return store;
}

template <class W>
Status check(const Store& s, W what) {
  return s.check_intent(intent_of("L-new", std::move(what)));
}

void require_refused(const Status& st, ErrorCode code, const std::string& field) {
  REQUIRE(!st.ok());
  INFO(st.error().describe());
  CHECK(st.error().code == code);
  CHECK_THAT(st.error().message, Catch::StartsWith(field + ":"));
}

void require_accepted(const Status& st) {
  INFO((st.ok() ? std::string("ok") : st.error().describe()));
  CHECK(st.ok());
}

}  // namespace

TEST_CASE("an intent on an unknown, deleted or no longer listed chat is refused",
          "[check_intent]") {
  auto store = checked_store();
  require_refused(check(*store, intent::Send{"c404", "hi"}), ErrorCode::invalid_argument,
                  "chatId");
  require_refused(check(*store, intent::Send{"c2", "hi"}), ErrorCode::rejected, "chatId");
  require_refused(check(*store, intent::React{"c2", server("m6"), "+1"}), ErrorCode::rejected,
                  "chatId");
  require_refused(check(*store, intent::Send{"c3", "hi"}), ErrorCode::rejected, "chatId");
  require_refused(check(*store, intent::MarkRead{"c3", "m7"}), ErrorCode::rejected, "chatId");
  // The same chats answer differently, so the refusals are about them.
  require_accepted(check(*store, intent::Send{"c1", "hi"}));
  require_accepted(check(*store, intent::Send{"c4", "hi"}));
  // Joining again makes c3 one of ours again.
  commit(*store, {join("c3", kSelf, "me")});
  require_accepted(check(*store, intent::Send{"c3", "hi"}));
}

TEST_CASE("an intent aimed at an unknown message names the id field", "[check_intent]") {
  auto store = checked_store();
  require_refused(check(*store, intent::Reply{"c1", server("m404"), "re"}),
                  ErrorCode::invalid_argument, "messageId");
  require_refused(check(*store, intent::React{"c1", server("m404"), "+1"}),
                  ErrorCode::invalid_argument, "messageId");
  require_refused(check(*store, intent::Reply{"c1", local("L404"), "re"}),
                  ErrorCode::invalid_argument, "localId");
  require_refused(check(*store, intent::React{"c1", local("L404"), "+1"}),
                  ErrorCode::invalid_argument, "localId");
  require_refused(check(*store, intent::Edit{"c1", server("m404"), "x"}),
                  ErrorCode::invalid_argument, "messageId");
  require_refused(check(*store, intent::Delete{"c1", local("L404")}),
                  ErrorCode::invalid_argument, "localId");
  require_refused(check(*store, intent::MarkRead{"c1", "m404"}), ErrorCode::invalid_argument,
                  "messageId");
  // A message of another chat is unknown here.
  require_refused(check(*store, intent::Reply{"c1", server("m4"), "re"}),
                  ErrorCode::invalid_argument, "messageId");
  // A placeholder (only a reaction named m5) has no content to aim at.
  require_refused(check(*store, intent::Reply{"c1", server("m5"), "re"}),
                  ErrorCode::invalid_argument, "messageId");
  // A target with neither id.
  require_refused(check(*store, intent::React{"c1", Target{}, "+1"}), ErrorCode::invalid_argument,
                  "localId");
}

TEST_CASE("editing or deleting someone else's or a deleted message is refused",
          "[check_intent]") {
  auto store = checked_store();
  require_refused(check(*store, intent::Edit{"c1", server("m1"), "mine now"}),
                  ErrorCode::rejected, "messageId");
  require_refused(check(*store, intent::Delete{"c1", server("m1")}), ErrorCode::rejected,
                  "messageId");
  require_refused(check(*store, intent::Edit{"c1", server("m3"), "back"}), ErrorCode::rejected,
                  "messageId");
  require_refused(check(*store, intent::Delete{"c1", server("m3")}), ErrorCode::rejected,
                  "messageId");
  // An own message deleted optimistically (not yet echoed) is deleted too.
  commit(*store, {intent_of("L3", intent::Delete{"c1", server("m2")})});
  require_refused(check(*store, intent::Edit{"c1", server("m2"), "late"}), ErrorCode::rejected,
                  "messageId");
}

TEST_CASE("unreacting an unknown or someone else's reaction is refused", "[check_intent]") {
  auto store = checked_store();
  require_refused(check(*store, intent::Unreact{"c1", server("r404")}),
                  ErrorCode::invalid_argument, "reactionId");
  require_refused(check(*store, intent::Unreact{"c1", local("L404")}),
                  ErrorCode::invalid_argument, "localId");
  require_refused(check(*store, intent::Unreact{"c4", server("r2")}),
                  ErrorCode::invalid_argument, "reactionId");
  require_refused(check(*store, intent::Unreact{"c1", server("r1")}), ErrorCode::rejected,
                  "reactionId");
  // An own reaction already removed is no longer known.
  commit(*store, {unreact("c1", kSelf, "r2")});
  require_refused(check(*store, intent::Unreact{"c1", server("r2")}),
                  ErrorCode::invalid_argument, "reactionId");
}

TEST_CASE("valid intents pass the check and the check logs nothing", "[check_intent]") {
  auto store = checked_store();
  const std::int64_t seq = store->last_seq();
  require_accepted(check(*store, intent::Send{"c1", "hi"}));
  require_accepted(check(*store, intent::Reply{"c1", server("m1"), "re"}));
  require_accepted(check(*store, intent::Reply{"c1", local("L1"), "re"}));
  require_accepted(check(*store, intent::React{"c1", server("m1"), "+1"}));
  require_accepted(check(*store, intent::React{"c1", local("L1"), "ok"}));
  require_accepted(check(*store, intent::Edit{"c1", server("m2"), "better"}));
  require_accepted(check(*store, intent::Edit{"c1", local("L1"), "better"}));
  require_accepted(check(*store, intent::Delete{"c1", server("m2")}));
  require_accepted(check(*store, intent::Delete{"c1", local("L1")}));
  require_accepted(check(*store, intent::Unreact{"c1", server("r2")}));
  require_accepted(check(*store, intent::Unreact{"c1", local("L2")}));
  require_accepted(check(*store, intent::MarkRead{"c1", "m1"}));
  CHECK(store->last_seq() == seq);
}
