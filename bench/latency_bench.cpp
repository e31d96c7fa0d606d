// Latency benchmark (issue 5). Run by hand: DIR/bin/latency_bench [--events N] [--rate R]
// (defaults 5,000 events at 1,000 events/s).
//
// The in-process dev server on loopback (its own SQLite, :memory:); bob, a raw STOMP client,
// publishes SEND_MSG actions into a chat with alice at a steady rate. Measured, per event:
//   - engine: bob's SEND written → alice's Engine (real sign-in, WebSocket, connection actor,
//     hub, chat actor, writer commit to a store file, notifier) calls on_change for the commit
//     holding that event. Events map to log sequence numbers: after a warm-up, the i-th event is
//     the store's seq S0 + 1 + i (checked at the end: the engine's last seq must be S0 + N);
//   - baseline (same run, after the engine stopped): the same publishing, received by a raw
//     WebSocket STOMP client subscribed as alice (STOMP parse, no engine, no store).
// p50 / p99 / max of each, and the ratios. Targets (DESIGN.md): engine p50 < 1 ms, p99 < 5 ms.
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "devserver.hpp"
#include "protocol/actions.hpp"
#include "test_client.hpp"
#include "whisp/engine.hpp"

namespace beast = boost::beast;
namespace asio = boost::asio;
using namespace whisp;
using namespace whisp::bench;
using whisp::devserver::testing::http;

namespace {

using Ws = beast::websocket::stream<beast::tcp_stream>;

std::string field(const std::string& json, const std::string& name) {
  const auto tag = "\"" + name + "\":\"";
  const auto at = json.find(tag);
  if (at == std::string::npos) return {};
  const auto start = at + tag.size();
  return json.substr(start, json.find('"', start) - start);
}

struct User {
  std::string name, password, id, jwt;
};

User sign_up(std::uint16_t port, const std::string& api_key, const std::string& name) {
  User u{name, name + "-pw", {}, {}};
  const std::string cred = R"({"username":")" + name + R"(","password":")" + u.password +
                           R"(","email":")" + name + R"(@example.org"})";
  const std::map<std::string, std::string> key{{"x-api-key", api_key}};
  http(port, "POST", "/api/user/registerUser", cred, key);
  const auto in = http(port, "POST", "/api/user/signin", cred, key);
  u.id = field(in.body, "id");
  if (in.authorization.size() > 7) u.jwt = in.authorization.substr(7);
  return u;
}

// Ticket, WebSocket, CONNECT, CONNECTED; SUBSCRIBE when asked. Throws on failure (Beast).
std::unique_ptr<Ws> stomp_connect(asio::io_context& ioc, std::uint16_t port, const User& u,
                                  bool subscribe) {
  const auto t = http(port, "GET", "/api/auth/getTicket", {}, {{"Authorization", "Bearer " + u.jwt}});
  auto ws = std::make_unique<Ws>(ioc);
  beast::get_lowest_layer(*ws).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  beast::get_lowest_layer(*ws).socket().set_option(asio::ip::tcp::no_delay(true));
  ws->text(true);
  ws->set_option(beast::websocket::stream_base::decorator([](beast::websocket::request_type& r) {
    r.set(beast::http::field::sec_websocket_protocol, "v12.stomp");
  }));
  ws->handshake("127.0.0.1", "/api/wsConnect?ticket=" + field(t.body, "ticket"));
  stomp::Frame f;
  f.command = "CONNECT";
  f.add("accept-version", "1.2");
  f.add("heart-beat", "0,0");
  f.add("Authorization", "Bearer " + u.jwt);
  ws->write(asio::buffer(stomp::encode(f)));
  beast::flat_buffer b;
  ws->read(b);  // CONNECTED
  if (subscribe) {
    stomp::Frame s;
    s.command = "SUBSCRIBE";
    s.add("id", "sub-0");
    s.add("destination", "/user/" + u.id + "/queue/messages");
    ws->write(asio::buffer(stomp::encode(s)));
  }
  return ws;
}

std::string send_frame(const std::string& chat_id, const std::string& sender, const std::string& text) {
  stomp::Frame f;
  f.command = "SEND";
  f.add("destination", "/api/chat");
  f.add("content-type", "application/json");
  f.body = encode_action(action::SendMsg{chat_id, text, "2024-01-15T10:30:00Z"}, sender);
  return stomp::encode(f);
}

// Bob publishes `n` messages "<tag><i>" at `rate` per second; returns the write times.
std::vector<Clock::time_point> publish(Ws& ws, const std::string& chat, const std::string& bob,
                                       const std::string& tag, int n, int rate) {
  std::vector<std::string> frames;
  for (int i = 0; i < n; ++i) frames.push_back(send_frame(chat, bob, tag + std::to_string(i)));
  std::vector<Clock::time_point> at(static_cast<std::size_t>(n));
  const auto t0 = Clock::now() + std::chrono::milliseconds(5);
  const auto step = std::chrono::nanoseconds(1000000000LL / rate);
  for (int i = 0; i < n; ++i) {
    std::this_thread::sleep_until(t0 + step * i);
    at[static_cast<std::size_t>(i)] = Clock::now();
    ws.write(asio::buffer(frames[static_cast<std::size_t>(i)]));
  }
  return at;
}

struct Figures {
  double p50 = 0, p99 = 0, max = 0;
  int received = 0;
};

Figures figures(const std::vector<Clock::time_point>& sent, const std::vector<Clock::time_point>& got) {
  std::vector<double> v;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (got[i] != Clock::time_point{}) v.push_back(micros(got[i] - sent[i]) / 1000.0);
  }
  Figures f;
  f.received = static_cast<int>(v.size());
  f.p50 = percentile(v, 50);
  f.p99 = percentile(v, 99);
  f.max = v.empty() ? 0 : v.back();
  return f;
}

// The engine as alice: latency of each event from bob's write to alice's on_change.
Figures engine_run(devserver::DevServer& server, const std::string& api_key, const User& alice,
                   const User& bob, const std::string& chat, const std::string& db, int n,
                   int rate, std::string& note) {
  std::mutex m;
  std::condition_variable cv;
  std::int64_t last_seq = 0, base_seq = -1;
  std::vector<Clock::time_point> got(static_cast<std::size_t>(n));
  Callbacks cb;
  cb.on_change = [&](const Change& c) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(m);
    if (base_seq >= 0) {
      for (auto s = std::max(last_seq, base_seq) + 1; s <= c.seq; ++s) {
        const auto i = s - base_seq - 1;
        if (i >= 0 && i < n) got[static_cast<std::size_t>(i)] = now;
      }
    }
    last_seq = std::max(last_seq, c.seq);
    cv.notify_all();
  };
  Config config;
  config.server_url = server.url();
  config.database_path = db;
  config.auth = SignIn{api_key, alice.name, alice.password};
  auto engine = Engine::start(config, cb);
  if (!engine) {
    note = "engine start failed: " + engine.error().describe();
    return {};
  }
  if (!(*engine)->wait_idle(std::chrono::seconds(30))) {
    note = "engine not idle after 30 s";
    return {};
  }
  asio::io_context ioc;
  auto ws = stomp_connect(ioc, server.port(), bob, false);
  // Warm-up: 20 events, each awaited; then the log's sequence is the base.
  for (int i = 0; i < 20; ++i) {
    std::int64_t before;
    {
      std::lock_guard<std::mutex> lock(m);
      before = last_seq;
    }
    ws->write(asio::buffer(send_frame(chat, bob.id, "warm-up " + std::to_string(i))));
    std::unique_lock<std::mutex> lock(m);
    if (!cv.wait_for(lock, std::chrono::seconds(10), [&] { return last_seq > before; })) {
      note = "warm-up event not committed within 10 s";
      return {};
    }
  }
  {
    std::lock_guard<std::mutex> lock(m);
    base_seq = last_seq;
  }
  auto sent = publish(*ws, chat, bob.id, "engine ", n, rate);
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait_for(lock, std::chrono::seconds(30), [&] { return last_seq >= base_seq + n; });
    if (last_seq != base_seq + n) {
      note = "log sequence " + std::to_string(last_seq) + " != expected " +
             std::to_string(base_seq + n) + ": the seq -> event mapping is off";
    }
  }
  beast::error_code ec;
  beast::get_lowest_layer(*ws).socket().close(ec);
  engine->reset();
  std::lock_guard<std::mutex> lock(m);
  return figures(sent, got);
}

// A raw STOMP client as alice: latency from bob's write to the frame parsed at alice.
Figures raw_run(devserver::DevServer& server, const User& alice, const User& bob,
                const std::string& chat, int n, int rate) {
  asio::io_context ioc_a, ioc_b;
  auto alice_ws = stomp_connect(ioc_a, server.port(), alice, true);
  const auto until = Clock::now() + std::chrono::seconds(10);
  while (server.subscription_count(alice.name) == 0 && Clock::now() < until) {
    std::this_thread::yield();
  }
  auto bob_ws = stomp_connect(ioc_b, server.port(), bob, false);
  std::vector<Clock::time_point> got(static_cast<std::size_t>(n));
  std::atomic<int> received{0};
  const std::string tag = "\"message\":\"raw ";
  std::thread reader([&] {
    stomp::Parser parser;
    beast::flat_buffer buffer;
    while (received < n) {
      beast::error_code ec;
      alice_ws->read(buffer, ec);
      if (ec) return;
      const auto now = Clock::now();
      const auto data = buffer.data();
      parser.feed(std::string_view(static_cast<const char*>(data.data()), data.size()));
      buffer.consume(buffer.size());
      for (;;) {
        auto item = parser.next();
        if (!item || !*item) break;
        auto* f = std::get_if<stomp::Frame>(&**item);
        if (f == nullptr || f->command != "MESSAGE") continue;
        const auto at = f->body.find(tag);
        if (at == std::string::npos) continue;
        const int i = std::atoi(f->body.c_str() + at + tag.size());
        if (i >= 0 && i < n) got[static_cast<std::size_t>(i)] = now;
        ++received;
      }
    }
  });
  auto sent = publish(*bob_ws, chat, bob.id, "raw ", n, rate);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (received < n && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  beast::error_code ec;
  beast::get_lowest_layer(*alice_ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  reader.join();
  beast::get_lowest_layer(*bob_ws).socket().close(ec);
  return figures(sent, got);
}

}  // namespace

int main(int argc, char** argv) {
  int n = 5000, rate = 1000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      n = std::atoi(argv[++i]);
    } else if (a == "--rate" && i + 1 < argc) {
      rate = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: latency_bench [--events N] [--rate EVENTS_PER_S]\n");
      return 2;
    }
  }
  if (n < 1 || rate < 1) {
    std::fprintf(stderr, "latency_bench: --events and --rate must be >= 1\n");
    return 2;
  }
  devserver::DevServerOptions o;
  o.pbkdf2_iterations = 1000;
  o.max_outgoing_bytes = 8 << 20;
  auto server = devserver::DevServer::start(o);
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().describe().c_str());
    return 1;
  }
  const auto port = (*server)->port();
  const User alice = sign_up(port, o.api_key, "alice");
  const User bob = sign_up(port, o.api_key, "bob");
  const auto created = http(port, "POST", "/api/chat/createChat",
                            R"({"chatName":"latency","userNames":["alice","bob"]})",
                            {{"Authorization", "Bearer " + bob.jwt}});
  const std::string chat = field(created.body, "chatId");
  if (alice.id.empty() || bob.id.empty() || chat.empty()) {
    std::fprintf(stderr, "set-up failed: %s\n", created.body.c_str());
    return 1;
  }
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/whisp-latency-bench-" +
                          std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0700);

  std::string note;
  const Figures e = engine_run(**server, o.api_key, alice, bob, chat, dir + "/alice.db", n, rate, note);
  const Figures r = raw_run(**server, alice, bob, chat, n, rate);
  (*server)->stop();
  std::filesystem::remove_all(dir);

  std::printf("latency_bench: dev server in-process on loopback, bob publishes %d events at %d/s "
              "into one chat with alice\n", n, rate);
  std::printf("%-56s %9s %9s %9s %9s\n", "", "p50 ms", "p99 ms", "max ms", "received");
  std::printf("%-56s %9.3f %9.3f %9.3f %9d\n",
              "engine: bob's SEND -> alice's on_change (commit incl.)", e.p50, e.p99, e.max,
              e.received);
  std::printf("%-56s %9.3f %9.3f %9.3f %9d\n", "baseline: raw STOMP client as alice (no engine)",
              r.p50, r.p99, r.max, r.received);
  if (r.p50 > 0 && r.p99 > 0) {
    std::printf("ratio engine / baseline: p50 %.2f, p99 %.2f; engine's own share: p50 %+.3f ms, "
                "p99 %+.3f ms\n", e.p50 / r.p50, e.p99 / r.p99, e.p50 - r.p50, e.p99 - r.p99);
  }
  std::printf("targets: engine p50 < 1 ms, p99 < 5 ms\n");
  if (!note.empty()) std::printf("WARNING: %s\n", note.c_str());
  return note.empty() && e.received == n && r.received == n ? 0 : 1;
}
