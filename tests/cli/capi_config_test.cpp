#include "capi/config_json.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "capi/event_json.hpp"

using whisp::capi::parse_config;

TEST_CASE("a sign-in config reads every documented key") {
  auto c = parse_config(R"({"serverUrl":"http://127.0.0.1:1","databasePath":"/tmp/x.db",
      "auth":{"username":"ann","password":"pw","apiKey":"k"},
      "tls":{"verifyPeer":false,"caFile":"/ca.pem"},
      "backoffInitialMs":50,"backoffMaxMs":500,"heartBeatMs":2000,"requestTimeoutMs":3000,
      "echoTimeoutMs":4000,"initialHistoryDepth":10,"syncConcurrency":2,"maxSends":5,
      "startOnline":false})");
  REQUIRE(c.ok());
  CHECK(c->server_url == "http://127.0.0.1:1");
  CHECK(c->database_path == "/tmp/x.db");
  const auto& s = std::get<whisp::SignIn>(c->auth);
  CHECK(s.username == "ann");
  CHECK(s.password == "pw");
  CHECK(s.api_key == "k");
  CHECK_FALSE(c->tls.verify_peer);
  CHECK(c->tls.ca_file == "/ca.pem");
  CHECK(c->backoff_initial.count() == 50);
  CHECK(c->backoff_max.count() == 500);
  CHECK(c->heart_beat.count() == 2000);
  CHECK(c->request_timeout.count() == 3000);
  CHECK(c->echo_timeout.count() == 4000);
  CHECK(c->initial_history_depth == 10);
  CHECK(c->sync_concurrency == 2);
  CHECK(c->max_sends == 5);
  CHECK_FALSE(c->start_online);
}

TEST_CASE("a token config resumes a session and keeps the defaults") {
  auto c = parse_config(R"({"serverUrl":"http://h","databasePath":":memory:",
      "auth":{"userId":"u1","jwt":"j","refreshToken":"r"}})");
  REQUIRE(c.ok());
  const auto& t = std::get<whisp::Tokens>(c->auth);
  CHECK(t.user_id == "u1");
  CHECK(t.jwt == "j");
  CHECK(t.refresh_token == "r");
  whisp::Config defaults;
  CHECK(c->backoff_initial == defaults.backoff_initial);
  CHECK(c->start_online);
}

TEST_CASE("bad configs are refused naming the key") {
  struct Case { const char* json; const char* names; };
  const Case cases[] = {
      {"not json", "not JSON"},
      {"[]", "JSON object"},
      {R"({"databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r"}})", "serverUrl"},
      {R"({"serverUrl":"s","auth":{"userId":"u","jwt":"j","refreshToken":"r"}})", "databasePath"},
      {R"({"serverUrl":"s","databasePath":"d"})", "auth"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"username":"a","password":"p"}})", "auth.apiKey"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"userId":"u","jwt":"j"}})", "auth.refreshToken"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r","x":1}})", "auth.x"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r"},"backoffInitalMs":5})", "backoffInitalMs"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r"},"maxSends":0})", "maxSends"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r"},"startOnline":1})", "startOnline"},
      {R"({"serverUrl":"s","databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r"},"tls":{"verify":true}})", "tls.verify"},
      {R"({"serverUrl":"","databasePath":"d","auth":{"userId":"u","jwt":"j","refreshToken":"r"}})", "serverUrl"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto r = parse_config(c.json);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == whisp::ErrorCode::invalid_argument);
    CHECK(r.error().message.find(c.names) != std::string::npos);
  }
}

TEST_CASE("callback payloads are the JSON the header documents") {
  whisp::Change change;
  change.seq = 12;
  change.chat_ids = {"c1"};
  change.chat_list_changed = true;
  CHECK(whisp::capi::change_json(change) == R"({"version":12,"chatIds":["c1"],"chatListChanged":true})");
  whisp::ConnectionEvent ev{whisp::ConnectionState::reconnecting, 2, "closed by peer"};
  CHECK(whisp::capi::connection_json(ev) ==
        R"({"state":"reconnecting","attempt":2,"reason":"closed by peer"})");
  CHECK(whisp::capi::error_json({whisp::ErrorCode::protocol_error, "bad \"frame\""}) ==
        R"({"code":"protocol_error","message":"bad \"frame\""})");
  CHECK(whisp::capi::tokens_json({"u", "j", "r"}) == R"({"userId":"u","jwt":"j","refreshToken":"r"})");
}
