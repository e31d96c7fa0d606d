// whisp-devserver as a library: a Whisp-compatible server (REST + STOMP 1.2 over WebSocket on
// one port, its own SQLite database, fault switches) that tests, benchmarks and `whisp demo` run
// in-process. Contract: DESIGN.md "Dev server"; protocol: PROTOCOL.md.
//
//   auto server = whisp::devserver::DevServer::start({});   // 127.0.0.1, a free port
//   if (!server) { ... server.error().describe() ... }
//   std::string base = (*server)->url();                    // "http://127.0.0.1:PORT"
//   FaultUpdate u; u.drop_every = 5; (*server)->set_faults(u);
//   (*server)->stop();                                      // also done by the destructor
//
// Threads: the server runs on its own io threads (`DevServerOptions::threads`). Every public
// member function is thread-safe and may be called from any thread except an io thread of the
// same server (stop() joins them).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "faults.hpp"
#include "whisp/result.hpp"

namespace whisp::devserver {

struct DevServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;                 // 0 picks a free port
  std::string db_path = ":memory:";
  std::string api_key = "whisp-dev-api-key";
  std::int64_t jwt_ttl_seconds = 3600;
  std::int64_t refresh_ttl_seconds = 30 * 24 * 3600;
  std::int64_t ticket_ttl_seconds = 30;
  /// Server heart-beat interval in ms: the server sends and expects heart-beats at
  /// max(this, the client's wish) and drops a client silent for 3 x the interval (ERROR, close
  /// code 1002). 0 answers `heart-beat:0,0`, like Spring without a configured scheduler.
  unsigned heartbeat_ms = 0;
  unsigned threads = 2;
  unsigned pbkdf2_iterations = 10000;
  bool seed_demo = false;                 // users alice, bob, carol and a chat with history
  std::size_t max_frame_bytes = 64 * 1024;        // inbound STOMP frame limit
  std::size_t max_outgoing_bytes = 512 * 1024;    // per connection; beyond: close 4500
  FaultConfig faults;
};

/// A user created by `seed_demo`, with the password in clear for the demo to sign in.
struct SeededUser {
  std::string id, username, password, email;
};

class DevServer {
 public:
  /// Opens the database, seeds it when asked, binds and starts the io threads. Errors name what
  /// failed (bind, database, seed).
  static Result<std::unique_ptr<DevServer>> start(DevServerOptions options);

  ~DevServer();
  DevServer(const DevServer&) = delete;
  DevServer& operator=(const DevServer&) = delete;

  std::uint16_t port() const;
  const std::string& host() const;
  /// "http://HOST:PORT".
  std::string url() const;
  const std::string& api_key() const;
  const std::vector<SeededUser>& seeded_users() const;
  /// The id of the demo chat when seeded, empty otherwise.
  const std::string& seeded_chat_id() const;

  /// Applies the present keys of the update (absent keys unchanged, 0 = off), like
  /// `POST /__admin/faults`.
  void set_faults(const FaultUpdate& update);
  FaultConfig faults() const;
  /// Closes the user's WebSockets at once, like `POST /__admin/kick`; returns how many.
  std::size_t kick(const std::string& username);
  /// Open STOMP connections (after CONNECT) of the user; all users when empty.
  std::size_t connection_count(const std::string& username = {}) const;

  /// Open STOMP connections of the user that have subscribed to their queue (tests wait on
  /// this, since a SUBSCRIBE has no acknowledgement).
  std::size_t subscription_count(const std::string& username) const;

  /// Stops accepting, drops every connection and joins the io threads. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit DevServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace whisp::devserver
