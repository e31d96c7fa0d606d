// The live engine against the dev server: each action of one user reaches the other, and the
// sender sees its own action confirmed by the echo.
#include "harness.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace whisp;
using namespace whisp::test;

namespace {

int rank(const std::string& status) {
  if (status == "pending") return 0;
  if (status == "sent") return 1;
  if (status == "delivered") return 2;
  return 3;
}

// The statuses a UI saw move forward only and end `delivered`.
void require_forward_to_delivered(const std::vector<std::string>& seen) {
  INFO("statuses seen: " << [&] { std::string s; for (auto& x : seen) s += x + " "; return s; }());
  REQUIRE_FALSE(seen.empty());
  for (std::size_t i = 1; i < seen.size(); ++i) REQUIRE(rank(seen[i - 1]) < rank(seen[i]));
  REQUIRE(seen.back() == "delivered");
}

std::string id_of_text(TestEngine& e, const std::string& chat, const std::string& text) {
  auto doc = e.snapshot(chat);
  const auto* c = find_chat(doc, chat);
  if (!c) return "";
  const auto* m = find_message(*c, text);
  return m && (*m)["messageId"].IsString() ? (*m)["messageId"].GetString() : "";
}

bool has_text(TestEngine& e, const std::string& chat, const std::string& text) {
  auto doc = e.snapshot(chat);
  const auto* c = find_chat(doc, chat);
  return c && find_message(*c, text) != nullptr;
}

int count_text(TestEngine& e, const std::string& chat, const std::string& text) {
  auto doc = e.snapshot(chat);
  const auto* c = find_chat(doc, chat);
  if (!c) return 0;
  int n = 0;
  for (const auto& m : (*c)["messages"].GetArray()) n += text == m["text"].GetString();
  return n;
}

}  // namespace

TEST_CASE("each action of alice reaches bob, and alice sees it confirmed by its echo") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  auto bob = TestEngine::start(*server, "bob", dir.file("bob.db"));
  REQUIRE(alice->engine().wait_idle(std::chrono::seconds(15)));
  REQUIRE(bob->engine().wait_idle(std::chrono::seconds(15)));
  const std::string chat = server->seeded_chat_id();
  REQUIRE(has_text(*bob, chat, "Hey alice, glad to be here"));

  SECTION("a message") {
    auto local = alice->engine().send_message(chat, "hello bob");
    REQUIRE(local.ok());
    REQUIRE(bob->wait([&] { return has_text(*bob, chat, "hello bob"); }));
    REQUIRE(alice->wait([&] { return alice->status_of_text(chat, "hello bob") == "delivered"; }));
    // The snapshot shows a commit before the change callback that reports it has run.
    alice->wait([&] {
      auto seen = alice->statuses_seen(*local);
      return !seen.empty() && seen.back() == "delivered";
    });
    require_forward_to_delivered(alice->statuses_seen(*local));
    CHECK(count_text(*alice, chat, "hello bob") == 1);
    CHECK(id_of_text(*alice, chat, "hello bob") == id_of_text(*bob, chat, "hello bob"));
  }

  SECTION("a reply, an edit, a reaction, its removal, a read mark and a deletion") {
    auto parent = id_of_text(*alice, chat, "Hey alice, glad to be here");
    REQUIRE_FALSE(parent.empty());
    auto reply = alice->engine().reply(chat, ItemRef::server(parent), "a reply");
    REQUIRE(reply.ok());
    REQUIRE(bob->wait([&] {
      auto doc = bob->snapshot(chat);
      const auto* m = find_message(*find_chat(doc, chat), "a reply");
      return m && (*m)["replyTo"].IsObject() && parent == (*m)["replyTo"]["messageId"].GetString();
    }));
    REQUIRE(alice->wait([&] { return alice->status_of_text(chat, "a reply") == "delivered"; }));

    auto reply_id = id_of_text(*alice, chat, "a reply");
    REQUIRE(alice->engine().edit_message(chat, ItemRef::server(reply_id), "an edited reply").ok());
    REQUIRE(bob->wait([&] {
      auto doc = bob->snapshot(chat);
      const auto* m = find_message(*find_chat(doc, chat), "an edited reply");
      return m && (*m)["edited"].GetBool();
    }));

    auto reaction = alice->engine().react(chat, ItemRef::server(parent), "🎉");
    REQUIRE(reaction.ok());
    std::string reaction_id;
    REQUIRE(alice->wait([&] {
      auto doc = alice->snapshot(chat);
      const auto* m = find_message(*find_chat(doc, chat), "Hey alice, glad to be here");
      for (const auto& r : (*m)["reactions"].GetArray()) {
        if (std::string("🎉") == r["emoji"].GetString() && r["reactionId"].IsString()) {
          reaction_id = r["reactionId"].GetString();
          return true;
        }
      }
      return false;
    }));
    auto bob_has_reaction = [&] {
      auto doc = bob->snapshot(chat);
      const auto* m = find_message(*find_chat(doc, chat), "Hey alice, glad to be here");
      for (const auto& r : (*m)["reactions"].GetArray()) {
        if (reaction_id == r["reactionId"].GetString()) return true;
      }
      return false;
    };
    REQUIRE(bob->wait(bob_has_reaction));
    REQUIRE(alice->engine().unreact(chat, ItemRef::server(reaction_id)).ok());
    REQUIRE(bob->wait([&] { return !bob_has_reaction(); }));

    REQUIRE(alice->engine().mark_read(chat, reply_id).ok());
    REQUIRE(bob->wait([&] {
      auto doc = bob->snapshot(chat);
      for (const auto& m : (*find_chat(doc, chat))["members"].GetArray()) {
        if (alice->engine().user_id() == m["userId"].GetString()) {
          return m["lastReadMessageId"].IsString() && reply_id == m["lastReadMessageId"].GetString();
        }
      }
      return false;
    }));

    REQUIRE(alice->engine().delete_message(chat, ItemRef::server(reply_id)).ok());
    REQUIRE(bob->wait([&] { return !has_text(*bob, chat, "an edited reply"); }));
    REQUIRE(alice->engine().wait_idle(std::chrono::seconds(15)));
    CHECK_FALSE(has_text(*alice, chat, "an edited reply"));
  }

  SECTION("editing someone else's message is refused before anything is sent") {
    auto parent = id_of_text(*alice, chat, "Hey alice, glad to be here");
    auto refused = alice->engine().edit_message(chat, ItemRef::server(parent), "not mine");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::rejected);
  }

  SECTION("typing shows at the other side and ends by itself") {
    auto typing_at_bob = [&] {
      auto doc = bob->snapshot(chat);
      const auto* c = find_chat(doc, chat);
      if (!c || !c->HasMember("typing")) return false;
      for (const auto& u : (*c)["typing"].GetArray()) {
        if (alice->engine().user_id() == u.GetString()) return true;
      }
      return false;
    };
    REQUIRE(alice->engine().typing(chat).ok());
    REQUIRE(bob->wait(typing_at_bob));
    REQUIRE(bob->wait([&] { return !typing_at_bob(); }, std::chrono::seconds(10)));
  }
}

TEST_CASE("a second device's echoes are new messages there and confirm nothing of the first") {
  auto server = start_server();
  TempDir dir;
  auto one = TestEngine::start(*server, "alice", dir.file("alice-1.db"));
  auto two = TestEngine::start(*server, "alice", dir.file("alice-2.db"));
  REQUIRE(one->engine().wait_idle(std::chrono::seconds(15)));
  REQUIRE(two->engine().wait_idle(std::chrono::seconds(15)));
  const std::string chat = server->seeded_chat_id();

  SECTION("a message from the other device is delivered, with no local id") {
    REQUIRE(two->engine().send_message(chat, "from device two").ok());
    REQUIRE(one->wait([&] { return has_text(*one, chat, "from device two"); }));
    auto doc = one->snapshot(chat);
    const auto* m = find_message(*find_chat(doc, chat), "from device two");
    CHECK((*m)["localId"].IsNull());
    CHECK(std::string((*m)["status"].GetString()) == "delivered");
  }

  SECTION("an offline pending message is not confirmed by the other device's same text") {
    one->engine().go_offline();
    REQUIRE(one->wait([&] { return one->engine().connection_state() != ConnectionState::connected; }));
    auto local = one->engine().send_message(chat, "same words");
    REQUIRE(local.ok());
    REQUIRE(two->engine().send_message(chat, "same words").ok());
    REQUIRE(two->wait([&] { return two->status_of_text(chat, "same words") == "delivered"; }));
    CHECK(one->status_of_text(chat, "same words") == "pending");
    one->engine().go_online();
    REQUIRE(one->engine().wait_idle(std::chrono::seconds(15)));
    CHECK(count_text(*one, chat, "same words") == 2);
    REQUIRE(two->wait([&] { return count_text(*two, chat, "same words") == 2; }));
  }

  SECTION("two identical texts sent back to back both confirm") {
    auto a = one->engine().send_message(chat, "twice");
    auto b = one->engine().send_message(chat, "twice");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(one->engine().wait_idle(std::chrono::seconds(15)));
    auto doc = one->snapshot(chat);
    int delivered = 0;
    std::set<std::string> ids;
    for (const auto& m : (*find_chat(doc, chat))["messages"].GetArray()) {
      if (std::string("twice") != m["text"].GetString()) continue;
      delivered += std::string("delivered") == m["status"].GetString();
      ids.insert(m["messageId"].GetString());
    }
    CHECK(delivered == 2);
    CHECK(ids.size() == 2);
    REQUIRE(two->wait([&] { return count_text(*two, chat, "twice") == 2; }));
  }
}
