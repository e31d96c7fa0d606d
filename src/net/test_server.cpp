#include "net/test_server.hpp"

#include <deque>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace whisp::net::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct TestServer::State {
  State(TestServer& owner, asio::io_context& io, ServerOptions options)
      : owner(owner), options(std::move(options)), acceptor(io) {}
  TestServer& owner;
  ServerOptions options;
  std::optional<asio::ssl::context> tls;
  tcp::acceptor acceptor;
};

namespace {

ServerReply echo_reply(const ServerRequest& request) {
  ServerReply reply;
  reply.body = request.method + " " + request.target + "\n" + request.body;
  for (const auto& [name, value] : request.headers) reply.headers.emplace_back("x-echo-" + name, value);
  return reply;
}

std::string pick_subprotocol(const ServerOptions& options, std::string_view offered) {
  if (!options.force_subprotocol.empty()) return options.force_subprotocol;
  std::size_t pos = 0;
  while (pos < offered.size()) {
    std::size_t comma = offered.find(',', pos);
    if (comma == std::string_view::npos) comma = offered.size();
    std::string_view item = offered.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    for (const auto& supported : options.subprotocols) {
      if (item == supported) return supported;
    }
    pos = comma + 1;
  }
  return {};
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Session(std::shared_ptr<TestServer::State> state, Args&&... args)
      : state_(std::move(state)), stream_(std::forward<Args>(args)...) {}

  void run() {
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->read_request();
                              });
    } else {
      read_request();
    }
  }

 private:
  TestServer::Records& records() { return state_->owner.records; }
  Waiter& waiter() { return state_->owner.waiter; }

  void read_request() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->on_request();
                     });
  }

  void on_request() {
    if (websocket::is_upgrade(request_)) return accept_ws();
    waiter().update([&] { ++records().http_requests; });
    if (state_->options.never_answer) return read_request();  // silent; ends when the peer goes
    ServerRequest in;
    in.method = std::string(request_.method_string());
    in.target = std::string(request_.target());
    for (const auto& f : request_) in.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    in.body = request_.body();
    ServerReply reply = state_->options.http_handler ? state_->options.http_handler(in) : echo_reply(in);
    response_ = {};
    response_.version(11);
    response_.result(reply.status);
    for (const auto& [name, value] : reply.headers) response_.insert(name, value);
    response_.body() = std::move(reply.body);
    response_.keep_alive(false);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      [self = this->shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        beast::get_lowest_layer(self->stream_).socket().shutdown(
                            tcp::socket::shutdown_send, ignored);
                      });
  }

  void accept_ws() {
    std::string offered(request_[http::field::sec_websocket_protocol]);
    std::string chosen = pick_subprotocol(state_->options, offered);
    waiter().update([&] { records().offered_subprotocols.push_back(offered); });
    ws_.emplace(std::move(stream_));
    ws_->auto_fragment(false);
    ws_->set_option(websocket::stream_base::decorator([chosen](websocket::response_type& res) {
      if (!chosen.empty()) res.set(http::field::sec_websocket_protocol, chosen);
    }));
    ws_->async_accept(request_, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->waiter().update([&] { ++self->records().ws_sessions; });
      self->ws_read();
    });
  }

  void ws_read() {
    ws_->async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->waiter().update([&] { ++self->records().ws_sessions_ended; });
        return;
      }
      WsMessage message{self->ws_->got_text(), beast::buffers_to_string(self->buffer_.data())};
      self->buffer_.consume(self->buffer_.size());
      self->waiter().update([&] { self->records().ws_messages.push_back(message); });
      if (message.text && message.data == "__close__") {
        self->ws_->async_close(websocket::close_reason(websocket::close_code::normal, "bye"),
                               [self](beast::error_code) {});
      } else {
        self->out_.push_back(std::move(message));
        self->ws_write();
      }
      self->ws_read();
    });
  }

  void ws_write() {
    if (writing_ || out_.empty()) return;
    writing_ = true;
    ws_->text(out_.front().text);
    ws_->async_write(asio::buffer(out_.front().data),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing_ = false;
                       if (ec) return;
                       self->out_.pop_front();
                       self->ws_write();
                     });
  }

  std::shared_ptr<TestServer::State> state_;
  Stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::optional<websocket::stream<Stream>> ws_;
  std::deque<WsMessage> out_;
  bool writing_ = false;
};

void accept_next(std::shared_ptr<TestServer::State> state) {
  state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    if (state->tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(state, std::move(socket),
                                                                        *state->tls)
          ->run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(state, std::move(socket))->run();
    }
    accept_next(state);
  });
}

}  // namespace

TestServer::TestServer(ServerOptions options)
    : state_(std::make_shared<State>(*this, io_, std::move(options))) {
  if (state_->options.tls) {
    state_->tls.emplace(asio::ssl::context::tls_server);
    const auto& pki = *state_->options.tls;
    state_->tls->use_certificate_chain(asio::buffer(pki.server_cert));
    state_->tls->use_private_key(asio::buffer(pki.server_key), asio::ssl::context::pem);
  }
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  accept_next(state_);
  thread_ = std::thread([this] { io_.run(); });
}

TestServer::~TestServer() {
  io_.stop();
  thread_.join();
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  state_.reset();
}

}  // namespace whisp::net::testing
