// The API actor owns the session's credentials and performs every REST call of the engine.
// It adds `Authorization: Bearer <jwt>`, and on a 401 refreshes the JWT once — a single refresh
// in flight, concurrent callers wait for it — then retries the call once (PROTOCOL.md section 1).
// A refused refresh ends the session: every later call fails with auth_failed.
#pragma once

#include <memory>

#include "actors/caf_types.hpp"
#include "net/http_client.hpp"

namespace whisp::actors {

/// Request: one REST call. `path` includes the query ("/api/chat/getChats?page=0&size=20").
struct ApiCall {
  std::string method = "GET";
  std::string path;
  std::string body;
  bool authorized = true;  // false: no JWT (sign-in, register)
};
/// Reply to ApiCall: the HTTP status and body; `error` when no usable answer came (transport
/// failure, auth_failed) or for a non-2xx status (then `status` is set too).
struct ApiReply {
  unsigned status = 0;
  std::string body;
  std::optional<Error> error;
  bool ok() const { return !error.has_value(); }
};

/// Request: sign in with the configured SignIn credentials. Reply: ApiReply (the sign-in body).
struct SignInCall {};
/// Request: everything a WebSocket attempt needs — a JWT fresh for at least a minute
/// (refreshed first when needed) and a new single-use ticket. Reply: ConnectGrant.
struct ConnectGrantCall {};
struct ConnectGrant {
  std::string jwt;
  std::string ticket;
  std::optional<Error> error;  // auth_failed ends the session; anything else: retry later
};
/// Request: the current user id (empty before sign-in). Reply: std::string.
struct WhoAmI {};
/// Request: the server's logout of this session. Reply: Done.
struct LogoutCall {};

struct ApiOptions {
  std::string base_url;  // "http(s)://host:port", no trailing slash
  std::variant<SignIn, Tokens> auth;
  std::chrono::milliseconds timeout{10000};
  net::TlsOptions tls;
};

/// `notifier` receives whisp::Tokens after sign-in and every refresh.
caf::actor spawn_api(caf::actor_system& system, net::IoThread& io, ApiOptions options,
                     caf::actor notifier);

/// The message of an error body ({message} or a problem document), or the raw body.
std::string error_message_of(unsigned status, const std::string& body);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ApiCall)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ApiReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::SignInCall)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ConnectGrantCall)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ConnectGrant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WhoAmI)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::LogoutCall)
