#include "capi/config_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <set>
#include <string>

namespace whisp::capi {
namespace {

Error bad(std::string message) { return Error{ErrorCode::invalid_argument, "config: " + std::move(message)}; }

/// Reads members of one JSON object, remembering which keys were read.
class Obj {
 public:
  Obj(const rapidjson::Value& v, std::string where) : v_(v), where_(std::move(where)) {}

  const rapidjson::Value* get(const char* key) {
    read_.insert(key);
    auto it = v_.FindMember(key);
    return it == v_.MemberEnd() ? nullptr : &it->value;
  }
  std::string name(const char* key) const { return where_.empty() ? key : where_ + "." + key; }

  /// A string member; `required` refuses absence and emptiness.
  std::optional<Error> str(const char* key, std::string& out, bool required) {
    const auto* v = get(key);
    if (v == nullptr) return required ? std::optional<Error>(bad(name(key) + " is required")) : std::nullopt;
    if (!v->IsString()) return bad(name(key) + " must be a string");
    out.assign(v->GetString(), v->GetStringLength());
    if (required && out.empty()) return bad(name(key) + " must not be empty");
    return std::nullopt;
  }
  std::optional<Error> boolean(const char* key, bool& out) {
    const auto* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsBool()) return bad(name(key) + " must be true or false");
    out = v->GetBool();
    return std::nullopt;
  }
  std::optional<Error> integer(const char* key, std::int64_t min, std::int64_t max,
                               std::int64_t& out) {
    const auto* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsInt64() || v->GetInt64() < min || v->GetInt64() > max) {
      return bad(name(key) + " must be an integer from " + std::to_string(min) + " to " +
                 std::to_string(max));
    }
    out = v->GetInt64();
    return std::nullopt;
  }
  std::optional<Error> millis(const char* key, std::chrono::milliseconds& out) {
    std::int64_t n = out.count();
    if (auto e = integer(key, 1, 24LL * 3600 * 1000, n)) return e;
    out = std::chrono::milliseconds(n);
    return std::nullopt;
  }
  std::optional<Error> finish() const {
    for (const auto& m : v_.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (read_.count(key) == 0) return bad("unknown key " + name(key.c_str()));
    }
    return std::nullopt;
  }

 private:
  const rapidjson::Value& v_;
  std::string where_;
  std::set<std::string> read_;
};

#define WHISP_TRY(expr) \
  if (auto e_ = (expr)) return *e_

Result<std::variant<SignIn, Tokens>> parse_auth(const rapidjson::Value& v) {
  if (!v.IsObject()) return bad("auth must be an object");
  if (v.HasMember("password") || v.HasMember("username") || v.HasMember("apiKey")) {
    SignIn s;
    Obj o(v, "auth");
    WHISP_TRY(o.str("username", s.username, true));
    WHISP_TRY(o.str("password", s.password, true));
    WHISP_TRY(o.str("apiKey", s.api_key, true));
    WHISP_TRY(o.finish());
    return std::variant<SignIn, Tokens>(std::move(s));
  }
  Tokens t;
  Obj o(v, "auth");
  WHISP_TRY(o.str("userId", t.user_id, true));
  WHISP_TRY(o.str("jwt", t.jwt, true));
  WHISP_TRY(o.str("refreshToken", t.refresh_token, true));
  WHISP_TRY(o.finish());
  return std::variant<SignIn, Tokens>(std::move(t));
}

}  // namespace

Result<Config> parse_config(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) {
    return bad(std::string("not JSON at offset ") + std::to_string(d.GetErrorOffset()) + ": " +
               rapidjson::GetParseError_En(d.GetParseError()));
  }
  if (!d.IsObject()) return bad("must be a JSON object");

  Config c;
  Obj o(d, "");
  WHISP_TRY(o.str("serverUrl", c.server_url, true));
  WHISP_TRY(o.str("databasePath", c.database_path, true));
  const auto* auth = o.get("auth");
  if (auth == nullptr) return bad("auth is required");
  auto parsed_auth = parse_auth(*auth);
  if (!parsed_auth) return parsed_auth.error();
  c.auth = std::move(*parsed_auth);

  if (const auto* tls = o.get("tls")) {
    if (!tls->IsObject()) return bad("tls must be an object");
    Obj t(*tls, "tls");
    WHISP_TRY(t.boolean("verifyPeer", c.tls.verify_peer));
    WHISP_TRY(t.str("caFile", c.tls.ca_file, false));
    WHISP_TRY(t.finish());
  }
  WHISP_TRY(o.millis("backoffInitialMs", c.backoff_initial));
  WHISP_TRY(o.millis("backoffMaxMs", c.backoff_max));
  WHISP_TRY(o.millis("heartBeatMs", c.heart_beat));
  WHISP_TRY(o.millis("requestTimeoutMs", c.request_timeout));
  WHISP_TRY(o.millis("echoTimeoutMs", c.echo_timeout));
  std::int64_t n = c.initial_history_depth;
  WHISP_TRY(o.integer("initialHistoryDepth", 0, 100000, n));
  c.initial_history_depth = static_cast<int>(n);
  n = c.revalidate_history_depth;
  WHISP_TRY(o.integer("revalidateHistoryDepth", -1, 100000000, n));
  c.revalidate_history_depth = static_cast<int>(n);
  n = c.sync_concurrency;
  WHISP_TRY(o.integer("syncConcurrency", 1, 64, n));
  c.sync_concurrency = static_cast<int>(n);
  n = c.max_sends;
  WHISP_TRY(o.integer("maxSends", 1, 100, n));
  c.max_sends = static_cast<int>(n);
  WHISP_TRY(o.boolean("startOnline", c.start_online));
  WHISP_TRY(o.finish());
  if (c.backoff_max < c.backoff_initial) return bad("backoffMaxMs must be >= backoffInitialMs");
  return c;
}

#undef WHISP_TRY

}  // namespace whisp::capi
