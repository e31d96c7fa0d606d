#include "jwt.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "crypto.hpp"

namespace whisp::devserver {

namespace {
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

Error auth_error(std::string reason) { return Error{ErrorCode::auth_failed, "jwt: " + reason}; }
}  // namespace

JwtIssuer::JwtIssuer(std::string key, std::int64_t ttl_seconds)
    : key_(std::move(key)), ttl_(ttl_seconds) {}

std::string JwtIssuer::issue(std::string_view user_id, std::string_view username,
                             std::int64_t now) const {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("sub");
  w.String(user_id.data(), static_cast<rapidjson::SizeType>(user_id.size()));
  w.Key("username");
  w.String(username.data(), static_cast<rapidjson::SizeType>(username.size()));
  w.Key("iat");
  w.Int64(now);
  w.Key("exp");
  w.Int64(now + ttl_);
  w.Key("jti");  // two tokens issued in the same second still differ
  w.String(random_token(9).c_str());
  w.EndObject();
  std::string signing_input = base64url_encode(kHeader) + "." +
                              base64url_encode(std::string_view(sb.GetString(), sb.GetSize()));
  const std::string sig = base64url_encode(hmac_sha256(key_, signing_input));
  return signing_input + "." + sig;
}

Result<JwtClaims> JwtIssuer::verify(std::string_view token, std::int64_t now,
                                    bool check_expiry) const {
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return auth_error("not three dot-separated parts");
  const auto signing_input = token.substr(0, dot2);
  const auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!sig || !constant_time_equal(*sig, hmac_sha256(key_, signing_input))) {
    return auth_error("bad signature");
  }
  const auto header = base64url_decode(token.substr(0, dot1));
  if (!header || *header != kHeader) return auth_error("unsupported header");
  const auto payload = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload) return auth_error("payload is not base64url");
  rapidjson::Document doc;
  doc.Parse(payload->data(), payload->size());
  if (doc.HasParseError() || !doc.IsObject()) return auth_error("payload is not a JSON object");
  JwtClaims c;
  auto sub = doc.FindMember("sub");
  auto name = doc.FindMember("username");
  auto iat = doc.FindMember("iat");
  auto exp = doc.FindMember("exp");
  if (sub == doc.MemberEnd() || !sub->value.IsString() || name == doc.MemberEnd() ||
      !name->value.IsString() || iat == doc.MemberEnd() || !iat->value.IsInt64() ||
      exp == doc.MemberEnd() || !exp->value.IsInt64()) {
    return auth_error("claims sub, username, iat, exp missing or mistyped");
  }
  c.user_id = sub->value.GetString();
  c.username = name->value.GetString();
  c.issued_at = iat->value.GetInt64();
  c.expires_at = exp->value.GetInt64();
  if (check_expiry && now >= c.expires_at) return auth_error("expired");
  return c;
}

}  // namespace whisp::devserver
