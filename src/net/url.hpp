// URL parsing for the network layer: the four schemes the engine speaks (http, https, ws, wss).
//
// Pure function, no allocation beyond the result, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::net {

/// A parsed absolute URL. `host` is without brackets (an IPv6 literal is "::1"), `port` is the
/// explicit one or the scheme's default (80 for http/ws, 443 for https/wss), `target` is the
/// path plus the query ("/api/wsConnect?ticket=abc"), "/" when the URL has no path. A fragment
/// ("#...") is dropped: it never goes on the wire.
struct Url {
  std::string scheme;  // lower case: "http", "https", "ws" or "wss"
  std::string host;
  std::uint16_t port = 0;
  std::string target;

  /// True for https and wss.
  bool tls() const { return scheme == "https" || scheme == "wss"; }
  /// True for ws and wss.
  bool websocket() const { return scheme == "ws" || scheme == "wss"; }
  /// "host:port" for error messages; an IPv6 host is bracketed ("[::1]:80").
  std::string authority() const;
  /// The value of the HTTP Host header: the host, plus ":port" when not the scheme's default.
  std::string host_header() const;
};

/// Parses `text` as scheme://host[:port][/path][?query][#fragment].
///
/// Errors (code invalid_argument) name what was wrong: "url 'x': missing scheme (expected
/// http://, https://, ws:// or wss://)", "... unsupported scheme 'ftp'", "... empty host",
/// "... bad port '99999'", "... user info is not supported", "... unclosed '[' in host",
/// "... contains whitespace or control characters".
Result<Url> parse_url(std::string_view text);

}  // namespace whisp::net
