#include "fixture.hpp"

#include <catch2/catch.hpp>

#include <thread>

namespace whisp::devserver::testing {

DevServerOptions test_options() {
  DevServerOptions o;
  o.pbkdf2_iterations = 1000;
  return o;
}

Fixture::Fixture(DevServerOptions o) {
  auto s = DevServer::start(std::move(o));
  if (!s) FAIL("server start: " << s.error().describe());
  server_ = std::move(*s);
}

TestUser Fixture::user(const std::string& name) {
  TestUser u;
  u.username = name;
  u.password = name + "-secret";
  const auto reg = http(port(), "POST", "/api/user/registerUser",
                        R"({"username":")" + name + R"(","email":")" + name +
                            R"(@example.com","password":")" + u.password + R"("})",
                        api_key());
  REQUIRE(reg.status == 200);
  const auto in = http(port(), "POST", "/api/user/signin",
                       R"({"username":")" + name + R"(","password":")" + u.password + R"("})",
                       api_key());
  REQUIRE(in.status == 200);
  REQUIRE(in.authorization.rfind("Bearer ", 0) == 0);
  u.jwt = in.authorization.substr(7);
  auto doc = parse_object(in.body);
  u.id = doc["id"].GetString();
  u.refresh_token = doc["refreshToken"].GetString();
  return u;
}

std::string Fixture::chat(const TestUser& creator, const std::vector<std::string>& others,
                          const std::string& name) {
  std::string names = "\"" + creator.username + "\"";
  for (const auto& o : others) names += ",\"" + o + "\"";
  const auto r = post(creator, "/api/chat/createChat",
                      R"({"chatName":")" + name + R"(","userNames":[)" + names + "]}");
  REQUIRE(r.status == 200);
  return parse_object(r.body)["chatId"].GetString();
}

std::string Fixture::ticket(const TestUser& u) {
  const auto r = get(u, "/api/auth/getTicket");
  REQUIRE(r.status == 200);
  return parse_object(r.body)["ticket"].GetString();
}

std::unique_ptr<WsClient> Fixture::connect(const TestUser& u, const std::string& heart_beat) {
  auto ws = WsClient::open(port(), "/api/wsConnect?ticket=" + ticket(u),
                           "v12.stomp, v11.stomp, v10.stomp");
  if (!ws) FAIL(ws.error().describe());
  stomp::Frame c;
  c.command = "CONNECT";
  c.add("accept-version", "1.2,1.1,1.0");
  c.add("heart-beat", heart_beat);
  c.add("Authorization", "Bearer " + u.jwt);
  REQUIRE((*ws)->send_frame(c).ok());
  auto connected = (*ws)->next_frame();
  if (!connected) FAIL(connected.error().describe());
  REQUIRE(connected->command == "CONNECTED");
  const auto before = server_->subscription_count(u.username);
  stomp::Frame s;
  s.command = "SUBSCRIBE";
  s.add("id", "sub-0");
  s.add("destination", "/user/" + u.id + "/queue/messages");
  REQUIRE((*ws)->send_frame(s).ok());
  // A SUBSCRIBE has no answer: wait (bounded) until the server has registered it.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (server_->subscription_count(u.username) <= before &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(server_->subscription_count(u.username) > before);
  return std::move(*ws);
}

HttpResult Fixture::get(const TestUser& u, const std::string& target) {
  return http(port(), "GET", target, {}, u.auth());
}
HttpResult Fixture::post(const TestUser& u, const std::string& target, const std::string& body) {
  return http(port(), "POST", target, body, u.auth());
}
HttpResult Fixture::del(const TestUser& u, const std::string& target) {
  return http(port(), "DELETE", target, {}, u.auth());
}

rapidjson::Document parse_object(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  INFO("JSON: " << json);
  REQUIRE_FALSE(d.HasParseError());
  REQUIRE(d.IsObject());
  return d;
}

std::set<std::string> keys_of(const rapidjson::Value& v) {
  std::set<std::string> out;
  for (const auto& m : v.GetObject()) out.insert(m.name.GetString());
  return out;
}

stomp::Frame send_frame(const std::string& body, const std::string& receipt) {
  stomp::Frame f;
  f.command = "SEND";
  f.add("destination", "/api/chat");
  f.add("content-type", "application/json");
  if (!receipt.empty()) f.add("receipt", receipt);
  f.body = body;
  return f;
}

}  // namespace whisp::devserver::testing
