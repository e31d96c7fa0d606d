// One STOMP-over-WebSocket connection at /api/wsConnect (PROTOCOL.md section 3), after the
// ticket was accepted by the HTTP session. Shaped like Beast's async server examples: do_read /
// on_read pairs on a strand, a bounded outgoing queue written one frame per WebSocket message.
//
// Thread-safety: everything touching the socket runs on the session's strand; deliver_event()
// and drop() may be called from any thread (the hub calls them under ServerContext::mutex).
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "hub.hpp"
#include "protocol/stomp.hpp"
#include "server_context.hpp"

namespace whisp::devserver {

namespace beast = boost::beast;
namespace net = boost::asio;

class WsSession : public StompPeer, public std::enable_shared_from_this<WsSession> {
 public:
  /// `ticket_user_id`: the user whose ticket opened this socket; the CONNECT's JWT must match.
  WsSession(beast::tcp_stream&& stream, ServerContext& ctx, std::string ticket_user_id);
  ~WsSession() override;

  /// Accepts the upgrade (choosing v12.stomp / v11.stomp / v10.stomp when offered) and starts
  /// reading.
  void run(beast::http::request<beast::http::string_body> req);

  // StompPeer
  const std::string& user_id() const override { return user_id_; }
  void deliver_event(std::string json) override;
  void drop() override;
  bool subscribed() const override;

 private:
  using Clock = std::chrono::steady_clock;
  enum class After { nothing, drop, close_protocol_error, close_normal };
  struct Outgoing {
    std::string bytes;
    Clock::time_point due;
    After after = After::nothing;
  };

  // I/O (ws_session.cpp)
  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t n);
  /// Queues encoded bytes; `count` makes it a frame for the dropEvery counter.
  void enqueue(std::string bytes, After after, bool count = true);
  void do_write();
  void on_write(beast::error_code ec, std::size_t n);
  void finish(After after);
  void close_now();
  void start_heart_beats();
  void on_heart_beat_check();
  void on_heart_beat_send();

  // STOMP (stomp_handler.cpp)
  void handle_frame(const stomp::Frame& f);
  void handle_connect(const stomp::Frame& f);
  void handle_subscribe(const stomp::Frame& f);
  void handle_send(const stomp::Frame& f);
  void send_frame(const stomp::Frame& f, After after = After::nothing);
  /// ERROR with `reason` (and receipt-id when the offending frame had a receipt), then close
  /// code 1002.
  void fail(const std::string& reason, const stomp::Frame* cause = nullptr);
  /// An action the server cannot carry out: silent drop or fail(), by the reject mode.
  void reject(const std::string& reason, const stomp::Frame& cause);

  beast::websocket::stream<beast::tcp_stream> ws_;
  ServerContext& ctx_;
  const std::string ticket_user_;
  std::string user_id_;  // set once by CONNECT, before the hub knows the session
  beast::flat_buffer buffer_;
  stomp::Parser parser_;
  bool connected_ = false;   // strand only
  bool stopped_ = false;     // strand only: no more reads or handling
  Clock::time_point last_inbound_;
  unsigned client_interval_ms_ = 0;  // the client must send at least this often
  unsigned server_interval_ms_ = 0;  // we send heart-beats this often
  net::steady_timer check_timer_;
  net::steady_timer beat_timer_;
  net::steady_timer delay_timer_;

  mutable std::mutex out_mutex_;  // guards everything below
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // no more frames are queued
  std::string subscription_;  // empty: not subscribed
  Clock::time_point last_due_;
};

}  // namespace whisp::devserver
