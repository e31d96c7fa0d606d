// The live engine when the connection misbehaves: dropped sockets, expiring and revoked tokens,
// server ERRORs, oversized actions and a TLS peer with the wrong name.
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <set>

#include "net/http_client.hpp"
#include "net/io_thread.hpp"
#include "net/test_certs.hpp"
#include "net/test_server.hpp"
#include "protocol/jwt.hpp"

using namespace whisp;
using namespace whisp::test;
using std::chrono::seconds;

namespace {

int count_text(TestEngine& e, const std::string& chat, const std::string& text) {
  auto doc = e.snapshot(chat);
  const auto* c = find_chat(doc, chat);
  if (!c) return 0;
  int n = 0;
  for (const auto& m : (*c)["messages"].GetArray()) n += text == m["text"].GetString();
  return n;
}

std::string error_of_text(TestEngine& e, const std::string& chat, const std::string& prefix) {
  auto doc = e.snapshot(chat);
  for (const auto& m : (*find_chat(doc, chat))["messages"].GetArray()) {
    if (std::string(m["text"].GetString()).rfind(prefix, 0) == 0 && m.HasMember("error")) {
      return m["error"].GetString();
    }
  }
  return "";
}

bool expired(const std::string& jwt) {
  auto exp = jwt::expiry(jwt);
  auto now = std::chrono::duration_cast<seconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  return exp && *exp < now;
}

// Every `disconnected` is followed by `reconnecting` before the next `connected`.
void require_orderly(const std::vector<ConnectionEvent>& events) {
  bool down = false;
  for (const auto& e : events) {
    if (e.state == ConnectionState::disconnected) down = true;
    if (e.state == ConnectionState::connected) {
      REQUIRE_FALSE(down);  // a reconnecting must come between
    }
    if (e.state == ConnectionState::reconnecting) down = false;
  }
}

// Signs in over plain HTTP and calls logoutAll: every refresh token of the user dies.
void logout_all_elsewhere(const devserver::DevServer& server, const std::string& user) {
  net::IoThread io;
  net::HttpClient http(io);
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<net::HttpResponse>> got;
  auto call = [&](net::HttpRequest req) {
    {
      std::lock_guard<std::mutex> lock(m);
      got.reset();
    }
    http.request(std::move(req), seconds(10), [&](Result<net::HttpResponse> r) {
      std::lock_guard<std::mutex> lock(m);
      got.emplace(std::move(r));
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(m);
    REQUIRE(cv.wait_for(lock, seconds(10), [&] { return got.has_value(); }));
    REQUIRE(got->ok());
    return got->value();
  };
  net::HttpRequest signin;
  signin.method = "POST";
  signin.url = server.url() + "/api/user/signin";
  signin.headers = {{"x-api-key", server.api_key()}, {"Content-Type", "application/json"}};
  signin.body = R"({"username":")" + user + R"(","password":")" + user + R"(-password"})";
  auto signed_in = call(signin);
  REQUIRE(signed_in.status == 200);
  std::string jwt(*signed_in.header("Authorization"));
  if (jwt.rfind("Bearer ", 0) != 0) jwt = "Bearer " + jwt;
  net::HttpRequest out;
  out.method = "POST";
  out.url = server.url() + "/api/auth/logoutAll";
  out.headers = {{"Authorization", jwt}, {"Content-Type", "application/json"}};
  out.body = "{}";
  REQUIRE(call(out).status / 100 == 2);
}

}  // namespace

TEST_CASE("dropped connections are reconnected with backoff and nothing is sent twice") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  auto bob = TestEngine::start(*server, "bob", dir.file("bob.db"));
  REQUIRE(alice->engine().wait_idle(seconds(15)));
  REQUIRE(bob->engine().wait_idle(seconds(15)));
  const std::string chat = server->seeded_chat_id();

  devserver::FaultUpdate faults;
  faults.drop_every = 4;
  server->set_faults(faults);
  for (int i = 0; i < 12; ++i) {
    REQUIRE(alice->engine().send_message(chat, "around the drops " + std::to_string(i)).ok());
  }
  REQUIRE(alice->wait([&] {
    for (int i = 0; i < 12; ++i) {
      if (alice->status_of_text(chat, "around the drops " + std::to_string(i)) != "delivered") {
        return false;
      }
    }
    return true;
  }, seconds(60)));
  faults.drop_every = 0;
  server->set_faults(faults);
  REQUIRE(alice->engine().wait_idle(seconds(30)));
  REQUIRE(bob->engine().wait_idle(seconds(30)));
  // Bob's idle says nothing of alice's messages (his own outbox is empty from the start): the
  // last of them may still be on its way to him, or come with the backfill after a drop of his.
  CHECK(bob->wait([&] {
    for (int i = 0; i < 12; ++i) {
      if (count_text(*bob, chat, "around the drops " + std::to_string(i)) == 0) return false;
    }
    return true;
  }, seconds(30)));
  for (int i = 0; i < 12; ++i) {
    auto text = "around the drops " + std::to_string(i);
    CHECK(count_text(*alice, chat, text) == 1);
    CHECK(count_text(*bob, chat, text) == 1);
  }
  // The callback reports a drop after the state changed: wait for it rather than read once.
  auto drops = [&] {
    int n = 0;
    for (const auto& e : alice->connection_events()) n += e.state == ConnectionState::disconnected;
    return n;
  };
  CHECK(alice->wait([&] { return drops() >= 1; }));
  REQUIRE(alice->wait_reported(ConnectionState::connected));
  require_orderly(alice->connection_events());
}

TEST_CASE("an expired JWT is refreshed without the app noticing") {
  auto server = start_server([](devserver::DevServerOptions& o) { o.jwt_ttl_seconds = 2; });
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  REQUIRE(alice->engine().wait_idle(seconds(15)));
  auto first = alice->latest_jwt();
  REQUIRE_FALSE(first.empty());
  REQUIRE(alice->wait([&] { return expired(first); }, seconds(10)));
  server->kick("alice");  // the reconnect needs a ticket, which needs a fresh JWT
  REQUIRE(alice->wait([&] { return alice->tokens().back().jwt != first; }, seconds(15)));
  REQUIRE(alice->engine().wait_idle(seconds(15)));
  const std::string chat = server->seeded_chat_id();
  REQUIRE(alice->engine().send_message(chat, "after a refresh").ok());
  REQUIRE(alice->wait([&] { return alice->status_of_text(chat, "after a refresh") == "delivered"; }));
  // A REST call with an expired JWT: 401, one refresh, the retry succeeds.
  auto latest = alice->tokens().back().jwt;
  REQUIRE(alice->wait([&] { return expired(latest); }, seconds(10)));
  auto renamed = alice->engine().rename_chat(chat, "Renamed after expiry");
  REQUIRE(renamed.ok());
}

TEST_CASE("a session logged out elsewhere ends in auth_failed, with no reconnect storm") {
  auto server = start_server([](devserver::DevServerOptions& o) { o.jwt_ttl_seconds = 2; });
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  REQUIRE(alice->engine().wait_idle(seconds(15)));
  logout_all_elsewhere(*server, "alice");
  auto jwt = alice->latest_jwt();
  REQUIRE_FALSE(jwt.empty());
  REQUIRE(alice->wait([&] { return expired(jwt); }, seconds(10)));
  server->kick("alice");
  REQUIRE(alice->wait([&] {
    return alice->engine().connection_state() == ConnectionState::auth_failed;
  }, seconds(15)));
  // The state is auth_failed before the callback that reports it has run: count after it did.
  REQUIRE(alice->wait_reported(ConnectionState::auth_failed));
  auto count = alice->connection_event_count();
  // Nothing may follow auth_failed: give a reconnect (50 ms backoff here) ample time to show.
  CHECK_FALSE(alice->wait([&] { return alice->connection_event_count() != count; }, seconds(2)));
  CHECK(alice->connection_events().back().state == ConnectionState::auth_failed);
  // The kicked socket leaves the server's registry when its session ends on the server's thread.
  CHECK(alice->wait([&] { return server->connection_count("alice") == 0; }, seconds(10)));
}

TEST_CASE("a server ERROR is reported, the action fails, and the engine reconnects") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  REQUIRE(alice->engine().wait_idle(seconds(15)));
  auto bob = TestEngine::start(*server, "bob", dir.file("bob.db"));
  REQUIRE(bob->engine().wait_idle(seconds(15)));
  const std::string chat = server->seeded_chat_id();
  devserver::FaultUpdate faults;
  faults.reject_mode = devserver::RejectMode::error;
  server->set_faults(faults);
  // Bob deletes his message while alice is offline; her reaction to it, made offline, is one
  // the server cannot carry out (the engine refuses ids it does not know before they are sent).
  const std::string text = "Hey alice, glad to be here";
  auto doc = alice->snapshot(chat);
  const auto* in_chat = find_chat(doc, chat);
  REQUIRE(in_chat);
  const auto* doomed = find_message(*in_chat, text);
  REQUIRE(doomed);
  const std::string doomed_id = (*doomed)["messageId"].GetString();
  alice->engine().go_offline();
  REQUIRE(alice->wait([&] { return alice->engine().connection_state() == ConnectionState::disconnected; }));
  // The slice below starts after the voluntary drop (which goes straight back to connected on
  // go_online, with no reconnecting between): its callback must have run before counting.
  REQUIRE(alice->wait_reported(ConnectionState::disconnected));
  REQUIRE(bob->engine().delete_message(chat, ItemRef::server(doomed_id)).ok());
  REQUIRE(bob->engine().wait_idle(seconds(15)));
  REQUIRE(alice->engine().react(chat, ItemRef::server(doomed_id), "x").ok());
  const auto online_from = static_cast<std::ptrdiff_t>(alice->connection_event_count());
  alice->engine().go_online();
  REQUIRE(alice->wait([&] {
    for (const auto& e : alice->errors()) {
      if (e.message.find("server ERROR") != std::string::npos) return true;
    }
    return false;
  }));
  REQUIRE(alice->engine().wait_idle(seconds(20)));  // the failed action does not stay queued
  REQUIRE(alice->engine().send_message(chat, "after an ERROR").ok());
  REQUIRE(alice->wait([&] { return alice->status_of_text(chat, "after an ERROR") == "delivered"; }));
  auto events = alice->connection_events();  // the ERROR's close and the reconnect after it
  require_orderly({events.begin() + online_from, events.end()});
}

TEST_CASE("a message too large for the server fails locally and the connection survives") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  REQUIRE(alice->engine().wait_idle(seconds(15)));
  const std::string chat = server->seeded_chat_id();
  // wait_idle sees the state connected before the callback reports it: count after it did.
  REQUIRE(alice->wait_reported(ConnectionState::connected));
  auto events_before = alice->connection_event_count();
  std::string huge = "huge:" + std::string(70 * 1024, 'x');
  REQUIRE(alice->engine().send_message(chat, huge).ok());
  REQUIRE(alice->wait([&] { return alice->status_of_text(chat, huge) == "failed"; }));
  CHECK(error_of_text(*alice, chat, "huge:").find("too large") != std::string::npos);
  REQUIRE(alice->engine().send_message(chat, "small again").ok());
  REQUIRE(alice->wait([&] { return alice->status_of_text(chat, "small again") == "delivered"; }));
  CHECK(alice->connection_event_count() == events_before);  // never dropped
}

TEST_CASE("a TLS server with the wrong host name is refused with a clear error") {
  net::testing::TestPki pki;
  net::testing::ServerOptions options;
  options.tls = &pki;
  options.http_handler = [](const net::testing::ServerRequest&) {
    return net::testing::ServerReply{200, {}, "{}"};
  };
  net::testing::TestServer tls(options);
  TempDir dir;
  Config config;
  config.server_url = "https://127.0.0.1:" + std::to_string(tls.port());
  config.database_path = dir.file("alice.db");
  config.auth = SignIn{"key", "alice", "alice-password"};
  config.tls.ca_file = pki.ca_file;
  auto engine = Engine::start(config);
  REQUIRE_FALSE(engine.ok());
  INFO(engine.error().describe());
  CHECK(engine.error().message.find("TLS") != std::string::npos);
  CHECK(engine.error().message.find("127.0.0.1") != std::string::npos);
}
