#include "echo_session.hpp"

namespace whisp::devserver {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

EchoSession::EchoSession(beast::tcp_stream&& stream) : ws_(std::move(stream)) {}

void EchoSession::run(beast::http::request<beast::http::string_body> req) {
  beast::get_lowest_layer(ws_).expires_never();
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->do_read();
  });
}

void EchoSession::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return;
    self->ws_.text(self->ws_.got_text());
    self->ws_.async_write(self->buffer_.data(),
                          [self](beast::error_code ec2, std::size_t) {
                            if (ec2) return;
                            self->buffer_.consume(self->buffer_.size());
                            self->do_read();
                          });
  });
}

}  // namespace whisp::devserver
