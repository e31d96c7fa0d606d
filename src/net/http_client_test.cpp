#include "net/http_client.hpp"

#include <catch2/catch.hpp>

#include <future>

#include <boost/asio/ip/tcp.hpp>

#include "net/test_certs.hpp"
#include "net/test_server.hpp"

using namespace std::chrono_literals;
using whisp::ErrorCode;
using whisp::Result;
using namespace whisp::net;
using namespace whisp::net::testing;

namespace {

Result<HttpResponse> fetch(HttpClient& client, HttpRequest request,
                           std::chrono::milliseconds timeout = 10s) {
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  auto future = promise->get_future();
  client.request(std::move(request), timeout,
                 [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); });
  // Room for every step's timeout (connect, TLS, write, read) under a sanitizer on loaded cores.
  REQUIRE(future.wait_for(60s) == std::future_status::ready);
  return future.get();
}

std::string url(const TestServer& server, const std::string& host, const std::string& scheme,
                const std::string& target) {
  return scheme + "://" + host + ":" + std::to_string(server.port()) + target;
}

// A port that refuses connections: a socket bound to it but not listening. It stays bound while
// the test runs, so no test running beside it (ctest -j) can be given the port meanwhile.
struct RefusingPort {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket{io};
  RefusingPort() {
    socket.open(boost::asio::ip::tcp::v4());
    socket.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  }
  unsigned short port() const { return socket.local_endpoint().port(); }
};

}  // namespace

TEST_CASE("an HTTP GET and POST round trip with their headers, looked up case-insensitively") {
  TestServer server({});
  IoThread io;
  HttpClient client(io);

  SECTION("GET with a query and a custom header") {
    auto r = fetch(client, {"GET", url(server, "127.0.0.1", "http", "/hello?x=1"),
                            {{"X-Test", "abc"}}, ""});
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "GET /hello?x=1\n");
    REQUIRE(r->header("X-ECHO-X-TEST"));
    CHECK(*r->header("x-echo-x-test") == "abc");
    CHECK_FALSE(r->header("x-absent"));
  }
  SECTION("POST with a JSON body") {
    std::string body = R"({"username":"alice","password":"pw"})";
    auto r = fetch(client, {"POST", url(server, "127.0.0.1", "http", "/api/user/signin"),
                            {{"Content-Type", "application/json"}}, body});
    REQUIRE(r.ok());
    CHECK(r->body == "POST /api/user/signin\n" + body);
    CHECK(*r->header("X-Echo-Content-Type") == "application/json");
    CHECK(*r->header("x-echo-content-length") == std::to_string(body.size()));
  }
}

TEST_CASE("an error status is a response, and a JWT in the Authorization header is found") {
  ServerOptions options;
  options.http_handler = [](const ServerRequest&) {
    return ServerReply{401, {{"Authorization", "Bearer abc.def.ghi"}}, R"({"message":"no"})"};
  };
  TestServer server(std::move(options));
  IoThread io;
  HttpClient client(io);
  auto r = fetch(client, {"GET", url(server, "localhost", "http", "/x"), {}, ""});
  REQUIRE(r.ok());
  CHECK(r->status == 401);
  CHECK(*r->header("authorization") == "Bearer abc.def.ghi");
  CHECK(r->body == R"({"message":"no"})");
}

TEST_CASE("a server that never answers fails the request with a timeout naming the read step") {
  ServerOptions options;
  options.never_answer = true;
  TestServer server(std::move(options));
  IoThread io;
  HttpClient client(io);
  const auto start = std::chrono::steady_clock::now();
  auto r = fetch(client, {"GET", url(server, "127.0.0.1", "http", "/slow"), {}, ""}, 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::timeout);
  CHECK(r.error().message ==
        "http read 127.0.0.1:" + std::to_string(server.port()) + ": timed out after 300 ms");
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 5s);
}

TEST_CASE("a refused connection names the step, the peer and the reason") {
  IoThread io;
  HttpClient client(io);
  RefusingPort refusing;
  const auto port = std::to_string(refusing.port());
  auto r = fetch(client, {"GET", "http://127.0.0.1:" + port + "/", {}, ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::io_error);
  CHECK(r.error().message == "http connect 127.0.0.1:" + port + ": Connection refused");
}

TEST_CASE("a bad URL reaches the callback as an error naming the URL") {
  IoThread io;
  HttpClient client(io);
  auto r = fetch(client, {"GET", "htp://x/", {}, ""});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK(r.error().message.find("unsupported scheme 'htp'") != std::string::npos);
}

TEST_CASE("HTTPS verifies the server against the configured CA and the host name") {
  TestPki pki;
  ServerOptions options;
  options.tls = &pki;
  TestServer server(std::move(options));
  IoThread io;

  SECTION("the right host name and CA: the request succeeds") {
    HttpClient client(io, HttpOptions{{true, pki.ca_file}});
    auto r = fetch(client, {"GET", url(server, "localhost", "https", "/secure"), {}, ""});
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "GET /secure\n");
  }
  SECTION("a host name the certificate does not name is refused with a clear error") {
    HttpClient client(io, HttpOptions{{true, pki.ca_file}});
    auto r = fetch(client, {"GET", url(server, "127.0.0.1", "https", "/secure"), {}, ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "http tls 127.0.0.1:" + std::to_string(server.port()) +
                                   ": TLS: certificate does not match host '127.0.0.1'");
  }
  SECTION("a certificate from another CA is refused with the verify error") {
    HttpClient client(io, HttpOptions{{true, pki.other_ca_file}});
    auto r = fetch(client, {"GET", url(server, "localhost", "https", "/secure"), {}, ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("TLS: certificate verify failed: ") != std::string::npos);
  }
  SECTION("verification off accepts any certificate") {
    HttpClient client(io, HttpOptions{{false, ""}});
    auto r = fetch(client, {"GET", url(server, "127.0.0.1", "https", "/secure"), {}, ""});
    REQUIRE(r.ok());
    CHECK(r->status == 200);
  }
  SECTION("a CA file that does not exist fails every https request, naming the file") {
    HttpClient client(io, HttpOptions{{true, pki.dir + "/missing.pem"}});
    auto r = fetch(client, {"GET", url(server, "localhost", "https", "/secure"), {}, ""});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("missing.pem") != std::string::npos);
  }
}
