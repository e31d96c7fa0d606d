#include "net/url.hpp"

#include <algorithm>
#include <cctype>

namespace whisp::net {
namespace {

Error bad(std::string_view text, const std::string& why) {
  return Error{ErrorCode::invalid_argument, "url '" + std::string(text) + "': " + why};
}

std::uint16_t default_port(const std::string& scheme) {
  return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

}  // namespace

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != default_port(scheme)) h += ":" + std::to_string(port);
  return h;
}

Result<Url> parse_url(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) return bad(text, "contains whitespace or control characters");
  }
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return bad(text, "missing scheme (expected http://, https://, ws:// or wss://)");
  }
  Url url;
  url.scheme.assign(text.substr(0, sep));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" &&
      url.scheme != "wss") {
    return bad(text, "unsupported scheme '" + url.scheme + "'");
  }

  std::string_view rest = text.substr(sep + 3);
  // The fragment never goes on the wire.
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target =
      path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);

  if (authority.find('@') != std::string_view::npos) {
    return bad(text, "user info is not supported");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed '[' in host");
    url.host.assign(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "unexpected characters after ']' in host");
      port_text = after.substr(1);
      if (port_text.empty()) return bad(text, "empty port");
    }
  } else {
    const auto colon = authority.find(':');
    url.host.assign(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad(text, "empty port");
    }
  }
  if (url.host.empty()) return bad(text, "empty host");

  if (port_text.empty()) {
    url.port = default_port(url.scheme);
  } else {
    unsigned long value = 0;
    const bool digits = port_text.size() <= 5 &&
                        std::all_of(port_text.begin(), port_text.end(),
                                    [](unsigned char c) { return std::isdigit(c) != 0; });
    if (digits) value = std::stoul(std::string(port_text));
    if (!digits || value == 0 || value > 65535) {
      return bad(text, "bad port '" + std::string(port_text) + "'");
    }
    url.port = static_cast<std::uint16_t>(value);
  }

  if (target.empty()) {
    url.target = "/";
  } else if (target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target.assign(target);
  }
  return url;
}

}  // namespace whisp::net
