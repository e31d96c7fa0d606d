// The STOMP session: tickets, CONNECT, heart-beats, SUBSCRIBE rules, DISCONNECT, limits, and a
// server that keeps serving everyone else through garbage, oversized frames and abrupt drops.
#include <catch2/catch.hpp>

#include <thread>

#include "fixture.hpp"
#include "protocol/actions.hpp"

namespace whisp::devserver::testing {
namespace {

stomp::Frame connect_frame(const std::string& jwt, const std::string& hb = "0,0") {
  stomp::Frame c;
  c.command = "CONNECT";
  c.add("accept-version", "1.2,1.1,1.0");
  c.add("heart-beat", hb);
  c.add("Authorization", "Bearer " + jwt);
  return c;
}

/// The ERROR the server sends before closing with 1002.
stomp::Frame expect_error_and_close(WsClient& ws) {
  auto f = ws.next("ERROR");
  if (!f) FAIL("waiting for ERROR: " << f.error().describe());
  CHECK(f->header("message").has_value());
  CHECK(ws.wait_closed());
  CHECK(ws.close_code() == 1002);
  return *f;
}

/// Proves the server still serves: `ws` of `u` sends to `chat` and gets the echo.
void still_served(WsClient& ws, const TestUser& u, const std::string& chat) {
  REQUIRE(ws.send_frame(send_frame(encode_action(action::SendMsg{chat, "still here", kTs}, u.id)))
              .ok());
  auto f = ws.next("MESSAGE");
  REQUIRE(f.ok());
  CHECK(f->body.find("still here") != std::string::npos);
}

}  // namespace

TEST_CASE("a ticket opens one WebSocket only, and the server picks the best STOMP subprotocol") {
  Fixture fx;
  auto ann = fx.user("ann");
  const auto ticket = fx.ticket(ann);
  auto first = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + ticket,
                              "v10.stomp, v12.stomp, v11.stomp");
  REQUIRE(first.ok());
  CHECK((*first)->subprotocol() == "v12.stomp");
  auto second = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + ticket);
  CHECK_FALSE(second.ok());
  CHECK_FALSE(WsClient::open(fx.port(), "/api/wsConnect").ok());
  CHECK_FALSE(WsClient::open(fx.port(), "/api/wsConnect?ticket=made-up").ok());
}

TEST_CASE("a ticket expires unused") {
  auto o = test_options();
  o.ticket_ttl_seconds = 0;  // born expired
  Fixture fx(o);
  auto ann = fx.user("ann");
  CHECK_FALSE(WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann)).ok());
}

TEST_CASE("CONNECT with a bad or expired JWT gets ERROR and a close") {
  auto o = test_options();
  SECTION("forged") {
    Fixture fx(o);
    auto ann = fx.user("ann");
    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(connect_frame(ann.jwt + "x")).ok());
    auto err = expect_error_and_close(**ws);
    CHECK(std::string(*err.header("message")).find("Authentication failed") == 0);
  }
  SECTION("another user's JWT on my ticket") {
    Fixture fx(o);
    auto ann = fx.user("ann");
    auto bob = fx.user("bob");
    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(connect_frame(bob.jwt)).ok());
    expect_error_and_close(**ws);
  }
  SECTION("expired") {
    o.jwt_ttl_seconds = 1;
    Fixture fx(o);
    auto ann = fx.user("ann");
    const auto ticket = fx.ticket(ann);
    // Wait (bounded) for the clock to expire the JWT, observed through the REST API.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (fx.get(ann, "/api/user/getUser").status != 401 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);
    }
    REQUIRE(fx.get(ann, "/api/user/getUser").status == 401);
    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + ticket);
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(connect_frame(ann.jwt)).ok());
    auto err = expect_error_and_close(**ws);
    CHECK(std::string(*err.header("message")).find("expired") != std::string::npos);
  }
}

TEST_CASE("heart-beats: 0,0 without server heart-beats; with them, liveness drops a silent client") {
  SECTION("no server heart-beats configured") {
    Fixture fx;
    auto ann = fx.user("ann");
    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(connect_frame(ann.jwt, "10000,10000")).ok());
    auto c = (*ws)->next("CONNECTED");
    REQUIRE(c.ok());
    CHECK(c->header("heart-beat") == std::optional<std::string_view>("0,0"));
    CHECK(c->header("version") == std::optional<std::string_view>("1.2"));
  }
  SECTION("server heart-beats configured") {
    auto o = test_options();
    o.heartbeat_ms = 100;
    Fixture fx(o);
    auto ann = fx.user("ann");
    auto quiet = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(quiet.ok());
    REQUIRE((*quiet)->send_frame(connect_frame(ann.jwt, "0,0")).ok());
    auto c0 = (*quiet)->next("CONNECTED");
    REQUIRE(c0.ok());
    CHECK(c0->header("heart-beat") == std::optional<std::string_view>("0,0"));

    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(connect_frame(ann.jwt, "50,50")).ok());
    auto c = (*ws)->next("CONNECTED");
    REQUIRE(c.ok());
    CHECK(c->header("heart-beat") == std::optional<std::string_view>("100,100"));
    // We stay silent: the server beats at us, then drops us after 3 x 100 ms (the wait has room
    // for a sanitizer build on loaded cores; it ends with the ERROR).
    auto err = (*ws)->next("ERROR", 10s);
    REQUIRE(err.ok());
    CHECK(std::string(*err->header("message")).find("heart-beat") != std::string::npos);
    CHECK((*ws)->heart_beats() >= 1);
    CHECK((*ws)->wait_closed());
    CHECK((*ws)->close_code() == 1002);
    // The client that asked for no heart-beats, as silent all along, is still served: its
    // DISCONNECT gets the RECEIPT (nothing but that frame comes first).
    stomp::Frame d;
    d.command = "DISCONNECT";
    d.add("receipt", "still-here");
    REQUIRE((*quiet)->send_frame(d).ok());
    auto r = (*quiet)->next_frame();
    REQUIRE(r.ok());
    CHECK(r->command == "RECEIPT");
    CHECK(r->header("receipt-id") == std::optional<std::string_view>("still-here"));
  }
}

TEST_CASE("SUBSCRIBE to anything but one's own queue gets ERROR; DISCONNECT gets its RECEIPT") {
  Fixture fx;
  auto ann = fx.user("ann");
  auto bob = fx.user("bob");
  SECTION("someone else's queue") {
    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(connect_frame(ann.jwt)).ok());
    REQUIRE((*ws)->next("CONNECTED").ok());
    stomp::Frame s;
    s.command = "SUBSCRIBE";
    s.add("id", "0");
    s.add("destination", "/user/" + bob.id + "/queue/messages");
    REQUIRE((*ws)->send_frame(s).ok());
    expect_error_and_close(**ws);
  }
  SECTION("DISCONNECT with a receipt") {
    auto ws = fx.connect(ann);
    stomp::Frame d;
    d.command = "DISCONNECT";
    d.add("receipt", "bye-1");
    REQUIRE(ws->send_frame(d).ok());
    auto r = ws->next("RECEIPT");
    REQUIRE(r.ok());
    CHECK(r->header("receipt-id") == std::optional<std::string_view>("bye-1"));
    CHECK(ws->wait_closed());
  }
  SECTION("frames before CONNECT") {
    auto ws = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
    REQUIRE(ws.ok());
    REQUIRE((*ws)->send_frame(send_frame("{}")).ok());
    expect_error_and_close(**ws);
  }
}

TEST_CASE("the server survives garbage, oversized frames, bad actions and abrupt disconnects") {
  Fixture fx;
  auto ann = fx.user("ann");
  auto bob = fx.user("bob");
  const auto chat = fx.chat(ann, {"bob"});
  auto witness = fx.connect(bob);
  const std::string hello = encode_action(action::SendMsg{chat, "split", kTs}, ann.id);

  SECTION("garbage bytes") {
    auto ws = fx.connect(ann);
    REQUIRE(ws->send(std::string("\x01\x02 not stomp at all\n\n\0", 22)).ok());
    expect_error_and_close(*ws);
  }
  SECTION("a frame over 64 KiB") {
    auto ws = fx.connect(ann);
    auto f = send_frame(encode_action(action::SendMsg{chat, std::string(70 * 1024, 'x'), kTs},
                                      ann.id));
    REQUIRE(ws->send_frame(f).ok());
    expect_error_and_close(*ws);
  }
  SECTION("a malformed action names the reason and echoes the receipt") {
    auto ws = fx.connect(ann);
    REQUIRE(ws->send_frame(send_frame(R"({"type":"SEND_MSG","chatId":42})", "r-7")).ok());
    auto err = expect_error_and_close(*ws);
    CHECK(err.header("receipt-id") == std::optional<std::string_view>("r-7"));
  }
  SECTION("an abrupt disconnect") {
    auto ws = fx.connect(ann);
    ws->drop();
  }
  SECTION("a frame split over several WebSocket messages is reassembled") {
    auto ws = fx.connect(ann);
    const std::string bytes = stomp::encode(send_frame(hello));
    for (std::size_t i = 0; i < bytes.size(); i += 7) REQUIRE(ws->send(bytes.substr(i, 7)).ok());
    auto f = witness->next("MESSAGE");
    REQUIRE(f.ok());
    CHECK(f->body.find("split") != std::string::npos);
  }
  still_served(*witness, bob, chat);
}

}  // namespace whisp::devserver::testing

namespace whisp::devserver::testing {

TEST_CASE("a client that does not read is closed with 4500 while the others are served") {
  auto o = test_options();
  o.max_outgoing_bytes = 64 * 1024;
  Fixture fx(o);
  auto ann = fx.user("ann");
  auto bob = fx.user("bob");
  auto slow = fx.user("slow");
  const auto chat = fx.chat(ann, {"bob", "slow"});
  auto reader = fx.connect(bob);
  auto sleeper = fx.connect(slow);  // subscribed, never read until the end
  // The sender does not subscribe, so its own echoes cannot pile up.
  auto sender = WsClient::open(fx.port(), "/api/wsConnect?ticket=" + fx.ticket(ann));
  REQUIRE(sender.ok());
  stomp::Frame c;
  c.command = "CONNECT";
  c.add("accept-version", "1.2");
  c.add("Authorization", "Bearer " + ann.jwt);
  REQUIRE((*sender)->send_frame(c).ok());
  REQUIRE((*sender)->next("CONNECTED").ok());
  const std::string big(20 * 1024, 'z');  // bob, in lock-step, never queues more than one
  // Far more than loopback socket buffers hold, so the server's queue for `slow` overflows.
  for (int i = 0; i < 1000 && fx.server().subscription_count("slow") > 0; ++i) {
    REQUIRE((*sender)->send_frame(send_frame(encode_action(action::SendMsg{chat, big, kTs}, ann.id))).ok());
    auto got = reader->next("MESSAGE");  // bob keeps up and keeps receiving
    if (!got) FAIL("bob after " << i << " messages: " << got.error().describe());
  }
  CHECK(fx.server().subscription_count("slow") == 0);
  CHECK(sleeper->wait_closed(10s));
  CHECK(sleeper->close_code() == 4500);
  CHECK_FALSE(reader->closed());
}

}  // namespace whisp::devserver::testing
