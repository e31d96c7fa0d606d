// WsClient + the STOMP codec against RabbitMQ's Web-STOMP plugin: CONNECT, SUBSCRIBE, SEND a
// frame over 8 KiB (split across WebSocket messages) and a body holding a NUL, and the broker's
// MESSAGE frames must carry the same bytes back. The test starts its own broker (broker.sh) and
// stops it on every exit path; a broker that cannot start fails the test.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "net/io_thread.hpp"
#include "net/test_server.hpp"  // Waiter
#include "net/ws_client.hpp"
#include "protocol/stomp.hpp"

using namespace std::chrono_literals;
using namespace whisp;
using namespace whisp::net;

namespace {

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Free loopback ports: bound together (so distinct), then released for the broker.
std::vector<unsigned short> free_ports(int n) {
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::acceptor> acceptors;
  std::vector<unsigned short> ports;
  for (int i = 0; i < n; ++i) {
    acceptors.emplace_back(io, boost::asio::ip::tcp::endpoint(
                                   boost::asio::ip::make_address("127.0.0.1"), 0));
    ports.push_back(acceptors.back().local_endpoint().port());
  }
  return ports;
}

// Starts the broker in the constructor, stops it in the destructor (also when a REQUIRE throws).
class Broker {
 public:
  Broker() {
    auto ports = free_ports(4);
    stomp_port_ = ports[0];
    const std::string command = std::string(quote(WHISP_BROKER_SCRIPT)) + " start " +
                                quote(WHISP_BROKER_DIR) + " " + std::to_string(ports[0]) + " " +
                                std::to_string(ports[1]) + " " + std::to_string(ports[2]) + " " +
                                std::to_string(ports[3]);
    started_ = std::system(command.c_str()) == 0;
  }
  ~Broker() {
    const std::string command =
        std::string(quote(WHISP_BROKER_SCRIPT)) + " stop " + quote(WHISP_BROKER_DIR);
    if (std::system(command.c_str()) != 0) {
      WARN("broker.sh stop failed");
    }
  }
  bool started() const { return started_; }
  unsigned short stomp_port() const { return stomp_port_; }

 private:
  bool started_ = false;
  unsigned short stomp_port_ = 0;
};

// What the connection saw, in order, guarded by the waiter.
struct Session {
  testing::Waiter waiter;
  stomp::Parser parser;
  std::vector<stomp::Frame> frames;
  std::optional<Error> parse_error;
  std::optional<Error> closed;
  bool opened = false;
  std::string subprotocol;

  WsHandlers handlers() {
    WsHandlers h;
    h.on_open = [this](const std::string& p) { waiter.update([&] { opened = true, subprotocol = p; }); };
    h.on_data = [this](std::string bytes) {
      waiter.update([&] {
        parser.feed(bytes);
        while (!parse_error) {
          auto item = parser.next();
          if (!item.ok()) {
            parse_error = item.error();
            break;
          }
          if (!item.value()) break;
          if (auto* frame = std::get_if<stomp::Frame>(&*item.value())) frames.push_back(*frame);
        }
      });
    };
    h.on_close = [this](Error e) { waiter.update([&] { closed = std::move(e); }); };
    return h;
  }

  // Waits for the n-th frame (1-based count) and returns a copy of it.
  stomp::Frame wait_frame(std::size_t n) {
    bool ok = waiter.wait([&] { return frames.size() >= n || closed || parse_error; }, 20s);
    return waiter.read([&] {
      INFO("waiting for frame #" << n << "; closed: " << (closed ? closed->describe() : "no")
                                 << "; parse error: "
                                 << (parse_error ? parse_error->describe() : "no"));
      REQUIRE(ok);
      REQUIRE(frames.size() >= n);
      return frames[n - 1];
    });
  }
};

}  // namespace

TEST_CASE("STOMP frames over WebSocket round-trip through RabbitMQ's Web-STOMP plugin") {
  Broker broker;
  if (!broker.started()) {
    FAIL("the RabbitMQ broker did not start (tests/rabbitmq/broker.sh; is Debian's "
         "rabbitmq-server installed? scripts/setup.sh --test installs it). Its logs: " WHISP_BROKER_DIR
         "/log");
  }
  Session session;  // outlives the I/O thread that calls its handlers
  IoThread io;
  auto ws = WsClient::create(io);
  WsOptions options;
  options.subprotocols = {"v12.stomp", "v11.stomp", "v10.stomp"};
  options.max_outgoing_message = 8192;
  ws->connect("ws://127.0.0.1:" + std::to_string(broker.stomp_port()) + "/ws", options,
              session.handlers());

  stomp::Frame connect;
  connect.command = "CONNECT";
  connect.add("accept-version", "1.2").add("host", "/").add("login", "guest");
  connect.add("passcode", "guest").add("heart-beat", "0,0");
  REQUIRE(ws->send(stomp::encode(connect)).ok());
  auto connected = session.wait_frame(1);
  REQUIRE(connected.command == "CONNECTED");
  CHECK(connected.header("version") == std::optional<std::string_view>("1.2"));
  session.waiter.read([&] { CHECK(session.subprotocol == "v12.stomp"); return 0; });

  stomp::Frame subscribe;
  subscribe.command = "SUBSCRIBE";
  subscribe.add("destination", "/queue/whisp-net-test").add("id", "sub-0").add("ack", "auto");
  subscribe.add("receipt", "subscribed");
  REQUIRE(ws->send(stomp::encode(subscribe)).ok());
  auto receipt = session.wait_frame(2);
  REQUIRE(receipt.command == "RECEIPT");
  CHECK(receipt.header("receipt-id") == std::optional<std::string_view>("subscribed"));

  // A body over 8 KiB (20,000 bytes of text with multi-byte UTF-8) and a body holding a NUL.
  std::string big;
  while (big.size() < 20000) big += "whisp \xe2\x82\xac " + std::to_string(big.size()) + "; ";
  const std::string with_nul("before\0after", 12);
  for (const std::string* body : std::vector<const std::string*>{&big, &with_nul}) {
    stomp::Frame send;
    send.command = "SEND";
    send.add("destination", "/queue/whisp-net-test").add("content-type", "text/plain");
    send.body = *body;
    const std::string bytes = stomp::encode(send);
    if (body == &big) REQUIRE(bytes.size() > 2 * 8192);  // split across three messages at least
    REQUIRE(ws->send(bytes).ok());
  }

  auto first = session.wait_frame(3);
  auto second = session.wait_frame(4);
  CHECK(first.command == "MESSAGE");
  CHECK(second.command == "MESSAGE");
  CHECK(first.header("subscription") == std::optional<std::string_view>("sub-0"));
  CHECK(first.body.size() == big.size());
  CHECK(first.body == big);
  CHECK(second.body == with_nul);

  stomp::Frame disconnect;
  disconnect.command = "DISCONNECT";
  disconnect.add("receipt", "bye");
  REQUIRE(ws->send(stomp::encode(disconnect)).ok());
  // RabbitMQ answers DISCONNECT with its RECEIPT and drops the connection at once, sometimes
  // before the RECEIPT is out: either ending is correct here.
  REQUIRE(session.waiter.wait([&] { return session.frames.size() >= 5 || session.closed; }, 20s));
  session.waiter.read([&] {
    if (session.frames.size() >= 5) CHECK(session.frames[4].command == "RECEIPT");
    return 0;
  });
  ws->close();
  REQUIRE(session.waiter.wait([&] { return session.closed.has_value(); }, 10s));
  session.waiter.read([&] { CHECK_FALSE(session.parse_error); return 0; });
}
