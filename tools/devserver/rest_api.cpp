#include "rest_api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "protocol/rest.hpp"

namespace whisp::devserver {
namespace rest_detail {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
}  // namespace

std::optional<std::string> Target::param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Target parse_target(std::string_view target) {
  Target t;
  const auto q = target.find('?');
  t.path = percent_decode(target.substr(0, q));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const auto pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (!pair.empty()) {
      t.query.emplace(percent_decode(pair.substr(0, eq)),
                      eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return t;
}

HttpResponse json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse message(int status, std::string_view text) {
  rest::ErrorBody e;
  e.message = std::string(text);
  return json(status, rest::encode(e));
}

HttpResponse from_error(const Error& e) {
  const int status = http_status_for(e);
  if (status == 401) return unauthorized(e.message, "", "UNAUTHORIZED");
  return message(status, e.message);
}

HttpResponse unauthorized(std::string_view detail, std::string_view instance,
                          std::string_view code) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto str = [&](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("type");
  str("about:blank");
  w.Key("title");
  str("Unauthorized");
  w.Key("status");
  w.Int(401);
  w.Key("detail");
  str(detail);
  w.Key("instance");
  str(instance);
  w.Key("code");
  str(code);
  w.EndObject();
  return json(401, std::string(sb.GetString(), sb.GetSize()));
}

Caller authenticate(ServerContext& ctx, const HttpRequest& req, const std::string& path) {
  Caller c;
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view h = req.authorization;
  if (h.substr(0, kBearer.size()) != kBearer) {
    c.denied = unauthorized("missing Authorization: Bearer <jwt>", path, "UNAUTHORIZED");
    return c;
  }
  auto claims = ctx.jwt.verify(h.substr(kBearer.size()), ServerContext::now_seconds());
  if (!claims) {
    const bool expired = claims.error().message.find("expired") != std::string::npos;
    c.denied = unauthorized(claims.error().message, path,
                            expired ? "TOKEN_EXPIRED" : "INVALID_TOKEN");
    return c;
  }
  {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    if (!ctx.state->user_by_id(claims->user_id)) {
      c.denied = unauthorized("the token's user no longer exists", path, "INVALID_TOKEN");
      return c;
    }
  }
  c.claims = std::move(*claims);
  return c;
}

}  // namespace rest_detail

HttpResponse handle_rest(ServerContext& ctx, const HttpRequest& req) {
  using namespace rest_detail;
  const Target t = parse_target(req.target);
  if (auto r = handle_auth(ctx, req, t)) return *r;
  if (auto r = handle_chats(ctx, req, t)) return *r;
  if (auto r = handle_admin(ctx, req, t)) return *r;
  return message(404, "no route for " + req.method + " " + t.path);
}

}  // namespace whisp::devserver
