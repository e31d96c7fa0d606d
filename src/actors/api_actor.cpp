#include "actors/api_actor.hpp"

#include <chrono>
#include <ctime>
#include <functional>
#include <unordered_map>

#include "protocol/jwt.hpp"
#include "protocol/rest.hpp"
#include "whisp/log.hpp"

namespace whisp::actors {
namespace {

// An HTTP completion, carried from the I/O thread back into the actor.
struct HttpDone {
  std::uint64_t id = 0;
  std::optional<net::HttpResponse> response;
  std::optional<Error> error;
};

}  // namespace
}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::HttpDone)

namespace whisp::actors {
namespace {

using HttpContinuation = std::function<void(HttpDone&)>;
using StatusContinuation = std::function<void(std::optional<Error>)>;

struct ApiState {
  ApiOptions options;
  std::unique_ptr<net::HttpClient> http;
  caf::actor notifier;
  std::string user_id, jwt, refresh_token;
  bool auth_lost = false;
  std::string auth_lost_reason;
  std::uint64_t next_id = 1;
  std::unordered_map<std::uint64_t, HttpContinuation> in_flight;
  bool refreshing = false;
  std::vector<StatusContinuation> refresh_waiters;
  static inline const char* name = "whisp.api";
};

using Self = caf::stateful_actor<ApiState>;

bool is_2xx(unsigned status) { return status >= 200 && status < 300; }

std::string strip_bearer(std::string_view value) {
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) == kBearer) value.remove_prefix(kBearer.size());
  return std::string(value);
}

void http(Self* self, net::HttpRequest request, HttpContinuation done) {
  auto& st = self->state;
  auto id = st.next_id++;
  st.in_flight.emplace(id, std::move(done));
  auto me = caf::actor_cast<caf::actor>(self);
  request.url = st.options.base_url + request.url;
  st.http->request(std::move(request), st.options.timeout, [me, id](Result<net::HttpResponse> r) {
    HttpDone d;
    d.id = id;
    if (r.ok()) {
      d.response = std::move(r).value();
    } else {
      d.error = r.error();
    }
    caf::anon_send(me, std::move(d));
  });
}

void emit_tokens(Self* self) {
  auto& st = self->state;
  self->send(st.notifier, Tokens{st.user_id, st.jwt, st.refresh_token});
}

void lose_auth(Self* self, std::string reason) {
  auto& st = self->state;
  st.auth_lost = true;
  st.auth_lost_reason = std::move(reason);
  log(LogLevel::warn, "api", "session ended: " + st.auth_lost_reason);
}

Error auth_error(const ApiState& st) {
  return Error{ErrorCode::auth_failed, "session ended: " + st.auth_lost_reason};
}

// Refreshes the JWT; every caller waiting meanwhile shares the one request.
void refresh(Self* self, StatusContinuation done) {
  auto& st = self->state;
  if (st.auth_lost) return done(auth_error(st));
  st.refresh_waiters.push_back(std::move(done));
  if (st.refreshing) return;
  st.refreshing = true;
  net::HttpRequest req;
  req.method = "POST";
  req.url = "/api/auth/refresh";
  req.headers = {{"Authorization", "Bearer " + st.refresh_token},
                 {"Content-Type", "application/json"}};
  req.body = rest::encode(rest::RefreshRequest{st.jwt});
  http(self, std::move(req), [self](HttpDone& d) {
    auto& st = self->state;
    std::optional<Error> result;
    if (d.error) {
      result = Error{d.error->code, "refresh: " + d.error->message};  // transient: retry later
    } else if (!is_2xx(d.response->status)) {
      lose_auth(self, "refresh refused (HTTP " + std::to_string(d.response->status) + ": " +
                          error_message_of(d.response->status, d.response->body) + ")");
      result = auth_error(st);
    } else if (auto header = d.response->header("Authorization"); !header) {
      lose_auth(self, "refresh answer carries no Authorization header");
      result = auth_error(st);
    } else {
      st.jwt = strip_bearer(*header);
      log(LogLevel::info, "api", "JWT refreshed");
      emit_tokens(self);
    }
    st.refreshing = false;
    auto waiters = std::move(st.refresh_waiters);
    st.refresh_waiters.clear();
    for (auto& w : waiters) w(result);
  });
}

net::HttpRequest make_request(const ApiState& st, const ApiCall& call) {
  net::HttpRequest req;
  req.method = call.method;
  req.url = call.path;
  if (call.authorized) req.headers.emplace_back("Authorization", "Bearer " + st.jwt);
  if (!call.body.empty() || call.method == "POST") {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = call.body.empty() ? "{}" : call.body;
  }
  if (std::holds_alternative<SignIn>(st.options.auth)) {
    req.headers.emplace_back("x-api-key", std::get<SignIn>(st.options.auth).api_key);
  }
  return req;
}

void perform(Self* self, ApiCall call, std::function<void(ApiReply)> done, bool retried = false) {
  auto& st = self->state;
  if (call.authorized && st.auth_lost) {
    ApiReply reply;
    reply.error = auth_error(st);
    return done(std::move(reply));
  }
  auto req = make_request(st, call);
  http(self, std::move(req), [self, call, done, retried](HttpDone& d) mutable {
    ApiReply reply;
    if (d.error) {
      reply.error = Error{d.error->code, call.method + " " + call.path + ": " + d.error->message};
      return done(std::move(reply));
    }
    reply.status = d.response->status;
    reply.body = std::move(d.response->body);
    if (reply.status == 401 && call.authorized && !retried) {
      return refresh(self, [self, call, done](std::optional<Error> err) mutable {
        if (err) {
          ApiReply failed;
          failed.status = 401;
          failed.error = *err;
          return done(std::move(failed));
        }
        perform(self, std::move(call), std::move(done), true);
      });
    }
    if (reply.status == 401 && call.authorized) {
      lose_auth(self, "HTTP 401 after a refresh on " + call.path);
      reply.error = auth_error(self->state);
    } else if (!is_2xx(reply.status)) {
      reply.error = Error{reply.status == 404 ? ErrorCode::not_found : ErrorCode::rejected,
                          call.method + " " + call.path + ": HTTP " +
                              std::to_string(reply.status) + ": " +
                              error_message_of(reply.status, reply.body)};
    }
    done(std::move(reply));
  });
}

bool jwt_fresh(const std::string& jwt) {
  auto exp = jwt::expiry(jwt);
  if (!exp) return true;  // no readable expiry: the server's 401 will tell
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return *exp - now > 5;
}

void fetch_ticket(Self* self, caf::response_promise promise) {
  ApiCall call;
  call.path = "/api/auth/getTicket";
  perform(self, std::move(call), [self, promise](ApiReply reply) mutable {
    ConnectGrant grant;
    if (reply.error) {
      grant.error = reply.error;
    } else if (auto ticket = rest::decode_ticket(reply.body); !ticket.ok()) {
      grant.error = ticket.error();
    } else {
      grant.ticket = ticket->ticket;
      grant.jwt = self->state.jwt;
    }
    promise.deliver(std::move(grant));
  });
}

caf::behavior api(Self* self, ApiOptions options, net::IoThread* io, caf::actor notifier) {
  auto& st = self->state;
  net::HttpOptions http_options;
  http_options.tls = options.tls;
  st.http = std::make_unique<net::HttpClient>(*io, http_options);
  st.notifier = std::move(notifier);
  if (auto* tokens = std::get_if<Tokens>(&options.auth)) {
    st.user_id = tokens->user_id;
    st.jwt = tokens->jwt;
    st.refresh_token = tokens->refresh_token;
  }
  st.options = std::move(options);
  return {
      [=](HttpDone& d) {
        auto it = self->state.in_flight.find(d.id);
        if (it == self->state.in_flight.end()) return;
        auto done = std::move(it->second);
        self->state.in_flight.erase(it);
        done(d);
      },
      [=](ApiCall& call) -> caf::result<ApiReply> {
        auto promise = self->make_response_promise();
        perform(self, std::move(call), [promise](ApiReply r) mutable { promise.deliver(std::move(r)); });
        return promise;
      },
      [=](SignInCall) -> caf::result<ApiReply> {
        auto promise = self->make_response_promise();
        auto* creds = std::get_if<SignIn>(&self->state.options.auth);
        if (!creds) {
          ApiReply r;
          r.error = Error{ErrorCode::invalid_argument, "sign-in: the config holds tokens"};
          return r;
        }
        ApiCall call;
        call.method = "POST";
        call.path = "/api/user/signin";
        call.authorized = false;
        call.body = rest::encode(rest::SignInRequest{creds->username, creds->password});
        auto req = make_request(self->state, call);
        http(self, std::move(req), [self, promise](HttpDone& d) mutable {
          ApiReply reply;
          if (d.error) {
            reply.error = Error{d.error->code, "sign-in: " + d.error->message};
            return promise.deliver(std::move(reply));
          }
          reply.status = d.response->status;
          reply.body = d.response->body;
          if (!is_2xx(reply.status)) {
            reply.error = Error{ErrorCode::auth_failed,
                                "sign-in refused: HTTP " + std::to_string(reply.status) + ": " +
                                    error_message_of(reply.status, reply.body)};
            return promise.deliver(std::move(reply));
          }
          auto body = rest::decode_sign_in_response(reply.body);
          auto header = d.response->header("Authorization");
          if (!body.ok()) {
            reply.error = Error{body.error().code, "sign-in: " + body.error().message};
          } else if (!header) {
            reply.error = Error{ErrorCode::auth_failed, "sign-in: no Authorization header"};
          } else {
            auto& st = self->state;
            st.user_id = body->id;
            st.refresh_token = body->refresh_token;
            st.jwt = strip_bearer(*header);
            st.auth_lost = false;
            emit_tokens(self);
          }
          promise.deliver(std::move(reply));
        });
        return promise;
      },
      [=](ConnectGrantCall) -> caf::result<ConnectGrant> {
        auto promise = self->make_response_promise();
        if (self->state.auth_lost) {
          ConnectGrant g;
          g.error = auth_error(self->state);
          return g;
        }
        if (jwt_fresh(self->state.jwt)) {
          fetch_ticket(self, promise);
        } else {
          refresh(self, [self, promise](std::optional<Error> err) mutable {
            if (err) {
              ConnectGrant g;
              g.error = *err;
              return promise.deliver(std::move(g));
            }
            fetch_ticket(self, promise);
          });
        }
        return promise;
      },
      [=](WhoAmI) { return self->state.user_id; },
      [=](LogoutCall) -> caf::result<Done> {
        auto promise = self->make_response_promise();
        ApiCall call;
        call.method = "POST";
        call.path = "/api/auth/logout";
        call.body = rest::encode(rest::LogoutRequest{self->state.refresh_token});
        perform(self, std::move(call), [self, promise](ApiReply r) mutable {
          lose_auth(self, "logged out");
          promise.deliver(Done{r.error});
        });
        return promise;
      },
  };
}

}  // namespace

std::string error_message_of(unsigned status, const std::string& body) {
  auto parsed = rest::decode_error_body(body);
  if (parsed.ok() && !parsed->message.empty()) return parsed->message;
  if (body.empty()) return "HTTP " + std::to_string(status);
  return body.size() > 200 ? body.substr(0, 200) + "…" : body;
}

caf::actor spawn_api(caf::actor_system& system, net::IoThread& io, ApiOptions options,
                     caf::actor notifier) {
  return system.spawn(api, std::move(options), &io, std::move(notifier));
}

}  // namespace whisp::actors
