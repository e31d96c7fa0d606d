// WsClient: one WebSocket client connection (ws:// or wss://) over Boost.Beast, built for
// STOMP: outgoing bytes are a stream that may be split into messages anywhere, incoming
// messages, text or binary, are handed on as bytes in order.
//
// Life of a connection:
//   auto ws = WsClient::create(io);
//   ws->connect(url, options, {on_open, on_data, on_close, on_pong});
//   ...  ws->send(bytes); ws->ping();  ...
//   ws->close();   // or abort(); or the peer closes; or a step fails
// `on_close` is called exactly once for every connect() (also when the URL is bad or the
// connection never opened), and after it no other handler is called. `on_open` is called at most
// once, before any `on_data`. A WsClient is good for one connection: create a new one to
// reconnect.
//
// Threads: every handler runs on the IoThread's thread, one at a time (never concurrently with
// another handler of the same client). Every member function is safe from any thread,
// concurrently, and never blocks on the network; handlers may call them (they post to the I/O
// thread and return). Handlers must not block: they hold up every socket of that IoThread.
//
// Lifetime: operations in flight hold a shared_ptr to the client, so a connection keeps running
// when the caller drops its pointer: call abort() (or close()) first to end it. The IoThread must
// outlive the client's connection; a stopped IoThread drops pending work and with it the final
// on_close.
//
// Timeouts: resolve, TCP connect, TLS handshake and the WebSocket upgrade each have their own
// (WsOptions::timeouts); close() completes within `timeouts.close` or aborts. Liveness of an
// open connection is the owner's business: ping() and watch on_pong / last_activity(); or set
// WsOptions::idle_timeout to let Beast ping and drop a silent peer itself.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_client.hpp"
#include "net/io_thread.hpp"
#include "net/tls.hpp"
#include "whisp/result.hpp"

namespace whisp::net {

struct WsTimeouts {
  std::chrono::milliseconds resolve{10'000};
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds tls_handshake{10'000};
  std::chrono::milliseconds upgrade{10'000};  // the HTTP upgrade request and its answer
  std::chrono::milliseconds close{5'000};     // close(): flush the queue and the close handshake
};

struct WsOptions {
  /// Offered in Sec-WebSocket-Protocol, in order of preference ("v12.stomp", ...). The
  /// server's choice is passed to on_open; a choice that was not offered fails the connection.
  std::vector<std::string> subprotocols;
  /// Extra headers of the upgrade request.
  Headers headers;
  WsTimeouts timeouts;
  TlsOptions tls;  // for wss://
  /// send() splits its bytes into messages of at most this many bytes (at least 4).
  std::size_t max_outgoing_message = 8192;
  /// Bytes accepted by send() and not yet written (the message being written included). A
  /// send() that would exceed it is refused (see send()).
  std::size_t max_queue_bytes = 1024 * 1024;
  /// An incoming message larger than this fails the connection (ErrorCode::frame_too_large).
  std::size_t max_incoming_message = 4 * 1024 * 1024;
  /// 0: off. Otherwise Beast sends a ping after half this time without incoming data and drops
  /// the connection (on_close with ErrorCode::timeout) when nothing arrives within it.
  std::chrono::milliseconds idle_timeout{0};
};

struct WsHandlers {
  /// The upgrade succeeded; the argument is the subprotocol the server selected ("" for none).
  std::function<void(const std::string& subprotocol)> on_open;
  /// The payload of one incoming message, text and binary alike, in arrival order.
  std::function<void(std::string bytes)> on_data;
  /// The connection is over; called exactly once per connect(). The reason's code:
  ///  closed   — close()/abort() by us ("ws: closed by client", "ws: aborted by caller"), or the
  ///             peer's close frame ("ws: closed by server (code 1000: bye)");
  ///  io_error — a step failed ("ws connect 127.0.0.1:9: Connection refused", "ws read ...");
  ///  timeout  — a step ran out of time ("ws upgrade 127.0.0.1:8080: timed out after 200 ms");
  ///  invalid_argument / protocol_error / frame_too_large — bad URL or options, upgrade
  ///             refused ("... server answered 404 Not Found"), subprotocol not offered,
  ///             message over max_incoming_message.
  std::function<void(Error reason)> on_close;
  /// Optional: a pong arrived (an answer to ping(), or unsolicited).
  std::function<void()> on_pong;
};

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  using Clock = std::chrono::steady_clock;

  /// A client whose sockets and handlers live on `io`. Cheap; nothing happens until connect().
  static std::shared_ptr<WsClient> create(IoThread& io);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  /// Opens `url` (ws:// or wss://). Any failure, a bad URL included, arrives as on_close on the
  /// I/O thread, never as a return value. A second connect() on the same client gets on_close
  /// (invalid_argument) on its own handlers and leaves the first connection alone.
  void connect(std::string url, WsOptions options, WsHandlers handlers);

  /// Queues `bytes` for sending: split into messages of at most max_outgoing_message bytes
  /// (never inside a UTF-8 sequence; each message is sent as text when it is valid UTF-8, as
  /// binary otherwise), written one at a time in the order send() calls returned. Bytes queued
  /// before the connection opens are written once it is open. Returns:
  ///  Ok — all bytes queued (an empty `bytes` queues nothing);
  ///  rejected — the queue would exceed max_queue_bytes; nothing of `bytes` was queued and the
  ///             connection stays open (the caller decides: retry later, or abort());
  ///  closed — connect() not called yet, or close()/abort() called, or the connection is over.
  /// Cost: one copy of the bytes into the messages, O(n) UTF-8 check, a mutex, one post.
  Status send(std::string bytes);

  /// Sends a WebSocket ping if the connection is open and no ping is outstanding; else nothing.
  void ping();

  /// Graceful close: refuses further send()s, writes what is queued, then the close handshake
  /// (code 1000); on_close follows, within timeouts.close at the latest. Before the connection
  /// is open it ends the attempt at once. Idempotent; no effect after on_close.
  void close();

  /// Immediate close: drops the queue and the socket now; on_close follows promptly with
  /// "ws: aborted by caller". Idempotent; no effect after on_close.
  void abort();

  /// Last time anything arrived (message, ping, pong, close) or the connection opened.
  /// Clock::time_point{} before that. Any thread; an atomic read.
  Clock::time_point last_activity() const;

  /// Bytes accepted by send() and not yet written. Any thread.
  std::size_t queued_bytes() const;

 private:
  struct Impl;
  explicit WsClient(IoThread& io);

  std::unique_ptr<Impl> impl_;
  // State shared with callers' threads (send, queued_bytes, API calls before the I/O thread
  // runs them): guarded by mutex_. Everything in impl_ is touched on the I/O strand only.
  mutable std::mutex mutex_;
  bool connect_called_ = false;
  bool accepting_ = false;  // send() accepted: from connect() to close()/abort()/on_close
  std::size_t max_outgoing_message_ = 8192;
  std::size_t max_queue_bytes_ = 0;
  std::size_t queued_bytes_ = 0;
  struct Outgoing {
    std::string data;
    bool text = true;
  };
  std::deque<Outgoing> queue_;
  std::atomic<Clock::rep> last_activity_{0};
};

/// True when `bytes` is well-formed UTF-8 (no overlongs, surrogates or code points past
/// U+10FFFF). Exposed for the tests.
bool is_valid_utf8(std::string_view bytes);

}  // namespace whisp::net
