// Issue 6, poison actions under both reject modes of the dev server (PROTOCOL.md section 5):
// actions the server cannot carry out — a reaction and a reply to a message deleted meanwhile, a
// message in a chat the user was removed from — end `failed` with a reason, never loop, never
// hold back what the user did next (invariants 5 and 9).
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

struct Outcome {
  std::string status, error;
};

Outcome outcome_of(test::TestEngine& e, const std::string& chat, const std::string& local_id) {
  // A chat the user left is no longer in the snapshot; its messages are looked up by chat id.
  auto json = e->snapshot_json(chat);
  if (!json.ok()) return {};
  rapidjson::Document doc;
  doc.Parse(json->c_str());
  const auto* c = test::find_chat(doc, chat);
  if (!c) return {"(chat not in the snapshot)", ""};
  for (const auto& m : (*c)["messages"].GetArray()) {
    if (m["localId"].IsString() && local_id == m["localId"].GetString()) {
      return {m["status"].GetString(), m.HasMember("error") ? m["error"].GetString() : ""};
    }
  }
  return {"(absent)", ""};
}

}  // namespace

static void poison_actions_fail_and_later_ones_go_on(devserver::RejectMode mode) {
  {
    {
      auto server = test::start_server([mode](devserver::DevServerOptions& o) {
        o.faults.reject_mode = mode;
      });
      test::TempDir dir;
      auto alice = test::TestEngine::start(*server, "alice", dir.file("alice.db"));
      auto bob = test::TestEngine::start(*server, "bob", dir.file("bob.db"));
      REQUIRE(alice->engine().wait_idle(seconds(15)));
      REQUIRE(bob->engine().wait_idle(seconds(15)));
      const std::string chat = server->seeded_chat_id();
      auto side = bob->engine().create_chat("Side chat", {"bob", "alice"});
      REQUIRE(side.ok());
      rapidjson::Document side_doc;
      side_doc.Parse(side->c_str());
      const std::string side_chat = side_doc["chatId"].GetString();
      REQUIRE(bob->engine().send_message(chat, "soon deleted").ok());
      REQUIRE(alice->wait([&] {
        return !id_of(*alice, chat, "soon deleted").empty() &&
               test::find_chat(alice->snapshot(), side_chat) != nullptr;
      }));
      REQUIRE(alice->engine().wait_idle(seconds(15)));
      const std::string doomed = id_of(*alice, chat, "soon deleted");

      // Alice acts offline on things that change under her.
      alice->engine().go_offline();
      REQUIRE(alice->wait([&] { return server->connection_count("alice") == 0; }));
      REQUIRE(bob->engine().delete_message(chat, ItemRef::server(doomed)).ok());
      auto alice_id = rest_user(*server, "alice").user_id();
      REQUIRE(bob->engine().remove_user(side_chat, alice_id).ok());
      REQUIRE(bob->engine().wait_idle(seconds(15)));

      REQUIRE(alice->engine().react(chat, ItemRef::server(doomed), "on-a-deleted-message").ok());
      auto reply = alice->engine().reply(chat, ItemRef::server(doomed), "reply to a deleted message");
      REQUIRE(reply.ok());
      auto removed = alice->engine().send_message(side_chat, "into a chat I was removed from");
      REQUIRE(removed.ok());
      auto later = alice->engine().send_message(chat, "after the poison");
      REQUIRE(later.ok());

      alice->engine().go_online();
      bool delivered = alice->wait(
          [&] { return outcome_of(*alice, chat, *later).status == "delivered"; }, seconds(45));
      auto after = outcome_of(*alice, chat, *later);
      INFO("the action after the poison: " << after.status << " (" << after.error << ")");
      REQUIRE(delivered);
      // Nothing stays queued: every poison action reached a final state.
      REQUIRE(alice->engine().wait_idle(seconds(45)));
      auto replied = outcome_of(*alice, chat, *reply);
      INFO("reply: " << replied.status << " (" << replied.error << ")");
      CHECK(replied.status == "failed");
      CHECK_FALSE(replied.error.empty());
      auto in_side = outcome_of(*alice, side_chat, *removed);
      INFO("message in the chat alice left: " << in_side.status << " (" << in_side.error << ")");
      // The chat left alice's snapshot with her membership; if it is still shown, the message in
      // it must have failed with a reason.
      if (in_side.status != "(chat not in the snapshot)") {
        CHECK(in_side.status == "failed");
        CHECK_FALSE(in_side.error.empty());
      }
      CHECK(test::find_chat(alice->snapshot(), side_chat) == nullptr);
      auto counts = server_counts(rest_user(*server, "bob"));
      CHECK(counts.emojis.count("on-a-deleted-message") == 0);
      CHECK(counts.texts.count("reply to a deleted message") == 0);
      CHECK(counts.texts["after the poison"] == 1);
      // Bob's view of the side chat: alice's message never arrived.
      CHECK(counts.texts.count("into a chat I was removed from") == 0);
      // And the engine keeps working afterwards.
      REQUIRE(alice->engine().send_message(chat, "still going").ok());
      REQUIRE(alice->wait([&] { return alice->status_of_text(chat, "still going") == "delivered"; }));
    }
  }
}

TEST_CASE("poison actions fail with a reason under the silent reject mode and later actions go on") {
  poison_actions_fail_and_later_ones_go_on(devserver::RejectMode::silent);
}

// Under the error reject mode every poison action costs the connection (ERROR + close), and the
// frames written after it on that socket are lost with it. The ERROR names the poison, so those
// losses are not charged to the innocent actions: an action queued behind two poison actions
// (here in two chats) must still be delivered (invariant 5: a failed action never fails others).
TEST_CASE("poison actions fail with a reason under the error reject mode and later actions go on") {
  poison_actions_fail_and_later_ones_go_on(devserver::RejectMode::error);
}
