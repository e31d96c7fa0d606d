// Dev server benchmark (issue 4): 200 concurrent STOMP clients over loopback in 20 chats of 10,
// each sending closed-loop (next SEND after its own echo): fan-out events/s and p50/p99 latency
// from SEND written to event received, at every member. Baseline in the same run: the same 200
// clients sending the same bytes to a plain WebSocket echo (/__bench/echo), no STOMP, no
// persistence. Usage: devserver_bench [sends_per_client=100] [server_threads=1]
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "devserver.hpp"
#include "protocol/actions.hpp"
#include "protocol/stomp.hpp"
#include "test_client.hpp"

namespace beast = boost::beast;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using whisp::devserver::testing::http;

namespace {

constexpr int kClients = 200;
constexpr int kChatSize = 10;

struct Run {
  int sends_per_client = 100;
  std::vector<std::vector<Clock::time_point>> sent_at;  // [client][seq]
  std::vector<double> latencies_us;
  long events = 0;
  int finished = 0;
};

struct Client : std::enable_shared_from_this<Client> {
  Client(net::io_context& ioc, Run& run, int index) : ws(ioc), run(run), index(index) {}

  beast::websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  whisp::stomp::Parser parser;
  Run& run;
  int index;
  std::string user_id, chat_id;
  bool echo = false;
  int seq = 0;
  std::string out;  // the frame being written

  std::string key(int s) const { return "k" + std::to_string(index) + "_" + std::to_string(s); }

  void send_next() {
    const auto action = whisp::action::SendMsg{chat_id, key(seq), "2024-01-15T10:30:00Z"};
    whisp::stomp::Frame f;
    f.command = "SEND";
    f.add("destination", "/api/chat");
    f.add("content-type", "application/json");
    f.body = whisp::encode_action(action, user_id);
    out = whisp::stomp::encode(f);
    run.sent_at[index][seq] = Clock::now();
    ws.async_write(net::buffer(out), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) std::fprintf(stderr, "write: %s\n", ec.message().c_str());
    });
  }

  void on_body(std::string_view body) {
    constexpr std::string_view tag = "\"message\":\"k";
    const auto at = body.find(tag);
    if (at == std::string_view::npos) return;
    const auto start = at + tag.size();
    const auto under = body.find('_', start);
    const auto end = body.find('"', under);
    const int who = std::stoi(std::string(body.substr(start, under - start)));
    const int s = std::stoi(std::string(body.substr(under + 1, end - under - 1)));
    const auto dt = Clock::now() - run.sent_at[who][s];
    run.latencies_us.push_back(std::chrono::duration<double, std::micro>(dt).count());
    ++run.events;
    if (who == index && s == seq) {  // our own echo: send the next one
      if (++seq < run.sends_per_client) {
        send_next();
      } else {
        ++run.finished;
      }
    }
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      const auto data = self->buffer.data();
      std::string_view bytes(static_cast<const char*>(data.data()), data.size());
      if (self->echo) {
        self->on_body(bytes);
      } else {
        self->parser.feed(bytes);
        for (;;) {
          auto item = self->parser.next();
          if (!item || !*item) break;
          if (auto* f = std::get_if<whisp::stomp::Frame>(&**item)) {
            if (f->command == "MESSAGE") self->on_body(f->body);
          }
        }
      }
      self->buffer.consume(self->buffer.size());
      self->read();
    });
  }
};

std::string field(const std::string& json, const std::string& name) {
  const auto tag = "\"" + name + "\":\"";
  const auto at = json.find(tag);
  if (at == std::string::npos) return {};
  const auto start = at + tag.size();
  return json.substr(start, json.find('"', start) - start);
}

struct Figures {
  double seconds = 0, events_per_s = 0, sends_per_s = 0, p50_us = 0, p99_us = 0;
  long events = 0;
};

Figures measure(net::io_context& ioc, std::vector<std::shared_ptr<Client>>& clients, Run& run,
                long expected_events) {
  const auto t0 = Clock::now();
  for (auto& c : clients) c->read();
  for (auto& c : clients) c->send_next();
  // Until every sender saw its last echo and every member got every event.
  while (run.finished < kClients || run.events < expected_events) {
    if (ioc.run_one_for(std::chrono::seconds(30)) == 0) {
      std::fprintf(stderr, "stalled: %d clients finished\n", run.finished);
      break;
    }
  }
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  f.events = run.events;
  f.events_per_s = run.events / f.seconds;
  f.sends_per_s = kClients * static_cast<double>(run.sends_per_client) / f.seconds;
  auto& l = run.latencies_us;
  std::sort(l.begin(), l.end());
  f.p50_us = l[l.size() / 2];
  f.p99_us = l[l.size() * 99 / 100];
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const int sends = argc > 1 ? std::atoi(argv[1]) : 100;
  whisp::devserver::DevServerOptions o;
  o.pbkdf2_iterations = 1000;
  o.threads = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 1;
  o.max_outgoing_bytes = 8 << 20;
  auto server = whisp::devserver::DevServer::start(o);
  if (!server) {
    std::fprintf(stderr, "%s\n", server.error().describe().c_str());
    return 1;
  }
  const auto port = (*server)->port();
  const std::map<std::string, std::string> key{{"x-api-key", o.api_key}};

  // Users and chats.
  std::vector<std::string> ids(kClients), jwts(kClients), chats(kClients / kChatSize);
  for (int i = 0; i < kClients; ++i) {
    const std::string name = "u" + std::to_string(i);
    const std::string cred = R"({"username":")" + name + R"(","password":"pw","email":"x@y"})";
    http(port, "POST", "/api/user/registerUser", cred, key);
    const auto in = http(port, "POST", "/api/user/signin", cred, key);
    ids[i] = field(in.body, "id");
    jwts[i] = in.authorization.substr(7);
  }
  for (int c = 0; c < kClients / kChatSize; ++c) {
    std::string names;
    for (int m = 0; m < kChatSize; ++m) {
      names += (m ? ",\"u" : "\"u") + std::to_string(c * kChatSize + m) + "\"";
    }
    const auto r = http(port, "POST", "/api/chat/createChat",
                        R"({"chatName":"bench","userNames":[)" + names + "]}",
                        {{"Authorization", "Bearer " + jwts[c * kChatSize]}});
    chats[c] = field(r.body, "chatId");
  }

  auto open_all = [&](bool echo, Run& run) {
    net::io_context ioc;
    std::vector<std::shared_ptr<Client>> clients;
    run.sends_per_client = sends;
    run.sent_at.assign(kClients, std::vector<Clock::time_point>(sends));
    run.latencies_us.reserve(static_cast<std::size_t>(kClients) * sends * (echo ? 1 : kChatSize));
    for (int i = 0; i < kClients; ++i) {
      auto c = std::make_shared<Client>(ioc, run, i);
      c->echo = echo;
      c->user_id = ids[i];
      c->chat_id = chats[i / kChatSize];
      beast::get_lowest_layer(c->ws).connect(
          net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
      beast::get_lowest_layer(c->ws).socket().set_option(net::ip::tcp::no_delay(true));
      c->ws.text(true);
      if (echo) {
        c->ws.handshake("127.0.0.1", "/__bench/echo");
      } else {
        const auto t = http(port, "GET", "/api/auth/getTicket", {},
                            {{"Authorization", "Bearer " + jwts[i]}});
        c->ws.handshake("127.0.0.1", "/api/wsConnect?ticket=" + field(t.body, "ticket"));
        whisp::stomp::Frame f;
        f.command = "CONNECT";
        f.add("accept-version", "1.2");
        f.add("heart-beat", "0,0");
        f.add("Authorization", "Bearer " + jwts[i]);
        c->ws.write(net::buffer(whisp::stomp::encode(f)));
        beast::flat_buffer b;
        c->ws.read(b);  // CONNECTED
        whisp::stomp::Frame s;
        s.command = "SUBSCRIBE";
        s.add("id", "0");
        s.add("destination", "/user/" + ids[i] + "/queue/messages");
        c->ws.write(net::buffer(whisp::stomp::encode(s)));
      }
      clients.push_back(std::move(c));
    }
    if (!echo) {
      for (int i = 0; i < kClients; ++i) {
        while ((*server)->subscription_count("u" + std::to_string(i)) == 0) {
          std::this_thread::yield();
        }
      }
    }
    auto figures = measure(ioc, clients, run,
                           static_cast<long>(kClients) * sends * (echo ? 1 : kChatSize));
    for (auto& c : clients) {
      beast::error_code ec;
      beast::get_lowest_layer(c->ws).socket().close(ec);
    }
    return figures;
  };

  Run stomp_run, echo_run;
  const auto s = open_all(false, stomp_run);
  const auto e = open_all(true, echo_run);
  std::printf("devserver_bench: %d clients, %d chats of %d, %d sends each, server threads %u\n",
              kClients, kClients / kChatSize, kChatSize, sends, o.threads);
  std::printf("%-34s %12s %12s %10s %10s\n", "", "events/s", "sends/s", "p50 ms", "p99 ms");
  std::printf("%-34s %12.0f %12.0f %10.3f %10.3f\n", "STOMP fan-out (persisted)", s.events_per_s,
              s.sends_per_s, s.p50_us / 1000, s.p99_us / 1000);
  std::printf("%-34s %12.0f %12.0f %10.3f %10.3f\n", "baseline: WebSocket echo", e.events_per_s,
              e.sends_per_s, e.p50_us / 1000, e.p99_us / 1000);
  std::printf("ratios STOMP/echo: events/s %.2f, sends/s %.2f, p50 %.2f, p99 %.2f\n",
              s.events_per_s / e.events_per_s, s.sends_per_s / e.sends_per_s,
              s.p50_us / e.p50_us, s.p99_us / e.p99_us);
  std::printf("events received: STOMP %ld (expected %d), echo %ld (expected %d)\n", s.events,
              kClients * sends * kChatSize, e.events, kClients * sends);
  (*server)->stop();
  return 0;
}
