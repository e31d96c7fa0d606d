// Test-only: a small Beast server on loopback (plain or TLS) for the client tests.
//
// HTTP: every request goes to `http_handler` (default: 200 with the method, target and body
// echoed, and the request's headers echoed back as "x-echo-<name>"); with `never_answer` the
// server reads the request and stays silent. WebSocket (any upgrade request): selects the first
// subprotocol the client offered that is in `subprotocols` (or `force_subprotocol` as given),
// echoes every message with its type, and answers the text message "__close__" by closing
// (code 1000, reason "bye"). Received WebSocket messages are recorded.
//
// All sockets live on the server's own thread; `records` is read under `waiter`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <thread>

#include <boost/asio/io_context.hpp>

#include "net/http_client.hpp"
#include "net/test_certs.hpp"

namespace whisp::net::testing {

/// Condition waiting without sleeps: update() changes state under the mutex and wakes waiters;
/// wait() returns true once `pred` holds, false at the timeout.
class Waiter {
 public:
  template <class F>
  void update(F&& f) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      f();
    }
    cv_.notify_all();
  }
  template <class P>
  bool wait(P&& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, timeout, std::forward<P>(pred));
  }
  template <class F>
  auto read(F&& f) {
    std::lock_guard<std::mutex> lock(mutex_);
    return f();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
};

struct ServerRequest {
  std::string method;
  std::string target;
  Headers headers;
  std::string body;
};

struct ServerReply {
  unsigned status = 200;
  Headers headers;
  std::string body;
};

struct WsMessage {
  bool text = true;
  std::string data;
};

struct ServerOptions {
  const TestPki* tls = nullptr;  // set: TLS with the PKI's server certificate
  bool never_answer = false;
  std::function<ServerReply(const ServerRequest&)> http_handler;
  std::vector<std::string> subprotocols;
  std::string force_subprotocol;  // answered whatever the client offered
};

class TestServer {
 public:
  explicit TestServer(ServerOptions options);
  ~TestServer();

  std::uint16_t port() const { return port_; }

  /// Server-side records, guarded by `waiter`.
  struct Records {
    std::vector<WsMessage> ws_messages;
    std::vector<std::string> offered_subprotocols;  // the raw header of each upgrade
    int ws_sessions = 0;
    int ws_sessions_ended = 0;
    int http_requests = 0;
  };
  Waiter waiter;
  Records records;  // read and write under waiter (read()/wait())

  struct State;  // internal, shared with the sessions

 private:
  // Order matters: the thread is joined, then the state (acceptor) is released, then the
  // context is destroyed.
  boost::asio::io_context io_;
  std::shared_ptr<State> state_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace whisp::net::testing
