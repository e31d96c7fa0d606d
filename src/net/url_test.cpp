#include "net/url.hpp"

#include <catch2/catch.hpp>

using whisp::ErrorCode;
using whisp::net::parse_url;

TEST_CASE("a URL is split into scheme, host, port and target, with the scheme's default port") {
  SECTION("http without a port defaults to 80 and target '/'") {
    auto url = parse_url("http://example.com");
    REQUIRE(url.ok());
    CHECK(url->scheme == "http");
    CHECK(url->host == "example.com");
    CHECK(url->port == 80);
    CHECK(url->target == "/");
    CHECK_FALSE(url->tls());
    CHECK_FALSE(url->websocket());
  }
  SECTION("https defaults to 443") {
    auto url = parse_url("HTTPS://api.whisp.chat/api/user/signin");
    REQUIRE(url.ok());
    CHECK(url->scheme == "https");
    CHECK(url->port == 443);
    CHECK(url->target == "/api/user/signin");
    CHECK(url->tls());
    CHECK(url->host_header() == "api.whisp.chat");
  }
  SECTION("ws with an explicit port keeps the query in the target") {
    auto url = parse_url("ws://127.0.0.1:8080/api/wsConnect?ticket=a%20b");
    REQUIRE(url.ok());
    CHECK(url->websocket());
    CHECK(url->port == 8080);
    CHECK(url->target == "/api/wsConnect?ticket=a%20b");
    CHECK(url->authority() == "127.0.0.1:8080");
    CHECK(url->host_header() == "127.0.0.1:8080");
  }
  SECTION("wss defaults to 443; a query without a path gets '/'") {
    auto url = parse_url("wss://h?x=1");
    REQUIRE(url.ok());
    CHECK(url->port == 443);
    CHECK(url->target == "/?x=1");
  }
  SECTION("an IPv6 literal loses its brackets in host and keeps them in the authority") {
    auto url = parse_url("http://[::1]:9000/p#frag");
    REQUIRE(url.ok());
    CHECK(url->host == "::1");
    CHECK(url->port == 9000);
    CHECK(url->target == "/p");
    CHECK(url->authority() == "[::1]:9000");
  }
}

TEST_CASE("a bad URL is refused with an error naming what was wrong") {
  auto error_of = [](const char* text) {
    auto url = parse_url(text);
    REQUIRE_FALSE(url.ok());
    CHECK(url.error().code == ErrorCode::invalid_argument);
    return url.error().message;
  };
  CHECK(error_of("example.com/x").find("missing scheme") != std::string::npos);
  CHECK(error_of("ftp://example.com").find("unsupported scheme 'ftp'") != std::string::npos);
  CHECK(error_of("http:///path").find("empty host") != std::string::npos);
  CHECK(error_of("http://h:99999/").find("bad port '99999'") != std::string::npos);
  CHECK(error_of("http://h:0/").find("bad port '0'") != std::string::npos);
  CHECK(error_of("http://h:8x/").find("bad port '8x'") != std::string::npos);
  CHECK(error_of("http://h:/").find("empty port") != std::string::npos);
  CHECK(error_of("http://u:p@h/").find("user info") != std::string::npos);
  CHECK(error_of("http://[::1/").find("unclosed '['") != std::string::npos);
  CHECK(error_of("http://h/a b").find("whitespace") != std::string::npos);
  CHECK(error_of("http://h/a b").find("'http://h/a b'") != std::string::npos);
}
