// Issue 6, JSON-RPC bad input over a real `whisp rpc` process. tests/cli covers the five basic
// cases (rpc_e2e_test.py) and the session logic with a fake engine (rpc_session_test.cpp); this
// adds what only the real pipe and engine show: bad params of every method, ids the engine does
// not know, huge and non-UTF-8 lines, notifications that are wrong — each answered with its code
// (or, for a notification, not at all) while the session goes on and still delivers.
#include <catch2/catch.hpp>

#include "sync_fixture.hpp"

using namespace whisp;
using namespace whisp::synctest;
using std::chrono::seconds;

namespace {

void expect_code(RpcProcess& rpc, const std::string& method, const std::string& params, int code) {
  auto r = rpc.call(method, params, seconds(15));
  INFO(method << " " << params << " -> " << r.raw << r.message);
  REQUIRE_FALSE(r.timed_out);
  CHECK_FALSE(r.ok);
  CHECK(r.code == code);
  CHECK_FALSE(r.message.empty());
}

}  // namespace

TEST_CASE("bad JSON-RPC input to a real whisp rpc gets its error code and the session goes on") {
  auto server = test::start_server();
  test::TempDir dir;
  RpcProcess alice(rpc_options(*server, "alice", dir));
  REQUIRE(alice.must("waitIdle", R"({"timeoutMs":30000})", seconds(35))["idle"].GetBool());
  const std::string chat = js(server->seeded_chat_id());
  const std::string unknown = js("00000000-0000-4000-8000-000000000000");

  SECTION("bad params of every method are -32602") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"sendMessage", "{}"},
        {"sendMessage", R"({"chatId":)" + chat + R"(,"text":7})"},
        {"sendMessage", R"({"chatId":)" + chat + R"(,"text":"x","extra":1})"},
        {"reply", R"({"chatId":)" + chat + R"(,"text":"no parent"})"},
        {"reply", R"({"chatId":)" + chat + R"(,"messageId":"a","localId":"b","text":"both"})"},
        {"editMessage", R"({"chatId":)" + chat + R"(,"messageId":)" + unknown + "}"},
        {"deleteMessage", R"({"chatId":[]})"},
        {"react", R"({"chatId":)" + chat + R"(,"messageId":)" + unknown + "}"},
        {"unreact", R"({"chatId":)" + chat + "}"},
        {"markRead", R"({"chatId":)" + chat + R"(,"messageId":null})"},
        {"typing", R"({"chatId":false})"},
        {"createChat", R"({"chatName":"x","userNames":"alice"})"},
        {"addUser", R"({"chatId":)" + chat + "}"},
        {"removeUser", R"({"chatId":)" + chat + R"(,"removeUser":1})"},
        {"renameChat", R"({"newChatName":"x"})"},
        {"deleteChat", "{}"},
        {"snapshot", R"({"chatId":1})"},
        {"loadOlder", R"({"chatId":)" + chat + R"(,"count":0})"},
        {"loadOlder", R"({"chatId":)" + chat + R"(,"count":"ten"})"},
        {"goOffline", R"({"now":true})"},
        {"waitIdle", R"({"timeoutMs":-1})"},
        {"waitIdle", "[1000]"},
    };
    for (const auto& [method, params] : cases) expect_code(alice, method, params, -32602);
  }

  SECTION("malformed lines over the pipe") {
    alice.send_line(std::string(1 << 20, '{'));  // one megabyte that is not JSON
    auto r = alice.wait_response(std::nullopt, seconds(15));
    CHECK(r.code == -32700);
    alice.send_line("\xff\xfe{\"jsonrpc\":\"2.0\"}");  // not UTF-8
    r = alice.wait_response(std::nullopt, seconds(15));
    CHECK((r.code == -32700 || r.code == -32600));
    alice.send_line("");  // blank lines are skipped without an answer
    alice.send_line(R"({"jsonrpc":"2.0","method":"noSuchMethod"})");  // a notification: no answer
    alice.send_line(R"({"jsonrpc":"1.0","id":"s","method":"snapshot"})");
    r = alice.wait_response(std::nullopt, seconds(15));  // string ids are filed with null ones
    CHECK(r.code == -32600);
    CHECK(r.raw.find("\"id\":\"s\"") != std::string::npos);  // the id is kept
    expect_code(alice, "noSuchMethod", "{}", -32601);
  }

  // Whatever came before, the session still works end to end.
  auto sent = alice.must("sendMessage", R"({"chatId":)" + chat + R"(,"text":"still fine"})");
  REQUIRE(sent["localId"].IsString());
  REQUIRE(alice.must("waitIdle", R"({"timeoutMs":20000})", seconds(25))["idle"].GetBool());
  auto doc = alice.must("snapshot", R"({"chatId":)" + chat + "}");
  auto found = messages_with_text(doc, server->seeded_chat_id(), "still fine");
  REQUIRE(found.size() == 1);
  CHECK(std::string((*found[0])["status"].GetString()) == "delivered");
}

// engine.hpp promises invalid_argument for an unknown chat or message: such an action is refused
// before it is logged, never queued to fail after 3 sends of the server's silence.
TEST_CASE("ids the engine does not know are refused by a real whisp rpc, not queued") {
  auto server = test::start_server();
  test::TempDir dir;
  RpcProcess alice(rpc_options(*server, "alice", dir));
  REQUIRE(alice.must("waitIdle", R"({"timeoutMs":30000})", seconds(35))["idle"].GetBool());
  const std::string chat = js(server->seeded_chat_id());
  const std::string unknown = js("00000000-0000-4000-8000-000000000000");
  expect_code(alice, "editMessage",
              R"({"chatId":)" + chat + R"(,"messageId":)" + unknown + R"(,"text":"x"})", -32602);
  expect_code(alice, "sendMessage", R"({"chatId":)" + unknown + R"(,"text":"nowhere"})", -32602);
  expect_code(alice, "react",
              R"({"chatId":)" + chat + R"(,"localId":"no-such-local","emoji":"x"})", -32602);
}
