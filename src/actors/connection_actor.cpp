#include "actors/connection_actor.hpp"

#include <algorithm>
#include <random>
#include <unordered_map>
#include <utility>

#include "actors/api_actor.hpp"
#include "actors/event_group.hpp"
#include "actors/frames.hpp"
#include "actors/write_gate.hpp"
#include "net/url.hpp"
#include "net/ws_client.hpp"
#include "protocol/events.hpp"
#include "protocol/stomp.hpp"
#include "whisp/log.hpp"

namespace whisp::actors {
namespace {

// WebSocket callbacks, carried from the I/O thread into the actor. `gen` names the attempt, so
// a late callback of an abandoned socket is ignored.
struct WsOpened { std::uint64_t gen = 0; };
struct WsData { std::uint64_t gen = 0; std::string bytes; };
struct WsClosed { std::uint64_t gen = 0; Error reason{ErrorCode::closed, ""}; };
struct WsPong { std::uint64_t gen = 0; };
struct Tick { std::uint64_t gen = 0; };
struct Retry { std::uint64_t gen = 0; };
struct GateTick { std::uint64_t gen = 0, n = 0; };  // a held solo write may go (write_gate.hpp)
// Sent to itself behind the WsData already waiting: the events decoded until then go to the hub
// in one IncomingEvents (see on_data).
struct SendEvents {};

}  // namespace
}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WsOpened)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WsData)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WsClosed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WsPong)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::Tick)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::Retry)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::GateTick)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::SendEvents)

namespace whisp::actors {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum class Phase { offline, waiting, granting, opening, handshaking, connected, auth_failed };

struct ConnState {
  ConnectionOptions options;
  net::IoThread* io = nullptr;
  caf::actor api, hub, notifier;
  Phase phase = Phase::offline;
  bool want_online = false;
  std::uint64_t gen = 0;
  int attempt = 0;              // consecutive failed attempts
  bool ever_connected = false;
  std::shared_ptr<net::WsClient> ws;
  std::optional<stomp::Parser> parser;
  milliseconds out_interval{0}, in_interval{0};
  bool ping_mode = false;       // the server grants no heart-beats: WebSocket pings instead
  Clock::time_point last_rx, last_tx;
  std::unordered_map<std::string, std::string> receipts;  // local id -> chat id
  std::vector<Written> written;  // actions written on this connection, in order (for the judge)
  // Action writes not yet on the socket, each with the chat actor's pending WriteResult.
  struct HeldWrite {
    WriteAction action;
    caf::response_promise reply;
  };
  WriteGate<HeldWrite> gate;
  std::uint64_t gate_tick = 0;                   // numbers the GateTicks: only the last counts
  std::optional<Clock::time_point> gate_tick_at;  // when it is due
  bool refused = false;          // an ERROR named one of our frames: the cut that follows is its
  EventGroup events;                     // decoded, not yet sent to the hub (in arrival order)
  bool send_scheduled = false;           // a SendEvents is in the mailbox
  std::mt19937_64 rng{std::random_device{}()};
  static inline const char* name = "whisp.connection";

  // The socket goes with the actor (a functor attached to the actor would run after the state
  // is gone).
  ~ConnState() {
    if (ws) ws->abort();
  }
};

using Self = caf::stateful_actor<ConnState>;

// The decoded events go to the hub before anything else the connection tells it, in order.
void send_events(Self* self) {
  auto& st = self->state;
  if (st.events.empty()) return;
  self->send(st.hub, IncomingEvents{st.events.take()});
}

void report(Self* self, ConnectionState state, std::string reason = {}) {
  ConnectionEvent event{state, self->state.attempt, std::move(reason)};
  send_events(self);
  if (state == ConnectionState::disconnected) {
    self->send(self->state.hub, ConnectionWrites{std::exchange(self->state.written, {}),
                                                 std::exchange(self->state.refused, false)});
  }
  self->send(self->state.hub, event);
}

void drop_socket(Self* self) {
  auto& st = self->state;
  ++st.gen;  // callbacks of the old socket are ignored from now on
  if (st.ws) {
    st.ws->abort();
    st.ws.reset();
  }
  st.parser.reset();
  st.receipts.clear();
  for (auto& held : st.gate.reset()) held.reply.deliver(WriteResult{false});
  st.gate_tick_at.reset();
}

void attempt(Self* self);

// The connection is gone (or never came): report, then wait out a jittered backoff.
void schedule_retry(Self* self, const std::string& reason) {
  auto& st = self->state;
  bool was_connected = st.phase == Phase::connected;
  drop_socket(self);
  if (was_connected || st.attempt == 0) report(self, ConnectionState::disconnected, reason);
  if (!st.want_online) {
    st.phase = Phase::offline;
    return;
  }
  st.phase = Phase::waiting;
  ++st.attempt;
  auto cap = std::min<long long>(st.options.backoff_max.count(),
                                 st.options.backoff_initial.count() *
                                     (1LL << std::min(st.attempt - 1, 20)));
  std::uniform_int_distribution<long long> jitter(0, std::max<long long>(cap, 1));
  auto delay = milliseconds(jitter(st.rng));
  log(LogLevel::info, "connection",
      "attempt " + std::to_string(st.attempt) + " in " + std::to_string(delay.count()) +
          " ms after: " + reason);
  report(self, ConnectionState::reconnecting);
  self->delayed_send(self, delay, Retry{st.gen});
}

void fail(Self* self, const std::string& reason) { schedule_retry(self, reason); }

void write_raw(Self* self, const std::string& bytes) {
  auto& st = self->state;
  if (!st.ws) return;
  if (auto sent = st.ws->send(bytes); !sent.ok()) {
    log(LogLevel::warn, "connection", "write refused: " + sent.error().describe());
  }
  st.last_tx = Clock::now();
}

void write_action(Self* self, const WriteAction& action) {
  auto& st = self->state;
  st.receipts[action.local_id] = action.chat_id;
  bool alone = st.gate.written(action.local_id, Clock::now());
  st.written.push_back(Written{action.local_id, action.chat_id, alone});
  write_raw(self, action.frame);
}

// Writes the held actions the gate lets go now, in order.
void release_held(Self* self) {
  auto& st = self->state;
  while (auto held = st.gate.next(Clock::now())) {
    write_action(self, held->action);
    held->reply.deliver(WriteResult{true});
  }
  // One wake-up pending at a time: the earliest one asked for.
  auto at = st.gate.wake_at();
  if (!at || (st.gate_tick_at && *st.gate_tick_at <= *at)) return;
  st.gate_tick_at = *at;
  auto in = std::chrono::ceil<milliseconds>(*at - Clock::now());
  self->delayed_send(self, std::max(in, milliseconds(1)), GateTick{st.gen, ++st.gate_tick});
}

std::string ws_url(const std::string& base, const std::string& ticket) {
  std::string url = base;
  if (url.rfind("https://", 0) == 0) {
    url = "wss://" + url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    url = "ws://" + url.substr(7);
  }
  return url + "/api/wsConnect?ticket=" + ticket;
}

void open_socket(Self* self, const ConnectGrant& grant) {
  auto& st = self->state;
  st.phase = Phase::opening;
  auto gen = st.gen;
  auto me = caf::actor_cast<caf::actor>(self);
  net::WsOptions options;
  options.subprotocols = {"v12.stomp", "v11.stomp", "v10.stomp"};
  options.tls = st.options.tls;
  auto t = st.options.timeout;
  options.timeouts = net::WsTimeouts{t, t, t, t, std::chrono::milliseconds(2000)};
  net::WsHandlers handlers;
  handlers.on_open = [me, gen](const std::string&) { caf::anon_send(me, WsOpened{gen}); };
  handlers.on_data = [me, gen](std::string bytes) { caf::anon_send(me, WsData{gen, std::move(bytes)}); };
  handlers.on_close = [me, gen](Error reason) { caf::anon_send(me, WsClosed{gen, std::move(reason)}); };
  handlers.on_pong = [me, gen]() { caf::anon_send(me, WsPong{gen}); };
  st.ws = net::WsClient::create(*st.io);
  st.parser.emplace(stomp::ParserLimits{});
  st.ws->connect(ws_url(st.options.base_url, grant.ticket), options, std::move(handlers));
  // The JWT goes in the STOMP CONNECT (not the upgrade); keep it until the socket opens.
  auto url = net::parse_url(st.options.base_url);
  std::string host = url.ok() ? url->host : "localhost";
  auto connect = connect_frame(host, grant.jwt,
                               static_cast<unsigned>(st.options.heart_beat.count()));
  write_raw(self, connect);  // queued until the socket is open
}

void attempt(Self* self) {
  auto& st = self->state;
  if (!st.want_online || st.phase == Phase::auth_failed) return;
  st.phase = Phase::granting;
  if (!st.ever_connected && st.attempt == 0) report(self, ConnectionState::connecting);
  auto gen = st.gen;
  self->request(st.api, caf::infinite, ConnectGrantCall{})
      .then([self, gen](ConnectGrant& grant) {
        auto& st = self->state;
        if (gen != st.gen || st.phase != Phase::granting) return;
        if (grant.error) {
          if (grant.error->code == ErrorCode::auth_failed) {
            drop_socket(self);
            st.phase = Phase::auth_failed;
            st.want_online = false;
            report(self, ConnectionState::auth_failed, grant.error->message);
            return;
          }
          return fail(self, grant.error->message);
        }
        open_socket(self, grant);
      });
}

void on_connected(Self* self, const stomp::Frame& frame) {
  auto& st = self->state;
  unsigned sx = 0, sy = 0;
  if (auto hb = frame.header("heart-beat")) {
    auto parsed = stomp::parse_heart_beat(*hb);
    if (parsed.ok()) std::tie(sx, sy) = parsed.value();
  }
  auto ours = static_cast<unsigned>(st.options.heart_beat.count());
  // STOMP 1.2: we send every max(cx, sy) when both are non-zero; expect every max(cy, sx).
  st.out_interval = milliseconds(ours && sy ? std::max(ours, sy) : 0);
  st.in_interval = milliseconds(ours && sx ? std::max(ours, sx) : 0);
  st.ping_mode = st.in_interval.count() == 0 && ours > 0;
  write_raw(self, subscribe_frame(st.options.user_id));
  st.phase = Phase::connected;
  st.written.clear();
  st.refused = false;
  st.attempt = 0;
  st.ever_connected = true;
  st.last_rx = Clock::now();
  report(self, ConnectionState::connected);
  if (ours > 0) self->delayed_send(self, milliseconds(std::max(ours / 4, 50u)), Tick{st.gen});
}

void on_frame(Self* self, stomp::Frame& frame, EventGroup& batch) {
  auto& st = self->state;
  if (frame.command == "MESSAGE") {
    auto event = decode_event(frame.body);
    if (!event.ok()) {
      log(LogLevel::warn, "connection", "event skipped: " + event.error().describe());
      self->send(st.notifier, Error{event.error().code, "event skipped: " + event.error().message});
      return;
    }
    batch.push(store::LiveEvent{std::move(frame.body), std::move(event).value()});
  } else if (frame.command == "CONNECTED") {
    on_connected(self, frame);
  } else if (frame.command == "ERROR") {
    std::string message(frame.header("message").value_or("(no message)"));
    if (!frame.body.empty()) message += ": " + frame.body.substr(0, 500);
    if (auto receipt = frame.header("receipt-id")) {
      st.refused = true;
      auto it = st.receipts.find(std::string(*receipt));
      if (it != st.receipts.end()) {
        send_events(self);
        self->send(st.hub, ActionRejected{it->second, it->first, message});
      }
    }
    log(LogLevel::warn, "connection", "server ERROR: " + message);
    self->send(st.notifier, Error{ErrorCode::rejected, "server ERROR: " + message});
    fail(self, "server ERROR: " + message);  // the server closes after ERROR; so do we
  }
  // RECEIPT: Spring answers receipts only for DISCONNECT; delivery is confirmed by echoes.
}

void on_data(Self* self, WsData& data) {
  auto& st = self->state;
  if (data.gen != st.gen || !st.parser) return;
  st.last_rx = Clock::now();
  st.parser->feed(data.bytes);
  auto& batch = st.events;
  auto gen = st.gen;
  while (gen == st.gen && st.parser) {
    auto item = st.parser->next();
    if (!item.ok()) {
      self->send(st.notifier, Error{item.error().code, "STOMP: " + item.error().message});
      fail(self, "STOMP: " + item.error().message);
      break;
    }
    if (!item->has_value()) break;
    if (auto* frame = std::get_if<stomp::Frame>(&**item)) on_frame(self, *frame, batch);
    if (batch.full()) send_events(self);
  }
  // Group send: the SendEvents queues behind every WsData already in the mailbox, so when
  // chunks arrive faster than they are decoded, the events of all of them reach the hub (and
  // each chat actor, and the writer) as one message instead of one per chunk; when they do not,
  // it follows at once.
  if (!st.events.empty() && !st.send_scheduled) {
    st.send_scheduled = true;
    self->send(self, SendEvents{});
  }
}

void on_tick(Self* self, const Tick& tick) {
  auto& st = self->state;
  if (tick.gen != st.gen || st.phase != Phase::connected) return;
  auto now = Clock::now();
  auto ours = st.options.heart_beat;
  if (st.out_interval.count() > 0 && now - st.last_tx >= st.out_interval) {
    write_raw(self, std::string(stomp::heart_beat_bytes()));
  }
  if (st.ping_mode && now - st.last_rx >= ours) {
    st.ws->ping();
  }
  auto silence_limit = st.ping_mode ? 2 * ours : 2 * st.in_interval;
  if (silence_limit.count() > 0 && now - st.last_rx > silence_limit) {
    return fail(self, "server silent for " +
                          std::to_string(std::chrono::duration_cast<milliseconds>(now - st.last_rx)
                                             .count()) +
                          " ms");
  }
  self->delayed_send(self, milliseconds(std::max<long long>(ours.count() / 4, 50)), Tick{st.gen});
}

caf::behavior connection(Self* self, ConnectionOptions options, net::IoThread* io, caf::actor api,
                         caf::actor hub, caf::actor notifier) {
  auto& st = self->state;
  st.options = std::move(options);
  st.io = io;
  st.api = std::move(api);
  st.hub = std::move(hub);
  st.notifier = std::move(notifier);
  st.want_online = st.options.start_online;
  st.gate = WriteGate<ConnState::HeldWrite>(st.options.echo_timeout);
  return {
      [=](start_atom) {
        if (self->state.want_online) attempt(self);
      },
      [=](online_atom) {
        auto& st = self->state;
        if (st.phase == Phase::auth_failed) return;
        st.want_online = true;
        if (st.phase == Phase::offline || st.phase == Phase::waiting) {
          ++st.gen;  // cancel a pending retry timer
          attempt(self);
        }
      },
      [=](offline_atom) {
        auto& st = self->state;
        st.want_online = false;
        if (st.phase == Phase::auth_failed) return;
        bool was_connected = st.phase == Phase::connected;
        drop_socket(self);
        st.phase = Phase::offline;
        st.attempt = 0;
        if (was_connected) report(self, ConnectionState::disconnected, kOfflineByRequest);
      },
      [=](WsOpened& opened) {
        auto& st = self->state;
        if (opened.gen != st.gen) return;
        st.phase = Phase::handshaking;
        st.last_tx = Clock::now();
      },
      [=](WsData& data) { on_data(self, data); },
      [=](SendEvents) {
        self->state.send_scheduled = false;
        send_events(self);
      },
      [=](WsPong& pong) {
        if (pong.gen == self->state.gen) self->state.last_rx = Clock::now();
      },
      [=](WsClosed& closed) {
        if (closed.gen != self->state.gen) return;
        fail(self, "connection closed: " + closed.reason.message);
      },
      [=](Tick& tick) { on_tick(self, tick); },
      [=](Retry& retry) {
        if (retry.gen == self->state.gen && self->state.phase == Phase::waiting) attempt(self);
      },
      [=](WriteAction& action) -> caf::result<WriteResult> {
        auto& st = self->state;
        if (st.phase != Phase::connected) return WriteResult{false};
        if (st.gate.admits(action.solo, Clock::now())) {
          write_action(self, action);
          return WriteResult{true};
        }
        auto reply = self->make_response_promise();
        auto local_id = action.local_id;
        bool solo = action.solo;
        st.gate.hold(std::move(local_id), solo, ConnState::HeldWrite{std::move(action), reply});
        release_held(self);  // schedules the wake-up
        return reply;
      },
      [=](WriteSettled& settled) {
        self->state.gate.settled(settled.local_id);
        release_held(self);
      },
      [=](GateTick& tick) {
        auto& st = self->state;
        if (tick.gen != st.gen || tick.n != st.gate_tick) return;  // replaced by an earlier one
        st.gate_tick_at.reset();
        release_held(self);
      },
      [=](WriteTyping& typing) {
        if (self->state.phase == Phase::connected) write_raw(self, send_frame(typing.body, "typing"));
      },
  };
}

}  // namespace

caf::actor spawn_connection(caf::actor_system& system, net::IoThread& io,
                            ConnectionOptions options, caf::actor api, caf::actor hub,
                            caf::actor notifier) {
  return system.spawn(connection, std::move(options), &io, std::move(api), std::move(hub),
                      std::move(notifier));
}

}  // namespace whisp::actors
