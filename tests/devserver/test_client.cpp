#include "test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

namespace whisp::devserver::testing {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

HttpResult http(std::uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const std::map<std::string, std::string>& headers) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  HttpResult out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.authorization = std::string(res[bhttp::field::authorization]);
  return out;
}

WsClient::WsClient() : ws_(ioc_) {}

WsClient::~WsClient() {
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
}

Result<std::unique_ptr<WsClient>> WsClient::open(std::uint16_t port, const std::string& target,
                                                 const std::string& subprotocols) {
  std::unique_ptr<WsClient> c(new WsClient());
  beast::error_code ec;
  beast::get_lowest_layer(c->ws_).connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return Error{ErrorCode::io_error, "connect: " + ec.message()};
  c->ws_.set_option(beast::websocket::stream_base::decorator(
      [subprotocols](beast::websocket::request_type& req) {
        if (!subprotocols.empty()) req.set(bhttp::field::sec_websocket_protocol, subprotocols);
      }));
  beast::websocket::response_type res;
  c->ws_.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
  if (ec) {
    return Error{ErrorCode::io_error, "handshake: " + ec.message() + " (HTTP " +
                                          std::to_string(res.result_int()) + ")"};
  }
  c->subprotocol_ = std::string(res[bhttp::field::sec_websocket_protocol]);
  c->ws_.read_message_max(16 << 20);
  c->start_read();
  return c;
}

void WsClient::start_read() {
  ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
    if (ec) {
      closed_ = true;
      close_code_ = ws_.reason().code;
      return;
    }
    messages_.push_back(beast::buffers_to_string(buffer_.data()));
    buffer_.consume(buffer_.size());
    start_read();
  });
}

void WsClient::pump(std::chrono::steady_clock::time_point deadline,
                    const std::function<bool()>& done) {
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    if (ioc_.run_one_until(deadline) == 0 && ioc_.stopped()) {
      if (closed_) return;
      ioc_.restart();
    }
  }
}

Status WsClient::send(const std::string& bytes) {
  if (closed_) return Error{ErrorCode::closed, "send: closed"};
  bool done = false;
  beast::error_code wec;
  ws_.text(true);
  ws_.async_write(net::buffer(bytes), [&](beast::error_code ec, std::size_t) {
    done = true;
    wec = ec;
  });
  pump(std::chrono::steady_clock::now() + 15s, [&] { return done; });
  if (!done) return Error{ErrorCode::timeout, "send: timed out"};
  if (wec) return Error{ErrorCode::io_error, "send: " + wec.message()};
  return Ok{};
}

Result<std::string> WsClient::next_message(std::chrono::milliseconds timeout) {
  pump(std::chrono::steady_clock::now() + timeout, [&] { return !messages_.empty() || closed_; });
  if (messages_.empty()) {
    return Error{closed_ ? ErrorCode::closed : ErrorCode::timeout,
                 closed_ ? "closed (code " + std::to_string(close_code_) + ")" : "timed out"};
  }
  std::string m = std::move(messages_.front());
  messages_.pop_front();
  return m;
}

Result<stomp::Frame> WsClient::next_frame(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto item = parser_.next();
    if (!item) return item.error();
    if (*item) {
      if (auto* f = std::get_if<stomp::Frame>(&**item)) return std::move(*f);
      ++heart_beats_;
      continue;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto m = next_message(left.count() > 0 ? left : 0ms);
    if (!m) return m.error();
    parser_.feed(*m);
  }
}

Result<stomp::Frame> WsClient::next(const std::string& command,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto f = next_frame(left.count() > 0 ? left : 0ms);
    if (!f || f->command == command) return f;
  }
}

bool WsClient::wait_closed(std::chrono::milliseconds timeout) {
  pump(std::chrono::steady_clock::now() + timeout, [&] { return closed_; });
  return closed_;
}

void WsClient::drop() {
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws_).socket().close(ec);
}

}  // namespace whisp::devserver::testing
