// Internal: the listener and the HTTP session (Beast), which answers REST calls and hands a
// WebSocket upgrade at /api/wsConnect (ticket checked) to WsSession, or at /__bench/echo to the
// benchmark's echo session.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <memory>

#include "server_context.hpp"
#include "whisp/result.hpp"

namespace whisp::devserver {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  /// Binds and listens; errors name the endpoint.
  static Result<std::shared_ptr<Listener>> open(boost::asio::io_context& ioc, ServerContext& ctx,
                                                const std::string& host, std::uint16_t port);
  void run();
  void stop();
  std::uint16_t port() const { return port_; }

  Listener(boost::asio::io_context& ioc, ServerContext& ctx);

 private:
  void do_accept();

  boost::asio::io_context& ioc_;
  ServerContext& ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
};

}  // namespace whisp::devserver
