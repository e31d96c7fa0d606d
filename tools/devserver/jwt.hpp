// HS256 JSON Web Tokens as the dev server issues them: `{"alg":"HS256","typ":"JWT"}` and claims
// `{"sub": userId, "username", "iat", "exp"}` (seconds). The key is random per server start,
// so a restarted server refuses old JWTs and clients must refresh (refresh tokens live in the
// database). Thread-safe: immutable after construction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::devserver {

struct JwtClaims {
  std::string user_id;
  std::string username;
  std::int64_t issued_at = 0;   // seconds since the epoch
  std::int64_t expires_at = 0;  // seconds since the epoch
};

class JwtIssuer {
 public:
  JwtIssuer(std::string key, std::int64_t ttl_seconds);

  /// A token for the user, valid from `now` for the configured ttl.
  std::string issue(std::string_view user_id, std::string_view username, std::int64_t now) const;

  /// Checks the signature and shape; `check_expiry` false accepts an expired but genuine token
  /// (the refresh call names the expired JWT). auth_failed errors say why ("expired", …).
  Result<JwtClaims> verify(std::string_view token, std::int64_t now,
                           bool check_expiry = true) const;

  std::int64_t ttl_seconds() const { return ttl_; }

 private:
  std::string key_;
  std::int64_t ttl_;
};

}  // namespace whisp::devserver
