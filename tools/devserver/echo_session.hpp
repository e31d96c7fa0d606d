// Internal: a plain WebSocket echo at the hidden path /__bench/echo, the benchmark's baseline
// (the same bytes over the same sockets, without STOMP or persistence).
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <memory>

namespace whisp::devserver {

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  explicit EchoSession(boost::beast::tcp_stream&& stream);
  void run(boost::beast::http::request<boost::beast::http::string_body> req);

 private:
  void do_read();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace whisp::devserver
