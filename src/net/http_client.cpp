#include "net/http_client.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <type_traits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "net/url.hpp"

namespace whisp::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](unsigned char a, unsigned char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One request on its own connection. Every handler runs on the session's strand; the session
// lives as long as a handler holds it (shared_from_this), and calls back exactly once.
template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class... StreamArgs>
  HttpSession(asio::io_context& io, Url url, HttpRequest request, std::chrono::milliseconds timeout,
              const HttpOptions& options, HttpClient::Callback callback,
              StreamArgs&&... stream_args)
      : strand_(asio::make_strand(io)),
        url_(std::move(url)),
        timeout_(timeout),
        deadline_(Clock::now() + timeout),
        options_(options),
        callback_(std::move(callback)),
        resolver_(strand_),
        timer_(strand_),
        stream_(strand_, std::forward<StreamArgs>(stream_args)...) {
    request_.method_string(request.method);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, url_.host_header());
    request_.set(http::field::user_agent, options_.user_agent);
    for (auto& [name, value] : request.headers) request_.insert(name, value);
    request_.body() = std::move(request.body);
    const bool needs_length = !request_.body().empty() || request.method == "POST" ||
                              request.method == "PUT" || request.method == "PATCH";
    if (needs_length) request_.prepare_payload();
  }

  void start() {
    asio::post(strand_, [self = this->shared_from_this()] { self->resolve(); });
  }

 private:
  void resolve() {
    // The resolver has no timeout of its own: a timer cancels it at the deadline.
    timer_.expires_at(deadline_);
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: resolving finished first
      self->resolve_timed_out_ = true;
      self->resolver_.cancel();
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          self->on_resolve(ec, std::move(r));
        });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    timer_.cancel();
    if (resolve_timed_out_) return fail_timeout("resolve");
    if (ec) return fail(ec, "resolve");
    // One absolute expiry covers connect, handshake, write and read.
    beast::get_lowest_layer(stream_).expires_at(deadline_);
    beast::get_lowest_layer(stream_).async_connect(
        results, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          self->on_connect(ec);
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail(ec, "connect");
    if constexpr (kTls) {
      auto prepared = prepare_tls_connection(stream_.native_handle(), url_.host, options_.tls);
      if (!prepared) return finish(prepared.error());
      stream_.async_handshake(asio::ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec == beast::error::timeout) return self->fail(ec, "tls");
                                if (ec) {
                                  return self->finish(Error{
                                      ErrorCode::io_error,
                                      "http tls " + self->url_.authority() + ": " +
                                          describe_tls_failure(self->stream_.native_handle(),
                                                               self->url_.host, ec)});
                                }
                                self->write();
                              });
    } else {
      write();
    }
  }

  void write() {
    http::async_write(stream_, request_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->fail(ec, "write");
                        self->read();
                      });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(options_.max_response_body);
    parser_->header_limit(64 * 1024);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->fail(ec, "read");
                       self->on_read();
                     });
  }

  void on_read() {
    auto& res = parser_->get();
    HttpResponse out;
    out.status = res.result_int();
    out.reason = std::string(res.reason());
    for (const auto& field : res) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(res.body());
    close_socket();
    deliver(std::move(out));
  }

  void fail_timeout(const char* step) {
    finish(Error{ErrorCode::timeout, std::string("http ") + step + " " + url_.authority() +
                                         ": timed out after " + std::to_string(timeout_.count()) +
                                         " ms"});
  }

  void fail(beast::error_code ec, const char* step) {
    if (ec == beast::error::timeout) return fail_timeout(step);
    std::string what = ec.message();
    if (ec == http::error::body_limit) {
      what = "response body over " + std::to_string(options_.max_response_body) + " bytes";
    }
    finish(Error{ErrorCode::io_error,
                 std::string("http ") + step + " " + url_.authority() + ": " + what});
  }

  void finish(Error error) {
    close_socket();
    deliver(std::move(error));
  }

  void deliver(Result<HttpResponse> result) {
    if (!callback_) return;
    auto callback = std::move(callback_);
    callback_ = nullptr;
    callback(std::move(result));
  }

  void close_socket() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  asio::strand<asio::io_context::executor_type> strand_;
  Url url_;
  std::chrono::milliseconds timeout_;
  Clock::time_point deadline_;
  HttpOptions options_;
  HttpClient::Callback callback_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  Stream stream_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  bool resolve_timed_out_ = false;
};

}  // namespace

HttpClient::HttpClient(IoThread& io, HttpOptions options) : io_(io), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

void HttpClient::request(HttpRequest request, std::chrono::milliseconds timeout,
                         Callback callback) {
  auto report = [this, &callback](Error error) {
    io_.post([callback = std::move(callback), error = std::move(error)] { callback(error); });
  };
  auto url = parse_url(request.url);
  if (!url) return report(url.error());
  if (url->websocket()) {
    return report(Error{ErrorCode::invalid_argument,
                        "http: url '" + request.url + "' is a WebSocket URL; use WsClient"});
  }
  if (url->tls()) {
    std::call_once(tls_once_, [this] {
      auto context = make_tls_context(options_.tls);
      if (context) {
        tls_context_ = std::move(context.value());
      } else {
        tls_error_ = context.error();
      }
    });
    if (!tls_context_) return report(*tls_error_);
    // The session shares the context, so it outlives this client if need be.
    auto session = std::make_shared<HttpSession<TlsStream>>(
        io_.context(), std::move(url.value()), std::move(request), timeout, options_,
        [context = tls_context_, callback = std::move(callback)](Result<HttpResponse> r) {
          callback(std::move(r));
        },
        *tls_context_);
    session->start();
  } else {
    auto session = std::make_shared<HttpSession<PlainStream>>(
        io_.context(), std::move(url.value()), std::move(request), timeout, options_,
        std::move(callback));
    session->start();
  }
}

}  // namespace whisp::net
