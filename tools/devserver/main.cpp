// whisp-devserver: the command line around the DevServer library (DESIGN.md "Dev server").
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include "devserver.hpp"

int main(int argc, char** argv) {
  using namespace whisp::devserver;
  DevServerOptions o;
  std::string seed;
  std::string reject_mode = "silent";
  CLI::App app{"whisp-devserver: a Whisp-compatible server for tests, benchmarks and the demo"};
  app.add_option("--host", o.host, "address to listen on")->capture_default_str();
  app.add_option("--port", o.port, "port; 0 picks a free one")->capture_default_str();
  app.add_option("--db", o.db_path, "SQLite database file, or :memory:")->capture_default_str();
  app.add_option("--seed", seed, "seed data: demo")->check(CLI::IsMember({"demo"}));
  app.add_option("--api-key", o.api_key, "API key for registration, sign-in and /__admin/")
      ->capture_default_str();
  app.add_option("--jwt-ttl", o.jwt_ttl_seconds, "JWT lifetime in seconds")->capture_default_str();
  app.add_option("--refresh-ttl", o.refresh_ttl_seconds, "refresh token lifetime in seconds")
      ->capture_default_str();
  app.add_option("--ticket-ttl", o.ticket_ttl_seconds, "WebSocket ticket lifetime in seconds")
      ->capture_default_str();
  app.add_option("--heartbeat-ms", o.heartbeat_ms,
                 "server STOMP heart-beat interval; 0 answers heart-beat:0,0")
      ->capture_default_str();
  app.add_option("--threads", o.threads, "io threads")->capture_default_str();
  app.add_option("--pbkdf2-iterations", o.pbkdf2_iterations, "password hashing cost")
      ->capture_default_str();
  app.add_option("--fault-drop-every", o.faults.drop_every,
                 "after every N-th frame sent, close that WebSocket abruptly");
  app.add_option("--fault-store-then-drop", o.faults.store_then_drop,
                 "probability: persist, fan out to all but the sender, drop the sender")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fault-drop-before-store", o.faults.drop_before_store,
                 "probability: drop the sender without persisting its action")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fault-duplicate", o.faults.duplicate, "probability: send an event twice")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--fault-delay-ms", o.faults.delay_ms,
                 "delay outgoing frames up to N ms, order kept per connection");
  app.add_option("--fault-seed", o.faults.seed, "seed of all fault randomness");
  app.add_option("--reject-mode", reject_mode,
                 "actions the server cannot carry out: silent (drop) or error (ERROR + close)")
      ->check(CLI::IsMember({"silent", "error"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.seed_demo = seed == "demo";
  o.faults.reject_mode = reject_mode == "error" ? RejectMode::error : RejectMode::silent;

  // Block the stop signals before the io threads start, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = DevServer::start(o);
  if (!server) {
    std::cerr << "whisp-devserver: " << server.error().describe() << "\n";
    return 1;
  }
  std::cout << "listening on " << (*server)->url() << std::endl;
  std::cout << "api key: " << (*server)->api_key() << "\n";
  for (const auto& u : (*server)->seeded_users()) {
    std::cout << "user " << u.username << " password " << u.password << " id " << u.id << "\n";
  }
  if (!(*server)->seeded_chat_id().empty()) {
    std::cout << "chat " << (*server)->seeded_chat_id() << "\n";
  }
  std::cout.flush();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  (*server)->stop();
  return 0;
}
