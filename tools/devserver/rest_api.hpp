// The REST calls of PROTOCOL.md sections 1-2 and the /__admin/ calls, independent of Beast:
// http_session.cpp turns a Beast request into an HttpRequest and the HttpResponse back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "jwt.hpp"
#include "server_context.hpp"

namespace whisp::devserver {

struct HttpRequest {
  std::string method;         // "GET", "POST", "DELETE", …
  std::string target;         // path and query, as received
  std::string authorization;  // the Authorization header, or empty
  std::string api_key;        // the x-api-key header, or empty
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body = "{}";
  std::string authorization;  // set as the Authorization response header when not empty
};

/// Routes one request. Never throws.
HttpResponse handle_rest(ServerContext& ctx, const HttpRequest& req);

namespace rest_detail {

/// A path split from its query, with the query's parameters percent-decoded.
struct Target {
  std::string path;
  std::map<std::string, std::string> query;
  std::optional<std::string> param(const std::string& name) const;
};
Target parse_target(std::string_view target);

HttpResponse json(int status, std::string body);
/// `{message}` with the status.
HttpResponse message(int status, std::string_view text);
/// The status for a State error, with `{message}`.
HttpResponse from_error(const Error& e);
/// A 401 problem document `{type,title,status,detail,instance,code}`.
HttpResponse unauthorized(std::string_view detail, std::string_view instance,
                          std::string_view code);

/// The caller's claims from `Authorization: Bearer <jwt>`, or the 401 to answer.
struct Caller {
  JwtClaims claims;
  std::optional<HttpResponse> denied;
};
Caller authenticate(ServerContext& ctx, const HttpRequest& req, const std::string& path);

// Handlers by area; each returns nullopt when the path is not theirs.
std::optional<HttpResponse> handle_auth(ServerContext& ctx, const HttpRequest& req,
                                        const Target& t);
std::optional<HttpResponse> handle_chats(ServerContext& ctx, const HttpRequest& req,
                                         const Target& t);
std::optional<HttpResponse> handle_admin(ServerContext& ctx, const HttpRequest& req,
                                         const Target& t);

}  // namespace rest_detail
}  // namespace whisp::devserver
