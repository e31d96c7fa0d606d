// REST: registration, sign-in, refresh, logout, tickets, current user (PROTOCOL.md section 1).
#include "protocol/rest.hpp"
#include "rest_api.hpp"

namespace whisp::devserver::rest_detail {

namespace {
constexpr std::string_view kBearer = "Bearer ";

std::optional<HttpResponse> check_api_key(ServerContext& ctx, const HttpRequest& req,
                                          const Target& t) {
  if (req.api_key.empty()) return unauthorized("missing x-api-key", t.path, "API_KEY_MISSING");
  if (!constant_time_equal(req.api_key, ctx.options.api_key)) {
    return unauthorized("invalid x-api-key", t.path, "API_KEY_INVALID");
  }
  return std::nullopt;
}

HttpResponse register_user(ServerContext& ctx, const HttpRequest& req, const Target& t) {
  if (auto denied = check_api_key(ctx, req, t)) return *denied;
  auto r = rest::decode_register_request(req.body);
  if (!r) return message(400, r.error().message);
  const auto hash = hash_password(r->password, ctx.options.pbkdf2_iterations);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  auto u = ctx.state->create_user(*r, hash, ctx.now_us());
  if (!u) return from_error(u.error());
  return message(200, "User registered successfully");
}

HttpResponse sign_in(ServerContext& ctx, const HttpRequest& req, const Target& t) {
  if (auto denied = check_api_key(ctx, req, t)) return *denied;
  auto r = rest::decode_sign_in_request(req.body);
  if (!r) return message(400, r.error().message);
  Result<std::pair<UserRow, PasswordHash>> cred = Error{ErrorCode::auth_failed, ""};
  {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    cred = ctx.state->credentials(r->username);
  }
  // Hashing runs outside the lock: it is slow on purpose.
  if (!cred || !verify_password(r->password, cred->second)) {
    return unauthorized("bad credentials", t.path, "BAD_CREDENTIALS");
  }
  const UserRow& u = cred->first;
  const auto now = ServerContext::now_seconds();
  rest::SignInResponse out;
  out.id = u.id;
  out.username = u.username;
  out.email = u.email;
  out.refresh_token = random_token();
  out.roles = {"ROLE_USER"};
  {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    if (auto s = ctx.state->add_refresh_token(out.refresh_token, u.id,
                                              now + ctx.options.refresh_ttl_seconds);
        !s) {
      return from_error(s.error());
    }
  }
  HttpResponse resp = json(200, rest::encode(out));
  resp.authorization = "Bearer " + ctx.jwt.issue(u.id, u.username, now);
  return resp;
}

HttpResponse refresh(ServerContext& ctx, const HttpRequest& req, const Target& t) {
  std::string_view h = req.authorization;
  if (h.substr(0, kBearer.size()) != kBearer) {
    return unauthorized("missing Authorization: Bearer <refreshToken>", t.path, "UNAUTHORIZED");
  }
  auto body = rest::decode_refresh_request(req.body);
  if (!body) return message(400, body.error().message);
  const auto now = ServerContext::now_seconds();
  auto old = ctx.jwt.verify(body->expired_jwt, now, /*check_expiry=*/false);
  if (!old) return unauthorized("expiredJwt: " + old.error().message, t.path, "INVALID_TOKEN");
  std::optional<UserRow> user;
  {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    auto owner = ctx.state->check_refresh_token(std::string(h.substr(kBearer.size())), now);
    if (!owner) return unauthorized(owner.error().message, t.path, "REFRESH_TOKEN_INVALID");
    if (*owner != old->user_id) {
      return unauthorized("expiredJwt: belongs to another user", t.path, "INVALID_TOKEN");
    }
    user = ctx.state->user_by_id(*owner);
  }
  if (!user) return unauthorized("the token's user no longer exists", t.path, "INVALID_TOKEN");
  HttpResponse resp = message(200, "token refreshed");
  resp.authorization = "Bearer " + ctx.jwt.issue(user->id, user->username, now);
  return resp;
}

HttpResponse logout(ServerContext& ctx, const HttpRequest& req, const Target& t, bool all) {
  auto caller = authenticate(ctx, req, t.path);
  if (caller.denied) return *caller.denied;
  std::lock_guard<std::mutex> lock(ctx.mutex);
  if (all) {
    if (auto s = ctx.state->revoke_all_refresh_tokens(caller.claims.user_id); !s) {
      return from_error(s.error());
    }
    return message(200, "logged out everywhere");
  }
  auto body = rest::decode_logout_request(req.body);
  if (!body) return message(400, body.error().message);
  if (auto s = ctx.state->revoke_refresh_token(body->refresh_token, caller.claims.user_id); !s) {
    return from_error(s.error());
  }
  return message(200, "logged out");
}

HttpResponse get_ticket(ServerContext& ctx, const HttpRequest& req, const Target& t) {
  auto caller = authenticate(ctx, req, t.path);
  if (caller.denied) return *caller.denied;
  rest::TicketResponse out;
  out.ticket = random_token(24);
  std::lock_guard<std::mutex> lock(ctx.mutex);
  if (auto s = ctx.state->add_ticket(out.ticket, caller.claims.user_id,
                                     ServerContext::now_seconds() + ctx.options.ticket_ttl_seconds);
      !s) {
    return from_error(s.error());
  }
  return json(200, rest::encode(out));
}

HttpResponse get_user(ServerContext& ctx, const HttpRequest& req, const Target& t) {
  auto caller = authenticate(ctx, req, t.path);
  if (caller.denied) return *caller.denied;
  std::optional<UserRow> u;
  {
    std::lock_guard<std::mutex> lock(ctx.mutex);
    u = ctx.state->user_by_id(caller.claims.user_id);
  }
  if (!u) return message(404, "user: unknown");
  rest::CurrentUser out;
  out.id = u->id;
  out.username = u->username;
  out.email = u->email;
  out.role = {"ROLE_USER"};
  return json(200, rest::encode(out));
}
}  // namespace

std::optional<HttpResponse> handle_auth(ServerContext& ctx, const HttpRequest& req,
                                        const Target& t) {
  struct Route {
    const char* method;
    const char* path;
    HttpResponse (*fn)(ServerContext&, const HttpRequest&, const Target&);
  };
  static const Route routes[] = {
      {"POST", "/api/user/registerUser", register_user},
      {"POST", "/api/user/signin", sign_in},
      {"POST", "/api/auth/refresh", refresh},
      {"POST", "/api/auth/logout",
       [](ServerContext& c, const HttpRequest& r, const Target& x) { return logout(c, r, x, false); }},
      {"POST", "/api/auth/logoutAll",
       [](ServerContext& c, const HttpRequest& r, const Target& x) { return logout(c, r, x, true); }},
      {"GET", "/api/auth/getTicket", get_ticket},
      {"GET", "/api/user/getUser", get_user},
  };
  for (const auto& r : routes) {
    if (t.path != r.path) continue;
    if (req.method != r.method) return message(405, "method " + req.method + " not allowed");
    return r.fn(ctx, req, t);
  }
  return std::nullopt;
}

}  // namespace whisp::devserver::rest_detail
