// HttpClient: asynchronous HTTP/1.1 requests over http and https (Boost.Beast).
//
// Each request opens its own connection (resolve, connect, TLS handshake for https, write,
// read, close): no keep-alive reuse. A request has one deadline, `timeout` from the call, and
// every step runs under it; a step that is still running at the deadline fails with
// ErrorCode::timeout and an error naming that step.
//
// Thread safety: `request()` may be called from any thread, concurrently. The callback is
// always invoked on the IoThread's thread, exactly once per request — also for a bad URL — as
// long as the IoThread keeps running (a stopped IoThread drops pending callbacks unrun).
// Lifetime: a request in flight keeps what it needs alive; the HttpClient may be destroyed
// while requests run (their callbacks still come), but the IoThread must outlive them.
//
// Failures (Result error) are transport failures only. Any HTTP status, 4xx and 5xx included, is
// a successful HttpResponse; the caller judges the status. Error messages name the step and
// the peer: "http connect 127.0.0.1:9: Connection refused", "http read 127.0.0.1:8080: timed
// out after 200 ms", "http tls localhost:8443: TLS: certificate does not match host 'localhost'".
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/io_thread.hpp"
#include "net/tls.hpp"
#include "whisp/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace whisp::net {

/// Header fields in wire order; names as sent or received.
using Headers = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive lookup of the first header called `name`, or nullopt.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";  // any token: GET, POST, DELETE, ...
  std::string url;             // http:// or https://, with path and query
  Headers headers;             // added as given; Host, User-Agent and Content-Length are set
  std::string body;            // sent with a Content-Length when non-empty (or POST/PUT)
};

struct HttpResponse {
  unsigned status = 0;  // e.g. 200, 401
  std::string reason;   // e.g. "OK"
  Headers headers;      // wire order
  std::string body;

  /// Case-insensitive: header("authorization") finds "Authorization". First occurrence.
  std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

struct HttpOptions {
  TlsOptions tls;
  std::size_t max_response_body = 16 * 1024 * 1024;  // larger bodies fail the request
  std::string user_agent = "whisp-engine";
};

class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  /// Builds the TLS context once, on the first https request (loading the system's CA store
  /// costs tens of milliseconds, which a plain-http client never pays; see make_tls_context).
  /// If that fails, http requests still work and every https request fails with that error.
  explicit HttpClient(IoThread& io, HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Starts `request`; `callback` gets the response or the error (see the file comment).
  /// Cost: a few allocations here; the work happens on the I/O thread.
  void request(HttpRequest request, std::chrono::milliseconds timeout, Callback callback);

 private:
  IoThread& io_;
  HttpOptions options_;
  std::once_flag tls_once_;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
  std::optional<Error> tls_error_;
};

}  // namespace whisp::net
