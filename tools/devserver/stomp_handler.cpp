// WsSession, the STOMP half: CONNECT, SUBSCRIBE, SEND of the eight actions, DISCONNECT, and the
// ERROR-and-close answers (PROTOCOL.md sections 3 and 5).
#include "protocol/actions.hpp"
#include "ws_session.hpp"

namespace whisp::devserver {

namespace {
constexpr std::string_view kBearer = "Bearer ";

std::string user_queue(const std::string& user_id) {
  return "/user/" + user_id + "/queue/messages";
}

bool lists(std::string_view csv, std::string_view want) {
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    auto comma = csv.find(',', pos);
    if (comma == std::string_view::npos) comma = csv.size();
    if (csv.substr(pos, comma - pos) == want) return true;
    pos = comma + 1;
  }
  return false;
}
}  // namespace

void WsSession::send_frame(const stomp::Frame& f, After after) {
  enqueue(stomp::encode(f), after);
}

bool WsSession::subscribed() const {
  std::lock_guard<std::mutex> lock(out_mutex_);
  return !subscription_.empty() && !closing_;
}

void WsSession::deliver_event(std::string json) {
  std::string subscription;
  {
    std::lock_guard<std::mutex> lock(out_mutex_);
    if (subscription_.empty() || closing_) return;
    subscription = subscription_;
  }
  stomp::Frame f;
  f.command = "MESSAGE";
  f.add("destination", user_queue(user_id_));
  f.add("content-type", "application/json");
  f.add("subscription", std::move(subscription));
  f.add("message-id", std::to_string(ctx_.next_message_id()));
  f.body = std::move(json);
  std::string bytes = stomp::encode(f);
  if (ctx_.faults.duplicate()) enqueue(bytes, After::nothing);
  enqueue(std::move(bytes), After::nothing);
}

void WsSession::fail(const std::string& reason, const stomp::Frame* cause) {
  stomp::Frame err;
  err.command = "ERROR";
  err.add("message", reason);
  if (cause) {
    if (auto receipt = cause->header("receipt")) err.add("receipt-id", std::string(*receipt));
  }
  err.add("content-type", "text/plain");
  err.body = reason;
  stopped_ = true;
  send_frame(err, After::close_protocol_error);
}

void WsSession::reject(const std::string& reason, const stomp::Frame& cause) {
  if (ctx_.faults.reject_mode() == RejectMode::error) fail(reason, &cause);
}

void WsSession::handle_frame(const stomp::Frame& f) {
  if (!connected_) {
    if (f.command == "CONNECT" || f.command == "STOMP") {
      handle_connect(f);
    } else {
      fail("expected CONNECT, got " + f.command, &f);
    }
    return;
  }
  if (f.command == "SEND") {
    handle_send(f);
  } else if (f.command == "SUBSCRIBE") {
    handle_subscribe(f);
  } else if (f.command == "UNSUBSCRIBE") {
    std::lock_guard<std::mutex> lock(out_mutex_);
    if (f.header("id") && *f.header("id") == subscription_) subscription_.clear();
  } else if (f.command == "DISCONNECT") {
    stopped_ = true;
    if (auto receipt = f.header("receipt")) {
      stomp::Frame r;
      r.command = "RECEIPT";
      r.add("receipt-id", std::string(*receipt));
      send_frame(r, After::close_normal);
    } else {
      finish(After::close_normal);
    }
  } else if (f.command == "ACK" || f.command == "NACK" || f.command == "BEGIN" ||
             f.command == "COMMIT" || f.command == "ABORT") {
    // The simple broker has no acks or transactions; Spring ignores these too.
  } else if (f.command == "CONNECT" || f.command == "STOMP") {
    fail("already connected", &f);
  } else {
    fail("unknown command " + f.command, &f);
  }
}

void WsSession::handle_connect(const stomp::Frame& f) {
  const auto versions = f.header("accept-version").value_or("1.0");
  std::string version;
  for (const char* v : {"1.2", "1.1", "1.0"}) {
    if (lists(versions, v)) {
      version = v;
      break;
    }
  }
  if (version.empty()) {
    fail("unsupported STOMP version(s) " + std::string(versions) + "; supported: 1.2,1.1,1.0", &f);
    return;
  }
  auto auth = f.header("Authorization");
  if (!auth) auth = f.header("authorization");
  if (!auth || auth->substr(0, kBearer.size()) != kBearer) {
    fail("Authentication failed: missing Authorization: Bearer <jwt>", &f);
    return;
  }
  auto claims = ctx_.jwt.verify(auth->substr(kBearer.size()), ServerContext::now_seconds());
  if (!claims) {
    fail("Authentication failed: " + claims.error().message, &f);
    return;
  }
  if (claims->user_id != ticket_user_) {
    fail("Authentication failed: the JWT's user does not own the ticket", &f);
    return;
  }
  unsigned cx = 0, cy = 0;
  if (auto hb = f.header("heart-beat")) {
    auto parsed = stomp::parse_heart_beat(*hb);
    if (!parsed) {
      fail(parsed.error().message, &f);
      return;
    }
    cx = parsed->first;
    cy = parsed->second;
  }
  const unsigned h = ctx_.options.heartbeat_ms;
  // CONNECTED heart-beat: we send every h when the client wants beats (cy > 0), and want the
  // client's every h when it can send them (cx > 0); each side then uses the larger value.
  const unsigned sx = (h > 0 && cy > 0) ? h : 0;
  const unsigned sy = (h > 0 && cx > 0) ? h : 0;
  server_interval_ms_ = sx > 0 ? std::max(sx, cy) : 0;
  client_interval_ms_ = sy > 0 ? std::max(sy, cx) : 0;

  user_id_ = claims->user_id;
  connected_ = true;
  ctx_.hub.add(shared_from_this());
  stomp::Frame c;
  c.command = "CONNECTED";
  c.add("version", version);
  c.add("heart-beat", std::to_string(sx) + "," + std::to_string(sy));
  c.add("server", "whisp-devserver/0.1");
  c.add("user-name", user_id_);
  send_frame(c);
  start_heart_beats();
}

void WsSession::handle_subscribe(const stomp::Frame& f) {
  const auto dest = f.header("destination");
  const auto id = f.header("id");
  if (!dest || *dest != user_queue(user_id_)) {
    fail("SUBSCRIBE: only " + user_queue(user_id_) + " may be subscribed, not " +
             std::string(dest.value_or("(none)")),
         &f);
    return;
  }
  if (!id || id->empty()) {
    fail("SUBSCRIBE: missing id header", &f);
    return;
  }
  std::lock_guard<std::mutex> lock(out_mutex_);
  subscription_ = std::string(*id);
}

void WsSession::handle_send(const stomp::Frame& f) {
  const auto dest = f.header("destination");
  if (!dest || *dest != "/api/chat") {
    reject("SEND: unknown destination " + std::string(dest.value_or("(none)")), f);
    return;
  }
  auto env = decode_action(f.body);
  if (!env) {
    fail("SEND: " + env.error().message, &f);
    return;
  }
  if (env->sender_id != user_id_) {
    reject("SEND: senderId " + env->sender_id + " is not the connected user", f);
    return;
  }
  if (ctx_.faults.drop_before_store()) {
    close_now();
    return;
  }
  const bool drop_after_store = ctx_.faults.store_then_drop();
  {
    std::lock_guard<std::mutex> lock(ctx_.mutex);
    auto fanout = ctx_.state->apply_action(user_id_, env->action, ctx_.now_us());
    if (fanout) {
      ctx_.hub.fanout(*fanout, drop_after_store ? this : nullptr);
    } else if (drop_after_store) {
      // Nothing stored; still drop, as the switch promises a drop for this action.
    } else {
      reject(std::string(action_type(env->action)) + ": " + fanout.error().message, f);
      return;
    }
  }
  if (drop_after_store) close_now();
}

}  // namespace whisp::devserver
