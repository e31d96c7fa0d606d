// A tiny loopback client for the dev server tests: blocking HTTP calls and a STOMP-over-
// WebSocket client whose waits all take a timeout (no sleeps). Beast, one io_context per client,
// driven from the test's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "protocol/stomp.hpp"
#include "whisp/result.hpp"

namespace whisp::devserver::testing {

using namespace std::chrono_literals;

struct HttpResult {
  int status = 0;
  std::string body;
  std::string authorization;  // the Authorization response header
};

/// One HTTP/1.1 request on a fresh connection. Headers are name -> value.
HttpResult http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body = {},
                const std::map<std::string, std::string>& headers = {});

// Waits default to 15 s: a frame over loopback comes in milliseconds, but a sanitizer build on
// two loaded cores can stall a thread for seconds; a test that expects nothing passes its own.
class WsClient {
 public:
  /// Opens ws://127.0.0.1:PORT/TARGET offering `subprotocols` (comma-separated, may be empty).
  static Result<std::unique_ptr<WsClient>> open(std::uint16_t port, const std::string& target,
                                                const std::string& subprotocols = "v12.stomp");
  ~WsClient();

  /// The subprotocol the server chose, or empty.
  const std::string& subprotocol() const { return subprotocol_; }

  /// Sends bytes as one WebSocket text message.
  Status send(const std::string& bytes);
  Status send_frame(const stomp::Frame& f) { return send(stomp::encode(f)); }

  /// The next STOMP frame (heart-beats skipped and counted), or timeout / closed / a parse error.
  Result<stomp::Frame> next_frame(std::chrono::milliseconds timeout = 15s);
  /// The next frame whose command is `command`, skipping others.
  Result<stomp::Frame> next(const std::string& command, std::chrono::milliseconds timeout = 15s);
  /// The next raw WebSocket message.
  Result<std::string> next_message(std::chrono::milliseconds timeout = 15s);
  /// Waits for the connection to end; true when it did within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = 15s);
  /// The close code the server sent (0 when it dropped the socket without a close frame).
  int close_code() const { return close_code_; }
  bool closed() const { return closed_; }
  std::size_t heart_beats() const { return heart_beats_; }

  /// Closes the TCP socket without a WebSocket close.
  void drop();

 private:
  WsClient();
  void start_read();
  void pump(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done);

  boost::asio::io_context ioc_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::string subprotocol_;
  std::deque<std::string> messages_;
  stomp::Parser parser_;
  bool closed_ = false;
  int close_code_ = 0;
  std::size_t heart_beats_ = 0;
};

}  // namespace whisp::devserver::testing
