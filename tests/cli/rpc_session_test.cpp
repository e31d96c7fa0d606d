#include "rpc_session.hpp"

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

using whisp::Error;
using whisp::ErrorCode;
using whisp::ItemRef;
using whisp::Ok;
using whisp::Result;
using whisp::Status;

/// Records every call as a line "method|arg|arg…" and answers from its fields.
class FakeBackend : public whisp::cli::RpcBackend {
 public:
  std::vector<std::string> calls;
  std::optional<Error> next_error;  // the next call fails with this
  std::string snapshot = R"({"userId":"u1","chats":[]})";
  std::string rest_body = R"({"chatId":"c9","chatName":"n"})";
  bool idle = true;
  int local_counter = 0;

  static std::string ref(const ItemRef& r) { return (r.local ? "local:" : "server:") + r.id; }

  template <class T>
  Result<T> answer(std::string call, T value) {
    calls.push_back(std::move(call));
    if (next_error) {
      Error e = *next_error;
      next_error.reset();
      return e;
    }
    return value;
  }
  std::string new_local() { return "L" + std::to_string(++local_counter); }

  Result<std::string> send_message(const std::string& c, const std::string& t) override {
    return answer("send|" + c + "|" + t, new_local());
  }
  Result<std::string> reply(const std::string& c, const ItemRef& p, const std::string& t) override {
    return answer("reply|" + c + "|" + ref(p) + "|" + t, new_local());
  }
  Status edit_message(const std::string& c, const ItemRef& m, const std::string& t) override {
    return answer("edit|" + c + "|" + ref(m) + "|" + t, Ok{});
  }
  Status delete_message(const std::string& c, const ItemRef& m) override {
    return answer("delete|" + c + "|" + ref(m), Ok{});
  }
  Result<std::string> react(const std::string& c, const ItemRef& m, const std::string& e) override {
    return answer("react|" + c + "|" + ref(m) + "|" + e, new_local());
  }
  Status unreact(const std::string& c, const ItemRef& r) override {
    return answer("unreact|" + c + "|" + ref(r), Ok{});
  }
  Status mark_read(const std::string& c, const std::string& m) override {
    return answer("read|" + c + "|" + m, Ok{});
  }
  Status typing(const std::string& c) override { return answer("typing|" + c, Ok{}); }
  Result<std::string> create_chat(const std::string& n, const std::vector<std::string>& u) override {
    std::string call = "create|" + n;
    for (const auto& x : u) call += "|" + x;
    return answer(call, rest_body);
  }
  Result<std::string> add_user(const std::string& c, const std::string& u) override {
    return answer("add|" + c + "|" + u, std::string());
  }
  Result<std::string> remove_user(const std::string& c, const std::string& u) override {
    return answer("remove|" + c + "|" + u, std::string());
  }
  Result<std::string> rename_chat(const std::string& c, const std::string& n) override {
    return answer("rename|" + c + "|" + n, std::string("not json"));
  }
  Result<std::string> delete_chat(const std::string& c) override {
    return answer("deletechat|" + c, std::string());
  }
  Result<std::string> snapshot_json(const std::optional<std::string>& c) override {
    return answer("snapshot|" + c.value_or("*"), snapshot);
  }
  Result<int> load_older(const std::string& c, int n) override {
    return answer("older|" + c + "|" + std::to_string(n), n / 2);
  }
  void go_offline() override { calls.push_back("offline"); }
  void go_online() override { calls.push_back("online"); }
  bool wait_idle(std::chrono::milliseconds t) override {
    calls.push_back("idle|" + std::to_string(t.count()));
    return idle;
  }
};

/// Parses a response line; fails the test when it is not a JSON-RPC 2.0 object.
rapidjson::Document parse(const std::optional<std::string>& line) {
  REQUIRE(line.has_value());
  rapidjson::Document d;
  d.Parse(line->c_str());
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  REQUIRE(std::string(d["jsonrpc"].GetString()) == "2.0");
  return d;
}

int error_code(const std::optional<std::string>& line) {
  auto d = parse(line);
  REQUIRE(d.HasMember("error"));
  REQUIRE_FALSE(d.HasMember("result"));
  return d["error"]["code"].GetInt();
}

}  // namespace

TEST_CASE("malformed and invalid requests get their error codes and the session goes on") {
  FakeBackend backend;
  whisp::cli::RpcSession session(backend);

  SECTION("a line that is not JSON is a parse error with a null id") {
    for (const char* line : {"{", "not json", "{\"jsonrpc\":\"2.0\",}", "{} {}", "\"unterminated"}) {
      auto d = parse(session.handle_line(line));
      CHECK(d["error"]["code"].GetInt() == -32700);
      CHECK(d["id"].IsNull());
    }
  }
  SECTION("a JSON value that is not an object is an invalid request") {
    for (const char* line : {"[]", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"typing\"}]", "42",
                             "\"sendMessage\"", "null", "true"}) {
      CHECK(error_code(session.handle_line(line)) == -32600);
    }
  }
  SECTION("a request without a string method is invalid and keeps its id") {
    auto d = parse(session.handle_line(R"({"jsonrpc":"2.0","id":7})"));
    CHECK(d["error"]["code"].GetInt() == -32600);
    CHECK(d["id"].GetInt() == 7);
    CHECK(error_code(session.handle_line(R"({"jsonrpc":"2.0","id":8,"method":5})")) == -32600);
  }
  SECTION("a wrong or missing jsonrpc version, an object id or a stray member is invalid") {
    CHECK(error_code(session.handle_line(R"({"id":1,"method":"goOnline"})")) == -32600);
    CHECK(error_code(session.handle_line(R"({"jsonrpc":"1.0","id":1,"method":"goOnline"})")) == -32600);
    CHECK(error_code(session.handle_line(R"({"jsonrpc":"2.0","id":{},"method":"goOnline"})")) == -32600);
    CHECK(error_code(session.handle_line(R"({"jsonrpc":"2.0","id":1,"method":"goOnline","x":1})")) == -32600);
  }
  SECTION("an unknown method is -32601 and names the method") {
    auto d = parse(session.handle_line(R"({"jsonrpc":"2.0","id":"a","method":"sendMesage"})"));
    CHECK(d["error"]["code"].GetInt() == -32601);
    CHECK(std::string(d["error"]["message"].GetString()).find("sendMesage") != std::string::npos);
    CHECK(std::string(d["id"].GetString()) == "a");
  }
  SECTION("bad params are -32602 naming the parameter, and the engine is not called") {
    const char* lines[] = {
        R"({"jsonrpc":"2.0","id":1,"method":"sendMessage","params":{"chatId":"c1"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"sendMessage","params":{"chatId":5,"text":"x"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"sendMessage","params":{"chatId":"","text":"x"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"sendMessage","params":["c1","x"]})",
        R"({"jsonrpc":"2.0","id":1,"method":"sendMessage","params":{"chatId":"c1","text":"x","txt":1}})",
        R"({"jsonrpc":"2.0","id":1,"method":"editMessage","params":{"chatId":"c1","text":"x"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"editMessage","params":{"chatId":"c1","messageId":"m","localId":"l","text":"x"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"unreact","params":{"chatId":"c1","messageId":"m"}})",
        R"({"jsonrpc":"2.0","id":1,"method":"loadOlder","params":{"chatId":"c1","count":0}})",
        R"({"jsonrpc":"2.0","id":1,"method":"loadOlder","params":{"chatId":"c1","count":1.5}})",
        R"({"jsonrpc":"2.0","id":1,"method":"waitIdle","params":{"timeoutMs":-1}})",
        R"({"jsonrpc":"2.0","id":1,"method":"waitIdle"})",
        R"({"jsonrpc":"2.0","id":1,"method":"createChat","params":{"chatName":"n","userNames":[]}})",
        R"({"jsonrpc":"2.0","id":1,"method":"createChat","params":{"chatName":"n","userNames":["a",1]}})",
        R"({"jsonrpc":"2.0","id":1,"method":"goOffline","params":{"now":true}})",
        R"({"jsonrpc":"2.0","id":1,"method":"snapshot","params":{"chatId":3}})",
    };
    for (const char* line : lines) {
      INFO(line);
      CHECK(error_code(session.handle_line(line)) == -32602);
    }
    CHECK(backend.calls.empty());
    auto d = parse(session.handle_line(
        R"({"jsonrpc":"2.0","id":2,"method":"sendMessage","params":{"chatId":"c1"}})"));
    CHECK(std::string(d["error"]["message"].GetString()).find("\"text\"") != std::string::npos);
  }

  // After every kind of bad input above, a good request still works.
  auto d = parse(session.handle_line(
      R"({"jsonrpc":"2.0","id":99,"method":"sendMessage","params":{"chatId":"c1","text":"hi"}})"));
  CHECK(d["id"].GetInt() == 99);
  REQUIRE(d.HasMember("result"));
  CHECK(std::string(d["result"]["localId"].GetString()) == "L1");
  CHECK(backend.calls.back() == "send|c1|hi");
}

TEST_CASE("each method of the contract reaches the engine with its params") {
  FakeBackend backend;
  whisp::cli::RpcSession session(backend);
  auto call = [&](const std::string& method, const std::string& params) {
    return parse(session.handle_line(R"({"jsonrpc":"2.0","id":1,"method":")" + method +
                                     R"(","params":)" + params + "}"));
  };

  CHECK(std::string(call("reply", R"({"chatId":"c","localId":"L0","text":"re"})")["result"]["localId"].GetString()) == "L1");
  CHECK(backend.calls.back() == "reply|c|local:L0|re");
  call("editMessage", R"({"chatId":"c","messageId":"m1","text":"new"})");
  CHECK(backend.calls.back() == "edit|c|server:m1|new");
  call("deleteMessage", R"({"chatId":"c","localId":"L1"})");
  CHECK(backend.calls.back() == "delete|c|local:L1");
  CHECK(call("react", R"({"chatId":"c","messageId":"m1","emoji":"👍"})")["result"].HasMember("localId"));
  CHECK(backend.calls.back() == "react|c|server:m1|👍");
  call("unreact", R"({"chatId":"c","reactionId":"r1"})");
  CHECK(backend.calls.back() == "unreact|c|server:r1");
  call("markRead", R"({"chatId":"c","messageId":"m1"})");
  CHECK(backend.calls.back() == "read|c|m1");
  call("typing", R"({"chatId":"c"})");
  CHECK(backend.calls.back() == "typing|c");

  auto created = call("createChat", R"({"chatName":"team","userNames":["ann","bob"]})");
  CHECK(backend.calls.back() == "create|team|ann|bob");
  CHECK(std::string(created["result"]["chatId"].GetString()) == "c9");
  CHECK(call("addUser", R"({"chatId":"c","newUsername":"cy"})")["result"].ObjectEmpty());
  CHECK(backend.calls.back() == "add|c|cy");
  call("removeUser", R"({"chatId":"c","removeUser":"u3"})");
  CHECK(backend.calls.back() == "remove|c|u3");
  CHECK(std::string(call("renameChat", R"({"chatId":"c","newChatName":"x"})")["result"].GetString()) == "not json");
  call("deleteChat", R"({"chatId":"c"})");
  CHECK(backend.calls.back() == "deletechat|c");

  backend.snapshot = R"({"userId":"u1","chats":[{"chatId":"c"}]})";
  CHECK(std::string(call("snapshot", "{}")["result"]["userId"].GetString()) == "u1");
  CHECK(backend.calls.back() == "snapshot|*");
  CHECK(call("snapshot", R"({"chatId":"c"})")["result"]["chats"].Size() == 1);
  CHECK(backend.calls.back() == "snapshot|c");
  CHECK(call("loadOlder", R"({"chatId":"c","count":40})")["result"]["loaded"].GetInt() == 20);
  call("goOffline", "{}");
  CHECK(backend.calls.back() == "offline");
  call("goOnline", "{}");
  CHECK(backend.calls.back() == "online");
  backend.idle = false;
  CHECK_FALSE(call("waitIdle", R"({"timeoutMs":250})")["result"]["idle"].GetBool());
  CHECK(backend.calls.back() == "idle|250");
}

TEST_CASE("engine failures become error objects that carry the engine's code") {
  FakeBackend backend;
  whisp::cli::RpcSession session(backend);
  const std::string edit =
      R"({"jsonrpc":"2.0","id":3,"method":"editMessage","params":{"chatId":"c","messageId":"m","text":"t"}})";

  backend.next_error = Error{ErrorCode::rejected, "editing someone else's message"};
  auto d = parse(session.handle_line(edit));
  CHECK(d["error"]["code"].GetInt() == -32000);
  CHECK(std::string(d["error"]["data"]["code"].GetString()) == "rejected");
  CHECK(std::string(d["error"]["message"].GetString()) == "editing someone else's message");

  backend.next_error = Error{ErrorCode::invalid_argument, "unknown chat c"};
  d = parse(session.handle_line(edit));
  CHECK(d["error"]["code"].GetInt() == -32602);
  CHECK(std::string(d["error"]["data"]["code"].GetString()) == "invalid_argument");

  CHECK(parse(session.handle_line(edit)).HasMember("result"));
}

TEST_CASE("requests without an id are carried out without an answer") {
  FakeBackend backend;
  whisp::cli::RpcSession session(backend);
  CHECK_FALSE(session.handle_line(R"({"jsonrpc":"2.0","method":"typing","params":{"chatId":"c"}})"));
  CHECK(backend.calls.back() == "typing|c");
  CHECK_FALSE(session.handle_line(R"({"jsonrpc":"2.0","method":"nope"})"));
  CHECK_FALSE(session.handle_line("   "));
  CHECK_FALSE(session.handle_line(""));
  // A string id and a null id are echoed as they are.
  CHECK(parse(session.handle_line(R"({"jsonrpc":"2.0","id":null,"method":"goOnline"})"))["id"].IsNull());
  CHECK(std::string(parse(session.handle_line(R"({"jsonrpc":"2.0","id":"x-1","method":"goOnline"})"))["id"].GetString()) == "x-1");
}

TEST_CASE("notifications follow the contract's shapes") {
  using namespace whisp::cli::rpc_notify;
  CHECK(changed(std::string("c1"), 42) ==
        R"({"jsonrpc":"2.0","method":"changed","params":{"chatId":"c1","version":42}})");
  whisp::Change change;
  change.seq = 7;
  change.chat_ids = {"a", "b"};
  auto lines = changed_lines(change);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == R"({"jsonrpc":"2.0","method":"changed","params":{"chatId":"b","version":7}})");
  change.chat_ids.clear();
  CHECK(changed_lines(change).at(0) ==
        R"({"jsonrpc":"2.0","method":"changed","params":{"chatId":null,"version":7}})");

  whisp::ConnectionEvent ev{whisp::ConnectionState::reconnecting, 3, ""};
  CHECK(connection(ev).value() ==
        R"({"jsonrpc":"2.0","method":"connection","params":{"state":"reconnecting","attempt":3}})");
  ev.state = whisp::ConnectionState::connected;
  CHECK(connection(ev).value() ==
        R"({"jsonrpc":"2.0","method":"connection","params":{"state":"connected"}})");
  ev.state = whisp::ConnectionState::connecting;
  CHECK_FALSE(connection(ev).has_value());

  CHECK(error(Error{ErrorCode::malformed_json, "event: \"x\""}) ==
        R"({"jsonrpc":"2.0","method":"error","params":{"code":"malformed_json","message":"event: \"x\""}})");
}
