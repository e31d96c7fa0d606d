#include "http_session.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "echo_session.hpp"
#include "rest_api.hpp"
#include "ws_session.hpp"

namespace whisp::devserver {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, ServerContext& ctx) : stream_(std::move(socket)), ctx_(ctx) {}

  void run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(1 << 20);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) return;  // timeout, reset, or a request we cannot parse: drop the connection
    auto req = parser_->release();
    if (beast::websocket::is_upgrade(req)) return upgrade(std::move(req));
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.authorization = std::string(req[http::field::authorization]);
    r.api_key = std::string(req["x-api-key"]);
    r.body = std::move(req.body());
    const HttpResponse out = handle_rest(ctx_, r);
    send(out.status, out.body, out.authorization, req.version(), req.keep_alive());
  }

  void send(int status, std::string body, const std::string& authorization, unsigned version,
            bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), version);
    res->set(http::field::server, "whisp-devserver");
    res->set(http::field::content_type, "application/json");
    if (!authorization.empty()) {
      res->set(http::field::authorization, authorization);
      res->set(http::field::access_control_expose_headers, "Authorization");
    }
    res->keep_alive(keep_alive);
    res->body() = std::move(body);
    res->prepare_payload();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!res->keep_alive()) return self->do_close();
                        self->do_read();
                      });
  }

  void upgrade(http::request<http::string_body> req) {
    const auto target = rest_detail::parse_target(std::string(req.target()));
    if (target.path == "/__bench/echo") {
      std::make_shared<EchoSession>(std::move(stream_))->run(std::move(req));
      return;
    }
    if (target.path != "/api/wsConnect") {
      return send(404, R"({"message":"no WebSocket endpoint here"})", "", req.version(), false);
    }
    const auto ticket = target.param("ticket").value_or("");
    Result<std::string> user = Error{ErrorCode::auth_failed, "ticket: missing"};
    if (!ticket.empty()) {
      std::lock_guard<std::mutex> lock(ctx_.mutex);
      user = ctx_.state->consume_ticket(ticket, ServerContext::now_seconds());
    }
    if (!user) {
      const auto denied = rest_detail::unauthorized(user.error().message, target.path,
                                                    "TICKET_INVALID");
      return send(denied.status, denied.body, "", req.version(), false);
    }
    std::make_shared<WsSession>(std::move(stream_), ctx_, std::move(*user))->run(std::move(req));
  }

  void do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  ServerContext& ctx_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

Listener::Listener(net::io_context& ioc, ServerContext& ctx)
    : ioc_(ioc), ctx_(ctx), acceptor_(net::make_strand(ioc)) {}

Result<std::shared_ptr<Listener>> Listener::open(net::io_context& ioc, ServerContext& ctx,
                                                 const std::string& host, std::uint16_t port) {
  auto l = std::make_shared<Listener>(ioc, ctx);
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return Error{ErrorCode::invalid_argument, "host: " + host + ": " + ec.message()};
  const tcp::endpoint endpoint(address, port);
  const std::string where = host + ":" + std::to_string(port);
  l->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) l->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(endpoint, ec);
  if (!ec) l->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error{ErrorCode::io_error, "listen on " + where + ": " + ec.message()};
  l->port_ = l->acceptor_.local_endpoint().port();
  return l;
}

void Listener::run() { do_accept(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
}

void Listener::do_accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](
                                                     beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<HttpSession>(std::move(socket), self->ctx_)->run();
    }
    self->do_accept();
  });
}

}  // namespace whisp::devserver
