#include "net/ws_client.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <optional>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include "net/test_certs.hpp"
#include "net/test_server.hpp"

using namespace std::chrono_literals;
using whisp::Error;
using whisp::ErrorCode;
using namespace whisp::net;
using namespace whisp::net::testing;

namespace {

// How long a wait for a loopback event may take: milliseconds normally, but these tests also run
// under TSan and ASan on two loaded cores, where a thread can stall for seconds.
constexpr std::chrono::milliseconds kWait = 30s;

// Records what a client's handlers saw; tests wait on it.
struct Recorder {
  Waiter waiter;
  bool opened = false;
  std::string subprotocol;
  std::string received;  // all on_data bytes, concatenated
  int messages = 0;
  int pongs = 0;
  int closes = 0;
  std::optional<Error> reason;
  bool data_after_close = false;

  WsHandlers handlers() {
    WsHandlers h;
    h.on_open = [this](const std::string& p) {
      waiter.update([&] { opened = true, subprotocol = p; });
    };
    h.on_data = [this](std::string bytes) {
      waiter.update([&] {
        if (closes > 0) data_after_close = true;
        received += bytes;
        ++messages;
      });
    };
    h.on_close = [this](Error e) {
      waiter.update([&] {
        ++closes;
        reason = std::move(e);
      });
    };
    h.on_pong = [this] { waiter.update([&] { ++pongs; }); };
    return h;
  }
  bool wait_open() { return waiter.wait([&] { return opened || closes > 0; }, kWait) && opened; }
  bool wait_closed() { return waiter.wait([&] { return closes > 0; }, kWait); }
  bool wait_received(std::size_t n) {
    return waiter.wait([&] { return received.size() >= n || closes > 0; }, kWait) &&
           received.size() >= n;
  }
};

std::string ws_url(const TestServer& server, const std::string& host = "127.0.0.1",
                   const std::string& scheme = "ws") {
  return scheme + "://" + host + ":" + std::to_string(server.port()) + "/ws";
}

WsOptions stomp_options() {
  WsOptions o;
  o.subprotocols = {"v12.stomp", "v11.stomp", "v10.stomp"};
  return o;
}

// A listening socket that never accepts: the kernel completes the TCP handshake, nobody answers.
struct SilentListener {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  std::string url() const {
    return "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/ws";
  }
};

}  // namespace

TEST_CASE("text and binary messages are echoed and handed on as bytes in order") {
  TestServer server({});
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  ws->connect(ws_url(server), stomp_options(), rec.handlers());
  REQUIRE(rec.wait_open());
  CHECK(rec.subprotocol.empty());  // this server speaks no subprotocol

  const std::string text = "CONNECT\naccept-version:1.2\n\n";
  const std::string binary("\xff\x00\x01\xfe", 4);  // not UTF-8: goes as a binary message
  REQUIRE(ws->send(text).ok());
  REQUIRE(ws->send(binary).ok());
  REQUIRE(rec.wait_received(text.size() + binary.size()));
  CHECK(rec.received == text + binary);
  server.waiter.wait([&] { return server.records.ws_messages.size() >= 2; }, kWait);
  server.waiter.read([&] {
    REQUIRE(server.records.ws_messages.size() == 2);
    CHECK(server.records.ws_messages[0].text);
    CHECK(server.records.ws_messages[0].data == text);
    CHECK_FALSE(server.records.ws_messages[1].text);
    CHECK(server.records.ws_messages[1].data == binary);
    return 0;
  });
  CHECK(ws->last_activity() > WsClient::Clock::time_point{});
  ws->close();
  REQUIRE(rec.wait_closed());
}

TEST_CASE("a 20 KiB send arrives as messages of at most 8 KiB whose concatenation is the input") {
  TestServer server({});
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  ws->connect(ws_url(server), stomp_options(), rec.handlers());
  REQUIRE(rec.wait_open());

  // ASCII with a 3-byte UTF-8 character every 1000 bytes, so some cut points fall inside one.
  std::string input;
  while (input.size() < 20 * 1024) {
    input += (input.size() % 1000 < 3) ? "\xe2\x82\xac" : std::string(1, char('a' + input.size() % 26));
  }
  REQUIRE(ws->send(input).ok());
  REQUIRE(rec.wait_received(input.size()));
  CHECK(rec.received == input);
  server.waiter.read([&] {
    const auto& messages = server.records.ws_messages;
    CHECK(messages.size() >= 3);
    std::string joined;
    for (const auto& m : messages) {
      CHECK(m.data.size() <= 8192);
      CHECK(m.text);
      CHECK(is_valid_utf8(m.data));
      joined += m.data;
    }
    CHECK(joined == input);
    return 0;
  });
  ws->close();
  REQUIRE(rec.wait_closed());
}

TEST_CASE("the subprotocol the server selects from the offered list is reported on open") {
  ServerOptions options;
  options.subprotocols = {"v10.stomp", "v12.stomp"};
  TestServer server(std::move(options));
  Recorder rec;
  IoThread io;

  SECTION("the client's order of preference wins") {
    auto ws = WsClient::create(io);
    ws->connect(ws_url(server), stomp_options(), rec.handlers());
    REQUIRE(rec.wait_open());
    CHECK(rec.subprotocol == "v12.stomp");
    server.waiter.read([&] {
      CHECK(server.records.offered_subprotocols.at(0) == "v12.stomp, v11.stomp, v10.stomp");
      return 0;
    });
    ws->abort();
    REQUIRE(rec.wait_closed());
  }
}

TEST_CASE("a subprotocol the client did not offer fails the connection") {
  ServerOptions options;
  options.force_subprotocol = "mqtt";
  TestServer server(std::move(options));
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  ws->connect(ws_url(server), stomp_options(), rec.handlers());
  REQUIRE(rec.wait_closed());
  CHECK_FALSE(rec.opened);
  CHECK(rec.reason->code == ErrorCode::protocol_error);
  CHECK(rec.reason->message.find("subprotocol 'mqtt' that was not offered") != std::string::npos);
}

TEST_CASE("a close from either side calls on_close exactly once") {
  TestServer server({});
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  ws->connect(ws_url(server), stomp_options(), rec.handlers());
  REQUIRE(rec.wait_open());

  SECTION("close() by the client, repeated, then abort()") {
    REQUIRE(ws->send("last words").ok());
    ws->close();
    ws->close();
    ws->abort();
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->code == ErrorCode::closed);
    // The graceful close flushed what was queued before it.
    REQUIRE(server.waiter.wait([&] { return server.records.ws_sessions_ended == 1; }, kWait));
    server.waiter.read([&] {
      CHECK(server.records.ws_messages.at(0).data == "last words");
      return 0;
    });
    auto refused = ws->send("more");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::closed);
  }
  SECTION("the server closes with a reason") {
    REQUIRE(ws->send("__close__").ok());
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->code == ErrorCode::closed);
    CHECK(rec.reason->message == "ws: closed by server (code 1000: bye)");
    ws->close();
    ws->abort();
  }
  SECTION("abort() by the client") {
    ws->abort();
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->message == "ws: aborted by caller");
    ws->close();
  }
  // Later calls are no-ops: wait for a round trip through the I/O thread, then count.
  std::promise<void> flushed;
  io.post([&] { flushed.set_value(); });
  flushed.get_future().wait();
  rec.waiter.read([&] {
    CHECK(rec.closes == 1);
    CHECK_FALSE(rec.data_after_close);
    return 0;
  });
}

TEST_CASE("a ping is answered by a pong that updates the liveness time") {
  TestServer server({});
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  ws->connect(ws_url(server), stomp_options(), rec.handlers());
  REQUIRE(rec.wait_open());
  const auto before = ws->last_activity();
  ws->ping();
  REQUIRE(rec.waiter.wait([&] { return rec.pongs >= 1; }, kWait));
  CHECK(ws->last_activity() >= before);
  ws->abort();
  REQUIRE(rec.wait_closed());
}

TEST_CASE("connection failures end in on_close with an error naming the step") {
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);

  SECTION("connection refused") {
    // Bound but not listening: refused, and held so that no test beside this one (ctest -j)
    // can be given the port meanwhile.
    boost::asio::io_context scratch;
    boost::asio::ip::tcp::socket probe(scratch);
    probe.open(boost::asio::ip::tcp::v4());
    probe.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = std::to_string(probe.local_endpoint().port());
    ws->connect("ws://127.0.0.1:" + port + "/ws", stomp_options(), rec.handlers());
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->code == ErrorCode::io_error);
    CHECK(rec.reason->message == "ws connect 127.0.0.1:" + port + ": Connection refused");
  }
  SECTION("an upgrade that is never answered times out") {
    SilentListener silent;
    WsOptions options = stomp_options();
    options.timeouts.upgrade = 300ms;
    ws->connect(silent.url(), options, rec.handlers());
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->code == ErrorCode::timeout);
    CHECK(rec.reason->message.find("ws upgrade 127.0.0.1:") == 0);
    CHECK(rec.reason->message.find("timed out after 300 ms") != std::string::npos);
  }
  SECTION("a bad URL") {
    ws->connect("http://127.0.0.1/ws", stomp_options(), rec.handlers());
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->code == ErrorCode::invalid_argument);
  }
  SECTION("a second connect on the same client") {
    Recorder second;
    ws->connect("ws://127.0.0.1:1/ws", stomp_options(), rec.handlers());
    ws->connect("ws://127.0.0.1:1/ws", stomp_options(), second.handlers());
    REQUIRE(second.wait_closed());
    CHECK(second.reason->code == ErrorCode::invalid_argument);
    REQUIRE(rec.wait_closed());
  }
  CHECK_FALSE(rec.opened);
  rec.waiter.read([&] { CHECK(rec.closes == 1); return 0; });
}

TEST_CASE("a full outgoing queue refuses the send and keeps the connection") {
  SilentListener silent;  // never opens: what is queued stays queued
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  auto before = ws->send("x");
  REQUIRE_FALSE(before.ok());
  CHECK(before.error().code == ErrorCode::closed);

  WsOptions options = stomp_options();
  options.max_queue_bytes = 100;
  ws->connect(silent.url(), options, rec.handlers());
  REQUIRE(ws->send(std::string(60, 'a')).ok());
  auto full = ws->send(std::string(60, 'b'));
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == ErrorCode::rejected);
  CHECK(full.error().message == "ws send: outgoing queue full (60 of 100 bytes used, 60 more requested)");
  CHECK(ws->queued_bytes() == 60);
  REQUIRE(ws->send(std::string(40, 'c')).ok());
  ws->abort();
  REQUIRE(rec.wait_closed());
  CHECK(rec.reason->message == "ws: aborted by caller");
  CHECK(ws->queued_bytes() == 0);
}

TEST_CASE("send() from several threads at once keeps each thread's bytes in order") {
  TestServer server({});
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  WsOptions options = stomp_options();
  options.max_queue_bytes = 16 * 1024 * 1024;
  ws->connect(ws_url(server), options, rec.handlers());
  REQUIRE(rec.wait_open());

  constexpr int kThreads = 4, kSends = 200;
  std::size_t total = 0;
  auto item = [](int t, int i) { return "<" + std::to_string(t) + ":" + std::to_string(i) + ">"; };
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kSends; ++i) total += item(t, i).size();
  }
  // Catch2 assertions are not thread-safe: the threads count failures, the test checks after.
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSends; ++i) {
        if (!ws->send(item(t, i)).ok()) ++refused;
        if (i % 50 == 0) ws->ping();
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(refused == 0);
  REQUIRE(rec.wait_received(total));
  rec.waiter.read([&] {
    CHECK(rec.received.size() == total);
    for (int t = 0; t < kThreads; ++t) {
      std::size_t pos = 0;
      for (int i = 0; i < kSends; ++i) {
        auto found = rec.received.find(item(t, i), pos);
        REQUIRE(found != std::string::npos);
        pos = found + 1;
      }
    }
    return 0;
  });
  ws->close();
  REQUIRE(rec.wait_closed());
}

TEST_CASE("wss connects with the test CA and refuses a host the certificate does not name") {
  TestPki pki;
  ServerOptions server_options;
  server_options.tls = &pki;
  server_options.subprotocols = {"v12.stomp"};
  TestServer server(std::move(server_options));
  Recorder rec;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  WsOptions options = stomp_options();
  options.tls.ca_file = pki.ca_file;

  SECTION("verified: echo over TLS") {
    ws->connect(ws_url(server, "localhost", "wss"), options, rec.handlers());
    REQUIRE(rec.wait_open());
    CHECK(rec.subprotocol == "v12.stomp");
    REQUIRE(ws->send("over tls").ok());
    REQUIRE(rec.wait_received(8));
    CHECK(rec.received == "over tls");
    ws->close();
    REQUIRE(rec.wait_closed());
    CHECK(rec.reason->code == ErrorCode::closed);
  }
  SECTION("wrong host name") {
    ws->connect(ws_url(server, "127.0.0.1", "wss"), options, rec.handlers());
    REQUIRE(rec.wait_closed());
    CHECK_FALSE(rec.opened);
    CHECK(rec.reason->message == "ws tls 127.0.0.1:" + std::to_string(server.port()) +
                                     ": TLS: certificate does not match host '127.0.0.1'");
  }
}
