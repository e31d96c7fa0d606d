// Local intents and the echo rule (DESIGN.md invariant 5, PROTOCOL.md section 5).
#include "store/store.hpp"

#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

constexpr auto kSent = OutboxTransition::State::sent;


const MessageView* by_local(const ChatView& c, const std::string& local_id) {
  for (const auto& m : c.messages) {
    if (m.local_id && *m.local_id == local_id) return &m;
  }
  return nullptr;
}

const OutboxItem* item(const std::vector<OutboxItem>& items, const std::string& local_id) {
  for (const auto& i : items) {
    if (i.intent.local_id == local_id) return &i;
  }
  return nullptr;
}


}  // namespace

TEST_CASE("an own message goes pending, sent, delivered by its echo", "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m0", "first", 1),
                  intent_of("L1", intent::Send{"c1", "hello"})});
  auto s = snapshot_of(*store);
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c->messages.size() == 2);
  CHECK(*c->messages[1].local_id == "L1");
  CHECK(!c->messages[1].message_id);
  CHECK(c->messages[1].status == MessageStatus::pending);
  CHECK(c->messages[1].sender_id == kSelf);
  auto out = store->outbox();
  REQUIRE(out.ok());
  REQUIRE(out->size() == 1);
  CHECK((*out)[0].state == OutboxItem::State::pending);

  commit(*store, {moved("L1", kSent)});
  CHECK(by_local(*find_chat(snapshot_of(*store), "c1"), "L1")->status == MessageStatus::sent);
  out = store->outbox();
  CHECK((*out)[0].sends == 1);

  SECTION("its echo delivers it; the same text again is another device's message") {
    commit(*store, {send("c1", kSelf, "m1", "hello", 5), send("c1", kSelf, "m2", "hello", 6)});
    auto after = snapshot_of(*store);
    const ChatView* c1 = find_chat(after, "c1");
    REQUIRE(c1->messages.size() == 3);
    const MessageView* own = by_local(*c1, "L1");
    REQUIRE(own != nullptr);
    CHECK(*own->message_id == "m1");
    CHECK(own->status == MessageStatus::delivered);
    CHECK(own->time_stamp == at(5).text);
    const MessageView* other = find_message(*c1, "m2");
    REQUIRE(other != nullptr);
    CHECK(!other->local_id);
    CHECK(other->status == MessageStatus::delivered);
    CHECK(store->outbox()->empty());
    CHECK(**store->server_id_of("L1") == "m1");
    SECTION("a duplicate echo changes nothing") {
      auto before = to_json(snapshot_of(*store));
      commit(*store, {send("c1", kSelf, "m1", "hello", 5)});
      CHECK(to_json(snapshot_of(*store)) == before);
    }
  }
  SECTION("a failed send shows failed with its reason and leaves the outbox") {
    commit(*store, {moved("L1", OutboxTransition::State::failed, "rejected")});
    const Snapshot snap = snapshot_of(*store);
    const MessageView* m = by_local(*find_chat(snap, "c1"), "L1");
    CHECK(m->status == MessageStatus::failed);
    CHECK(m->error == "rejected");
    CHECK(store->outbox()->empty());
    CHECK(to_json(snapshot_of(*store), JsonOptions{true}).find("\"error\":\"rejected\"") !=
          std::string::npos);
  }
  SECTION("a resend goes back to pending, and a pending message is not matched") {
    commit(*store, {moved("L1", OutboxTransition::State::resend),
                    send("c1", kSelf, "m7", "hello", 7)});
    auto after = snapshot_of(*store);
    const ChatView* c1 = find_chat(after, "c1");
    CHECK(by_local(*c1, "L1")->status == MessageStatus::pending);
    CHECK(!find_message(*c1, "m7")->local_id);
  }
}

TEST_CASE("actions aimed at a pending message resolve once it is delivered", "[intents]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "draft"}, 10),
                  intent_of("L2", intent::Edit{"c1", local("L1"), "final"}, 11),
                  intent_of("L3", intent::Reply{"c1", local("L1"), "re"}, 12),
                  intent_of("L4", intent::React{"c1", local("L1"), "+1"}, 13)});
  auto s = snapshot_of(*store);
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c->messages.size() == 2);
  CHECK(c->messages[0].text == "final");
  CHECK(c->messages[0].edited);
  CHECK(c->messages[0].status == MessageStatus::pending);
  REQUIRE(c->messages[0].reactions.size() == 1);
  CHECK(!c->messages[0].reactions[0].reaction_id);
  REQUIRE(c->messages[1].reply_to);
  CHECK(!c->messages[1].reply_to->message_id);
  CHECK(c->messages[1].reply_to->text == "final");
  auto out = *store->outbox();
  REQUIRE(out.size() == 4);
  CHECK(!item(out, "L2")->resolved_target);
  CHECK(!item(out, "L3")->resolved_target);

  // The original text goes on the wire; its echo delivers L1 and resolves the others.
  commit(*store, {moved("L1", kSent), send("c1", kSelf, "m1", "draft", 20)});
  out = *store->outbox();
  REQUIRE(out.size() == 3);
  CHECK(*item(out, "L2")->resolved_target == "m1");
  CHECK(*item(out, "L3")->resolved_target == "m1");
  CHECK(*item(out, "L4")->resolved_target == "m1");
  s = snapshot_of(*store);
  c = find_chat(s, "c1");
  CHECK(*c->messages[0].message_id == "m1");
  CHECK(c->messages[0].text == "final");  // the optimistic edit stays
  CHECK(*c->messages[1].reply_to->message_id == "m1");

  commit(*store, {moved("L2", kSent), moved("L3", kSent), moved("L4", kSent),
                  edit("c1", kSelf, "m1", "final", at(21)),
                  reply("c1", kSelf, "m2", "re", 22, "m1", kSelf, "final", 20),
                  react("c1", kSelf, "r1", "+1", "m1")});
  CHECK(store->outbox()->empty());
  s = snapshot_of(*store);
  c = find_chat(s, "c1");
  REQUIRE(c->messages.size() == 2);
  CHECK(*c->messages[0].edited_at == at(21).text);
  CHECK(*c->messages[0].reactions[0].reaction_id == "r1");
  CHECK(*c->messages[0].reactions[0].local_id == "L4");
  CHECK(*c->messages[1].message_id == "m2");
  CHECK(*c->messages[1].local_id == "L3");
  CHECK(c->messages[1].status == MessageStatus::delivered);
}

TEST_CASE("own deletes, unreacts and reads apply at once and their echoes are idempotent",
          "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", kSelf, "m1", "mine", 1), send("c1", "u-a", "m2", "theirs", 2),
                  react("c1", kSelf, "r1", "+1", "m2"), join("c1", kSelf, "me"),
                  intent_of("L1", intent::Delete{"c1", server("m1")}),
                  intent_of("L2", intent::Unreact{"c1", server("r1")}),
                  intent_of("L3", intent::MarkRead{"c1", "m2"})});
  auto s = snapshot_of(*store);
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c->messages.size() == 1);
  CHECK(c->messages[0].reactions.empty());
  CHECK(c->unread_count == 0);
  CHECK(*c->members[0].last_read_message_id == "m2");
  const std::string before = to_json(s);
  commit(*store, {moved("L1", kSent), moved("L2", kSent), moved("L3", kSent),
                  del("c1", kSelf, "m1"), unreact("c1", kSelf, "r1"), read("c1", kSelf, "m2")});
  CHECK(to_json(snapshot_of(*store)) == before);
  CHECK(store->outbox()->empty());
  CHECK(**store->server_id_of("L1") == "m1");
}

// An own delete or unreact the server never carried out (refused, or failed for want of an
// echo while the server never got it) took nothing away: what it hid shows again, as the server
// still holds it.
TEST_CASE("a failed own delete or unreact shows the message or reaction again", "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", kSelf, "m1", "mine", 1), send("c1", "u-a", "m2", "theirs", 2),
                  react("c1", kSelf, "r1", "+1", "m2"), edit("c1", kSelf, "m1", "mine!", at(3)),
                  intent_of("L1", intent::Delete{"c1", server("m1")}),
                  intent_of("L2", intent::Unreact{"c1", server("r1")}), moved("L1", kSent),
                  moved("L2", kSent)});
  const std::string shown_before = [&] {
    auto s = snapshot_of(*store);
    const ChatView* c = find_chat(s, "c1");
    REQUIRE(c->messages.size() == 1);  // m1 hidden at once
    CHECK(c->messages[0].reactions.empty());
    return to_json(s);
  }();
  SECTION("failed for want of an echo, or refused") {
    auto why = GENERATE(OutboxTransition::State::unconfirmed, OutboxTransition::State::failed);
    commit(*store, {moved("L1", why, "not confirmed"), moved("L2", why, "not confirmed")});
    auto s = snapshot_of(*store);
    const ChatView* c = find_chat(s, "c1");
    REQUIRE(c->messages.size() == 2);
    CHECK(c->messages[0].text == "mine!");  // its text and edit kept while hidden
    CHECK(c->messages[0].edited);
    REQUIRE(c->messages[1].reactions.size() == 1);
    CHECK(c->messages[1].reactions[0].reaction_id == std::optional<std::string>("r1"));
    // A history page showing both keeps them shown; editing and unreacting work again.
    commit(*store, {page({page_msg("m1", kSelf, "mine", 1), page_msg("m2", "u-a", "theirs", 2)},
                         50)});
    CHECK(find_chat(snapshot_of(*store), "c1")->messages.size() == 2);
    CHECK(store->check_intent(intent_of("L3", intent::Delete{"c1", server("m1")})).ok());
  }
  SECTION("a failure after the server's word changes nothing") {
    commit(*store, {del("c1", kSelf, "m1"), unreact("c1", kSelf, "r1"),
                    moved("L1", OutboxTransition::State::failed, "late"),
                    moved("L2", OutboxTransition::State::failed, "late")});
    CHECK(to_json(snapshot_of(*store)) == shown_before);
  }
  SECTION("the server deleting the message meanwhile keeps it hidden") {
    commit(*store, {del("c1", kSelf, "m1")});
    CHECK(to_json(snapshot_of(*store)) == shown_before);
  }
}

// An own reaction the server refused, or never confirmed, is not the server's (invariant 4): it
// goes. Stored after all, its echo brings it back as the server's reaction, once.
TEST_CASE("a failed own reaction goes; its late echo brings it back once", "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "theirs", 1),
                  intent_of("L1", intent::React{"c1", server("m1"), "+1"}), moved("L1", kSent)});
  REQUIRE(find_chat(snapshot_of(*store), "c1")->messages[0].reactions.size() == 1);
  auto why = GENERATE(OutboxTransition::State::unconfirmed, OutboxTransition::State::failed);
  commit(*store, {moved("L1", why, "not confirmed")});
  CHECK(find_chat(snapshot_of(*store), "c1")->messages[0].reactions.empty());
  commit(*store, {react("c1", kSelf, "r1", "+1", "m1"), react("c1", kSelf, "r1", "+1", "m1")});
  auto s = snapshot_of(*store);
  const auto& reactions = find_chat(s, "c1")->messages[0].reactions;
  REQUIRE(reactions.size() == 1);
  CHECK(reactions[0].reaction_id == std::optional<std::string>("r1"));
}

// The delete failed because its target, an own message, failed unconfirmed; the server had
// stored that message after all, and its echo revives it: it shows, delivered.
TEST_CASE("a delete that failed with its target shows the target again once it is delivered",
          "[intents]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "oops"}), moved("L1", kSent),
                  intent_of("L2", intent::Delete{"c1", local("L1")}),
                  moved("L1", OutboxTransition::State::unconfirmed, "not confirmed"),
                  moved("L2", OutboxTransition::State::failed, "its target was never delivered")});
  CHECK(find_chat(snapshot_of(*store), "c1")->messages.empty());
  commit(*store, {send("c1", kSelf, "m1", "oops", 130)});
  auto s = snapshot_of(*store);
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c->messages.size() == 1);
  CHECK(c->messages[0].message_id == std::optional<std::string>("m1"));
  CHECK(c->messages[0].status == MessageStatus::delivered);
}

TEST_CASE("an own read shows at once and falls back to the server's pointer if it fails",
          "[intents][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", kSelf, "me"), send("c1", "u-a", "m1", "one", 1),
                  send("c1", "u-a", "m2", "two", 2), send("c1", "u-a", "m3", "three", 3),
                  read("c1", kSelf, "m1"), intent_of("L1", intent::MarkRead{"c1", "m3"})});
  auto own_pointer = [&] {
    auto s = snapshot_of(*store);
    const ChatView* c = find_chat(s, "c1");
    REQUIRE(c->members.size() == 1);
    return std::make_pair(c->members[0].last_read_message_id.value_or(""), c->unread_count);
  };
  CHECK(own_pointer() == std::make_pair(std::string("m3"), 0));
  commit(*store, {moved("L1", kSent)});
  CHECK(own_pointer() == std::make_pair(std::string("m3"), 0));
  SECTION("never recorded by the server") {
    commit(*store, {moved("L1", OutboxTransition::State::unconfirmed, "not confirmed")});
    CHECK(own_pointer() == std::make_pair(std::string("m1"), 2));
  }
  SECTION("confirmed by its echo; an older own read does not move it back") {
    commit(*store, {read("c1", kSelf, "m3"), intent_of("L2", intent::MarkRead{"c1", "m2"})});
    CHECK(own_pointer() == std::make_pair(std::string("m3"), 0));
    commit(*store, {moved("L2", OutboxTransition::State::failed, "refused")});
    CHECK(own_pointer() == std::make_pair(std::string("m3"), 0));
  }
  SECTION("another device's read beyond it, from the server, wins") {
    commit(*store, {send("c1", "u-a", "m4", "four", 4), read("c1", kSelf, "m4")});
    CHECK(own_pointer() == std::make_pair(std::string("m4"), 0));
  }
}

TEST_CASE("a delete aimed at an own message whose send failed keeps it hidden", "[intents]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "oops"}),
                  intent_of("L2", intent::Delete{"c1", local("L1")}),
                  moved("L1", OutboxTransition::State::failed, "refused"),
                  moved("L2", OutboxTransition::State::failed, "its target was never delivered")});
  CHECK(find_chat(snapshot_of(*store), "c1")->messages.empty());
}

TEST_CASE("editing or deleting someone else's message fails without touching it", "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "theirs", 1),
                  intent_of("L1", intent::Edit{"c1", server("m1"), "mine now"}),
                  intent_of("L2", intent::Delete{"c1", server("m1")}),
                  intent_of("L3", intent::Edit{"c1", server("nope"), "x"})});
  auto s = snapshot_of(*store);
  const auto& m = find_chat(s, "c1")->messages.at(0);
  CHECK(m.text == "theirs");
  CHECK(!m.edited);
  CHECK(store->outbox()->empty());  // all three failed
}

TEST_CASE("an own message found in a history page is delivered", "[intents]") {
  auto store = memory_store();
  commit(*store, {intent_of("L1", intent::Send{"c1", "offline"}, 10), moved("L1", kSent)});
  HistoryPage page;
  page.chat_id = "c1";
  page.size = 50;
  rest::Message m;
  m.chat_id = "c1";
  m.message_id = "m1";
  m.sender_id = kSelf;
  m.content = "offline";
  m.time_stamp = at(11);
  page.page.messages.push_back(m);
  commit(*store, {page});
  auto s = snapshot_of(*store);
  const auto& v = find_chat(s, "c1")->messages.at(0);
  CHECK(*v.message_id == "m1");
  CHECK(*v.local_id == "L1");
  CHECK(v.status == MessageStatus::delivered);
}

TEST_CASE("a failed own edit rolls back to the server's text; a later pending edit stays shown",
          "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", kSelf, "m1", "original", 1),
                  edit("c1", kSelf, "m1", "server edit", at(2)),
                  intent_of("L1", intent::Edit{"c1", server("m1"), "first try"}, 10)});
  auto shown = [&] { return find_chat(snapshot_of(*store), "c1")->messages.at(0); };
  CHECK(shown().text == "first try");
  CHECK(shown().edited);
  CHECK(*shown().edited_at == at(10).text);

  SECTION("the edit alone fails: the server's edit shows again") {
    commit(*store, {moved("L1", kSent),
                    moved("L1", OutboxTransition::State::failed, "not confirmed")});
    CHECK(shown().text == "server edit");
    CHECK(*shown().edited_at == at(2).text);
  }
  SECTION("an earlier edit fails while a later one is on its way: the later one shows") {
    commit(*store, {intent_of("L2", intent::Edit{"c1", server("m1"), "second try"}, 11),
                    moved("L1", OutboxTransition::State::failed, "rejected")});
    CHECK(shown().text == "second try");
    SECTION("and its echo makes it the server's edit") {
      commit(*store, {moved("L2", kSent), edit("c1", kSelf, "m1", "second try", at(12))});
      CHECK(shown().text == "second try");
      CHECK(*shown().edited_at == at(12).text);
      CHECK(store->outbox()->empty());
    }
  }
  SECTION("an unedited message falls back to its original text, not edited") {
    commit(*store, {send("c1", kSelf, "m2", "plain", 3),
                    intent_of("L3", intent::Edit{"c1", server("m2"), "oops"}, 13),
                    moved("L3", OutboxTransition::State::failed, "rejected")});
    const auto* m = find_message(*find_chat(snapshot_of(*store), "c1"), "m2");
    REQUIRE(m);
    CHECK(m->text == "plain");
    CHECK_FALSE(m->edited);
  }
}

// Removed from a chat: the server refuses whatever is still queued there, so it fails at once,
// whether the removal comes live or from a chat listing that no longer has the chat; the other
// chats' actions go on.
TEST_CASE("own actions queued in a chat the user was removed from fail at once", "[intents]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "theirs", 1), send("c2", "u-a", "m2", "other", 1),
                  intent_of("L1", intent::Send{"c1", "queued"}), moved("L1", kSent),
                  intent_of("L2", intent::React{"c1", server("m1"), "+1"}),
                  intent_of("L3", intent::Send{"c2", "elsewhere"})});
  SECTION("by its USER_LEAVE") { commit(*store, {leave("c1", kSelf)}); }
  SECTION("by a complete chat listing without it") {
    ChatsPage p;
    p.complete = true;
    p.after_seq = store->last_seq();
    p.chats.chats.push_back(chat_details("c2", "Two"));
    p.pass_chat_ids = {"c2"};
    commit(*store, {p});
  }
  auto out = store->outbox();
  REQUIRE(out.ok());
  REQUIRE(out->size() == 1);  // only L3 is left
  CHECK((*out)[0].intent.local_id == "L3");
  const OutboxItem* l3 = item(*out, "L3");
  REQUIRE(l3);
  CHECK(l3->state == OutboxItem::State::pending);
}
