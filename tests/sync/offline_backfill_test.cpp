// Issue 6, backfill: while an engine is offline another user sends (more than a history page),
// edits, deletes, reacts, unreacts, reads, creates a chat with it, renames a chat and removes it
// from a chat. After go_online + wait_idle its snapshot equals the server's truth (invariant 4).
#include <catch2/catch.hpp>

#include "sync_fixture.hpp"

using namespace whisp;
using namespace whisp::synctest;
using std::chrono::seconds;

namespace {

std::string id_of(test::TestEngine& e, const std::string& chat, const std::string& text) {
  auto doc = e.snapshot(chat);
  auto found = messages_with_text(doc, chat, text);
  if (found.size() != 1 || !(*found[0])["messageId"].IsString()) return "";
  return (*found[0])["messageId"].GetString();
}

std::string reaction_id_of(test::TestEngine& e, const std::string& chat, const std::string& emoji) {
  auto doc = e.snapshot(chat);
  const auto* c = test::find_chat(doc, chat);
  if (!c) return "";
  for (const auto& m : (*c)["messages"].GetArray()) {
    for (const auto& r : m["reactions"].GetArray()) {
      if (emoji == r["emoji"].GetString() && r["reactionId"].IsString()) {
        return r["reactionId"].GetString();
      }
    }
  }
  return "";
}

std::string chat_id_of(const std::string& details_json) {
  rapidjson::Document d;
  d.Parse(details_json.c_str());
  return d.IsObject() && d.HasMember("chatId") ? d["chatId"].GetString() : "";
}

// The dev server, alice and bob, both synced.
struct Pair {
  std::unique_ptr<devserver::DevServer> server = test::start_server();
  test::TempDir dir;
  std::unique_ptr<test::TestEngine> alice =
      test::TestEngine::start(*server, "alice", dir.file("alice.db"));
  std::unique_ptr<test::TestEngine> bob =
      test::TestEngine::start(*server, "bob", dir.file("bob.db"));

  const std::string chat = server->seeded_chat_id();
  RestUser alice_rest = rest_user(*server, "alice");
  RestUser bob_rest = rest_user(*server, "bob");

  // Everything a test uses, by reference.
  auto parts() { return std::tie(server, alice, bob, chat, alice_rest, bob_rest); }

  Pair() {
    REQUIRE(alice->engine().wait_idle(seconds(15)));
    REQUIRE(bob->engine().wait_idle(seconds(15)));
  }

  // Both engines' snapshots equal the server's truth within 15 s.
  void check_converged() {
    auto diff = converge({probe_of("alice", *alice, alice_rest), probe_of("bob", *bob, bob_rest)},
                         seconds(15));
    INFO(diff);
    CHECK(diff.empty());
  }

  // Alice goes offline, and the server has seen her go.
  void alice_offline() {
    alice->engine().go_offline();
    REQUIRE(alice->wait([&] {
      return alice->engine().connection_state() != ConnectionState::connected &&
             server->connection_count("alice") == 0;
    }));
  }
};

}  // namespace

TEST_CASE("an engine that was offline while everything happened converges on the server's truth") {
  Pair pair;
  auto [server, alice, bob, chat, alice_rest, bob_rest] = pair.parts();  // references

  // What alice knows before she goes away: a side chat, and bob's items to change later.
  auto side = bob->engine().create_chat("Side chat", {"bob", "alice", "carol"});
  REQUIRE(side.ok());
  const std::string side_chat = chat_id_of(*side);
  REQUIRE_FALSE(side_chat.empty());
  REQUIRE(bob->engine().send_message(side_chat, "in the side chat").ok());
  for (const char* text : {"to be edited", "to be deleted", "to be reacted to"}) {
    REQUIRE(bob->engine().send_message(chat, text).ok());
  }
  REQUIRE(bob->wait([&] { return !id_of(*bob, chat, "to be reacted to").empty(); }));
  REQUIRE(bob->engine()
              .react(chat, ItemRef::server(id_of(*bob, chat, "to be reacted to")), "old-reaction")
              .ok());
  REQUIRE(bob->engine().wait_idle(seconds(15)));
  REQUIRE(alice->wait([&] {
    return !reaction_id_of(*alice, chat, "old-reaction").empty() &&
           !id_of(*alice, side_chat, "in the side chat").empty() &&
           !id_of(*alice, chat, "to be deleted").empty();
  }));
  REQUIRE(alice->engine().wait_idle(seconds(15)));

  pair.alice_offline();

  // Everything bob does while alice is away.
  const int many = 70;  // more than one history page (50)
  for (int i = 0; i < many; ++i) {
    REQUIRE(bob->engine().send_message(chat, "while away " + std::to_string(i)).ok());
  }
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  REQUIRE(bob->engine()
              .edit_message(chat, ItemRef::server(id_of(*bob, chat, "to be edited")),
                            "edited while away")
              .ok());
  REQUIRE(
      bob->engine().delete_message(chat, ItemRef::server(id_of(*bob, chat, "to be deleted"))).ok());
  REQUIRE(bob->engine()
              .react(chat, ItemRef::server(id_of(*bob, chat, "while away 3")), "new-reaction")
              .ok());
  REQUIRE(bob->engine()
              .unreact(chat, ItemRef::server(reaction_id_of(*bob, chat, "old-reaction")))
              .ok());
  REQUIRE(bob->engine()
              .mark_read(chat, id_of(*bob, chat, "while away " + std::to_string(many - 1)))
              .ok());
  auto fresh = bob->engine().create_chat("Made while alice was away", {"bob", "alice"});
  REQUIRE(fresh.ok());
  const std::string new_chat = chat_id_of(*fresh);
  REQUIRE(bob->engine().send_message(new_chat, "hello in the new chat").ok());
  REQUIRE(bob->engine().rename_chat(chat, "Renamed while alice was away").ok());
  REQUIRE(bob->engine().remove_user(side_chat, alice_rest.user_id()).ok());
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  REQUIRE(server->connection_count("alice") == 0);  // she really missed all of it

  alice->engine().go_online();
  REQUIRE(alice->engine().wait_idle(seconds(30)));

  auto snap = alice->snapshot();
  CHECK(test::find_chat(snap, side_chat) == nullptr);  // removed from it
  const auto* renamed = test::find_chat(snap, chat);
  REQUIRE(renamed != nullptr);
  CHECK(std::string((*renamed)["name"].GetString()) == "Renamed while alice was away");
  CHECK(messages_with_text(snap, chat, "to be deleted").empty());
  CHECK(messages_with_text(snap, chat, "edited while away").size() == 1);
  CHECK(messages_with_text(snap, new_chat, "hello in the new chat").size() == 1);
  CHECK(reactions_with_emoji(snap, "old-reaction") == 0);
  CHECK(reactions_with_emoji(snap, "new-reaction") == 1);
  for (int i = 0; i < many; ++i) {
    INFO("while away " << i);
    CHECK(messages_with_text(snap, chat, "while away " + std::to_string(i)).size() == 1);
  }
  pair.check_converged();
}

// No new message tells an engine that old ones changed while it was away (or in a cut): the
// protocol has no change feed, so the engine re-reads the history it holds after connecting.
TEST_CASE("changes to old messages made while an engine was offline reach it after reconnect") {
  Pair pair;
  auto [server, alice, bob, chat, alice_rest, bob_rest] = pair.parts();  // references

  const int many = 130;  // the oldest of them are more than two history pages back
  for (int i = 0; i < many; ++i) {
    REQUIRE(bob->engine().send_message(chat, "old " + std::to_string(i)).ok());
  }
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  REQUIRE(bob->engine().react(chat, ItemRef::server(id_of(*bob, chat, "old 1")), "kept-away").ok());
  REQUIRE(bob->wait([&] { return !reaction_id_of(*bob, chat, "kept-away").empty(); }));
  REQUIRE(bob->engine().wait_idle(seconds(15)));
  REQUIRE(alice->wait([&] {
    return !id_of(*alice, chat, "old " + std::to_string(many - 1)).empty() &&
           !reaction_id_of(*alice, chat, "kept-away").empty();
  }));
  REQUIRE(alice->engine().wait_idle(seconds(15)));

  pair.alice_offline();
  REQUIRE(bob->engine()
              .edit_message(chat, ItemRef::server(id_of(*bob, chat, "old 2")),
                            "old 2 edited while away")
              .ok());
  REQUIRE(bob->engine().delete_message(chat, ItemRef::server(id_of(*bob, chat, "old 3"))).ok());
  REQUIRE(
      bob->engine().react(chat, ItemRef::server(id_of(*bob, chat, "old 4")), "added-away").ok());
  REQUIRE(
      bob->engine().unreact(chat, ItemRef::server(reaction_id_of(*bob, chat, "kept-away"))).ok());
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  REQUIRE(server->connection_count("alice") == 0);

  alice->engine().go_online();
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  auto snap = alice->snapshot();
  CHECK(messages_with_text(snap, chat, "old 2 edited while away").size() == 1);
  CHECK(messages_with_text(snap, chat, "old 3").empty());
  CHECK(reactions_with_emoji(snap, "added-away") == 1);
  CHECK(reactions_with_emoji(snap, "kept-away") == 0);
  pair.check_converged();
}

// Invariant 5 for actions aimed at old messages: a reaction, an edit and a deletion stored by
// the server whose echoes a cut swallowed are found in the re-read history, never sent again.
TEST_CASE("actions on old messages whose echo a cut swallowed are found in history, not resent") {
  Pair pair;
  auto [server, alice, bob, chat, alice_rest, bob_rest] = pair.parts();  // references
  const int many = 130;
  for (int i = 0; i < many; ++i) {
    REQUIRE(alice->engine().send_message(chat, "mine " + std::to_string(i)).ok());
  }
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  REQUIRE(bob->wait([&] { return !id_of(*bob, chat, "mine " + std::to_string(many - 1)).empty(); }));

  // Every action from now on is stored, then the connection is dropped before its echo.
  devserver::FaultUpdate faults;
  faults.store_then_drop = 1.0;
  server->set_faults(faults);
  REQUIRE(alice->engine().react(chat, ItemRef::server(id_of(*alice, chat, "mine 1")), "old-one").ok());
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  REQUIRE(alice->engine().edit_message(chat, ItemRef::server(id_of(*alice, chat, "mine 2")),
                                       "mine 2 edited").ok());
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  REQUIRE(alice->engine().delete_message(chat, ItemRef::server(id_of(*alice, chat, "mine 3"))).ok());
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  faults.store_then_drop = 0;
  server->set_faults(faults);

  auto counts = server_counts(alice_rest);
  CHECK(counts.emojis["old-one"] == 1);
  CHECK(counts.texts["mine 2 edited"] == 1);
  CHECK(counts.texts["mine 3"] == 0);
  auto snap = alice->snapshot();
  int confirmed = 0;
  CHECK(reactions_with_emoji(snap, "old-one", &confirmed) == 1);
  CHECK(confirmed == 1);
  auto edited = messages_with_text(snap, chat, "mine 2 edited");
  REQUIRE(edited.size() == 1);
  CHECK(std::string((*edited[0])["status"].GetString()) == "delivered");
  CHECK(messages_with_text(snap, chat, "mine 3").empty());
  for (const auto& e : alice->errors()) FAIL_CHECK("error: " << e.describe());
}

// Invariant 4 without a reconnect: taken back into a chat, an engine that stayed connected
// fills in everything said while it was out (more than a page), not only the newest page, and
// the changes made meanwhile to messages it knew.
TEST_CASE("an engine taken back into a chat while connected gets everything said and changed while it "
          "was out") {
  Pair pair;
  auto [server, alice, bob, chat, alice_rest, bob_rest] = pair.parts();  // references
  // An old message alice knows, more than a page below the newest she knows.
  REQUIRE(bob->engine().send_message(chat, "before the removal").ok());
  for (int i = 0; i < 60; ++i) {
    REQUIRE(bob->engine().send_message(chat, "seen before " + std::to_string(i)).ok());
  }
  REQUIRE(alice->wait([&] {
    return messages_with_text(alice->snapshot(), chat, "seen before 59").size() == 1;
  }));

  REQUIRE(bob->engine().remove_user(chat, alice_rest.user_id()).ok());
  REQUIRE(alice->wait([&] { return test::find_chat(alice->snapshot(), chat) == nullptr; }));
  const int many = 70;  // more than one history page (50)
  for (int i = 0; i < many; ++i) {
    REQUIRE(bob->engine().send_message(chat, "while out " + std::to_string(i)).ok());
  }
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  // Changes to a message alice knew: no page of new messages carries them.
  const std::string old_id = id_of(*bob, chat, "before the removal");
  REQUIRE(!old_id.empty());
  REQUIRE(bob->engine().react(chat, ItemRef::server(old_id), "while-out-reaction").ok());
  REQUIRE(bob->engine().edit_message(chat, ItemRef::server(old_id), "edited while out").ok());
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  REQUIRE(bob->engine().add_user(chat, "alice").ok());

  bool all = alice->wait([&] {
    auto snap = alice->snapshot();
    if (reactions_with_emoji(snap, "while-out-reaction") != 1) return false;
    if (messages_with_text(snap, chat, "edited while out").size() != 1) return false;
    for (int i = 0; i < many; ++i) {
      if (messages_with_text(snap, chat, "while out " + std::to_string(i)).size() != 1) return false;
    }
    return true;
  }, seconds(15));
  auto snap = alice->snapshot();
  CHECK(reactions_with_emoji(snap, "while-out-reaction") == 1);
  CHECK(messages_with_text(snap, chat, "edited while out").size() == 1);
  for (int i = 0; i < many && !all; ++i) {
    INFO("while out " << i);
    CHECK(messages_with_text(snap, chat, "while out " + std::to_string(i)).size() == 1);
  }
  CHECK(all);
  CHECK(server->connection_count("alice") == 1);  // no reconnect did it
  pair.check_converged();
}

namespace {

// Alice reconnects while the server fails the next requests `fail` names (503): each is asked
// for again on the same connection, so a message made offline is delivered and what bob said
// meanwhile arrives. `left` reads how many failures the server still has to give.
void check_retried_on_same_connection(const devserver::FaultUpdate& fail,
                                      unsigned (*left)(const devserver::FaultConfig&)) {
  Pair pair;
  auto [server, alice, bob, chat, alice_rest, bob_rest] = pair.parts();  // references
  pair.alice_offline();
  REQUIRE(bob->engine().send_message(chat, "said while alice was away").ok());
  REQUIRE(bob->engine().wait_idle(seconds(15)));
  REQUIRE(alice->engine().send_message(chat, "written offline").ok());
  server->set_faults(fail);
  alice->engine().go_online();
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  CHECK(left(server->faults()) == 0);  // every failure was met
  auto snap = alice->snapshot();
  CHECK(messages_with_text(snap, chat, "said while alice was away").size() == 1);
  REQUIRE(messages_with_text(snap, chat, "written offline").size() == 1);
  CHECK(alice->status_of_text(chat, "written offline") == "delivered");
  // And the connection it all happened on is the first one after going online.
  int disconnects = 0;
  for (const auto& ev : alice->connection_events()) {
    disconnects += ev.state == ConnectionState::disconnected;
  }
  CHECK(disconnects == 1);  // the go_offline above, no other
  pair.check_converged();
}

}  // namespace

// A failed chat listing does not leave the connection unsynced until the next one: the pass is
// tried again.
TEST_CASE("a chat listing that fails after a reconnect is tried again on the same connection") {
  devserver::FaultUpdate fail;
  fail.fail_get_chats = 2;
  check_retried_on_same_connection(fail, [](const devserver::FaultConfig& c) {
    return c.fail_get_chats;
  });
}

// A history page that fails is asked for again: the chat does not count as synced on history it
// never read (its unconfirmed actions would be judged against it).
TEST_CASE("a history page that fails after a reconnect is asked for again on the same connection") {
  devserver::FaultUpdate fail;
  fail.fail_get_messages = 3;
  check_retried_on_same_connection(fail, [](const devserver::FaultConfig& c) {
    return c.fail_get_messages;
  });
}
