// Issue 6, kill -9: a `whisp rpc` process holding own actions that are not yet confirmed is
// killed with SIGKILL and started again on the same database. Each action is delivered exactly
// once (invariants 2 and 5): pending ones are sent after the restart, sent ones the server stored
// are found in history instead of being sent again.
#include <catch2/catch.hpp>

#include "sync_fixture.hpp"

using namespace whisp;
using namespace whisp::synctest;
using std::chrono::seconds;

namespace {

rapidjson::Document snapshot_of(RpcProcess& rpc, const std::string& chat) {
  return rpc.must("snapshot", R"({"chatId":)" + js(chat) + "}");
}

std::string status_of(RpcProcess& rpc, const std::string& chat, const std::string& text) {
  auto doc = snapshot_of(rpc, chat);
  auto found = messages_with_text(doc, chat, text);
  return found.size() == 1 ? (*found[0])["status"].GetString() : "";
}

void require_idle(RpcProcess& rpc, int timeout_ms = 30000) {
  auto idle = rpc.must("waitIdle", "{\"timeoutMs\":" + std::to_string(timeout_ms) + "}",
                       std::chrono::milliseconds(timeout_ms + 5000));
  INFO(rpc.options().user << " stderr:\n" << rpc.stderr_text());
  REQUIRE(idle["idle"].GetBool());
}

// After the restart: every text once on the server and once, delivered, in the engine; every
// emoji once on both; the engine converged.
void require_exactly_once(RpcProcess& rpc, const devserver::DevServer& server,
                          const std::string& chat, const std::vector<std::string>& texts,
                          const std::vector<std::string>& emojis) {
  auto rest = rest_user(server, "alice");
  auto counts = server_counts(rest);
  auto doc = snapshot_of(rpc, chat);
  for (const auto& text : texts) {
    INFO("message " << text);
    CHECK(counts.texts[text] == 1);
    auto found = messages_with_text(doc, chat, text);
    REQUIRE(found.size() == 1);
    CHECK(std::string((*found[0])["status"].GetString()) == "delivered");
  }
  for (const auto& emoji : emojis) {
    INFO("reaction " << emoji);
    CHECK(counts.emojis[emoji] == 1);
    int confirmed = 0;
    CHECK(reactions_with_emoji(doc, emoji, &confirmed) == 1);
    CHECK(confirmed == 1);
  }
  auto diff = converge({probe_of("alice (restarted)", rpc, rest)}, seconds(15));
  INFO(diff);
  CHECK(diff.empty());
}

}  // namespace

TEST_CASE("a whisp rpc killed with pending sends delivers each exactly once after a restart") {
  auto server = test::start_server();
  test::TempDir dir;
  const std::string chat = server->seeded_chat_id();
  std::vector<std::string> texts, emojis;
  {
    RpcProcess alice(rpc_options(*server, "alice", dir));
    require_idle(alice);
    alice.must("goOffline");
    REQUIRE(alice.wait_notification([](const rapidjson::Document& n) {
      return std::string(n["method"].GetString()) == "connection" &&
             std::string(n["params"]["state"].GetString()) == "disconnected";
    }, seconds(10)));
    std::vector<std::string> locals;
    for (int i = 0; i < 5; ++i) {
      texts.push_back("pending before kill " + std::to_string(i));
      auto r = alice.must("sendMessage", R"({"chatId":)" + js(chat) + R"(,"text":)" + js(texts.back()) + "}");
      locals.push_back(r["localId"].GetString());
    }
    texts.push_back("a reply waiting for its parent");
    alice.must("reply", R"({"chatId":)" + js(chat) + R"(,"localId":)" + js(locals[1]) +
                            R"(,"text":)" + js(texts.back()) + "}");
    emojis.push_back("reaction-waiting-for-its-message");
    alice.must("react", R"({"chatId":)" + js(chat) + R"(,"localId":)" + js(locals[0]) +
                            R"(,"emoji":)" + js(emojis.back()) + "}");
    for (const auto& text : texts) REQUIRE(status_of(alice, chat, text) == "pending");
    alice.kill9();
  }
  CHECK(server_counts(rest_user(*server, "alice")).texts.count(texts[0]) == 0);
  RpcProcess again(rpc_options(*server, "alice", dir));
  require_idle(again);
  require_exactly_once(again, *server, chat, texts, emojis);
}

TEST_CASE("a whisp rpc killed with sent but unconfirmed sends does not send them twice") {
  auto server = test::start_server();
  test::TempDir dir;
  const std::string chat = server->seeded_chat_id();
  std::vector<std::string> texts;
  int sent_at_kill = 0;
  {
    RpcProcess alice(rpc_options(*server, "alice", dir));
    require_idle(alice);
    // The server stores each action at once but holds every frame it sends back for up to 5 s:
    // the echoes are still on their way when the client dies.
    devserver::FaultUpdate slow;
    slow.delay_ms = 5000;
    slow.seed = test_seed();
    server->set_faults(slow);
    for (int i = 0; i < 5; ++i) {
      texts.push_back("sent before kill " + std::to_string(i));
      alice.must("sendMessage", R"({"chatId":)" + js(chat) + R"(,"text":)" + js(texts.back()) + "}");
    }
    // Wait until the server stored every one, then kill. `sent` is committed before the frame
    // is handed to the socket (and the server stores it on its own thread), so the server's
    // history is asked, not inferred from the status.
    auto rest = rest_user(*server, "alice");
    auto deadline = std::chrono::steady_clock::now() + seconds(20);
    while (true) {
      auto stored = server_counts(rest);
      bool all = true;
      for (const auto& t : texts) all = all && stored.texts[t] > 0;
      if (all) {
        // Stored means written, and `sent` was committed before the write: none is pending.
        int pending = 0;
        sent_at_kill = 0;
        for (const auto& t : texts) {
          auto s = status_of(alice, chat, t);
          pending += s == "pending";
          sent_at_kill += s == "sent";
        }
        CHECK(pending == 0);
        break;
      }
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      alice.wait_change(std::chrono::milliseconds(100));
    }
    alice.kill9();
  }
  INFO("unconfirmed at the kill: " << sent_at_kill);
  CHECK(sent_at_kill > 0);  // the case under test happened
  devserver::FaultUpdate off;
  off.delay_ms = 0;
  server->set_faults(off);
  // The server stored each of them once before the kill.
  auto counts = server_counts(rest_user(*server, "alice"));
  for (const auto& t : texts) CHECK(counts.texts[t] == 1);
  RpcProcess again(rpc_options(*server, "alice", dir));
  require_idle(again);
  require_exactly_once(again, *server, chat, texts, {});
}
