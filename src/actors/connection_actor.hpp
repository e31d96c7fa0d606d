// The connection actor owns the realtime session: ticket → WebSocket (STOMP subprotocols) →
// CONNECT with the JWT and heart-beats → SUBSCRIBE to the own queue. It decodes MESSAGE frames
// into typed events and hands them, one batch per arriving chunk, to the hub; it writes the
// chat actors' SEND frames, in the order the write gate allows (write_gate.hpp), recording for
// the cut judge which went alone; it keeps the session alive (STOMP heart-beats when granted,
// WebSocket pings when the server answers 0,0) and reconnects with exponential backoff and full
// jitter. A refused refresh ends in `auth_failed`, with no further attempts.
#pragma once

#include "actors/caf_types.hpp"
#include "actors/cut_ledger.hpp"
#include "net/io_thread.hpp"
#include "net/tls.hpp"

namespace whisp::actors {

/// Hub-bound: the events decoded since the last send (one chunk or several), in arrival order.
struct IncomingEvents {
  std::vector<store::LiveEvent> events;
};
/// Hub-bound, right before each `disconnected` report: the actions written on the connection
/// that went down, in write order (the cut judge's evidence). `refused`: the server's ERROR
/// named one of our frames (an action, or a typing notice) by its receipt: the cut is its doing.
struct ConnectionWrites {
  std::vector<Written> writes;
  bool refused = false;
};
/// The reason of the `disconnected` event when the app asked to go offline (Engine::go_offline):
/// a cut no action caused.
inline constexpr const char* kOfflineByRequest = "offline by request";

/// Hub-bound: the server refused an action (ERROR with a receipt-id naming it).
struct ActionRejected {
  std::string chat_id;
  std::string local_id;
  std::string reason;
};
/// Request from a chat actor: write a SEND frame. Reply: WriteResult, once it is on the socket
/// or will never be. A `solo` action (one the cut judge suspects) waits until every action
/// written before it on the connection is settled or older than `echo_timeout`, and what comes
/// after it waits behind it (write_gate.hpp); other actions go at once.
struct WriteAction {
  std::string chat_id;
  std::string local_id;
  std::string frame;  // the encoded SEND frame (frames.hpp)
  bool solo = false;
};
struct WriteResult {
  bool written = false;  // false: not connected (or cut while held); the action stays queued
};
/// Fire-and-forget, from a chat actor: an action it wrote is no longer in flight (echoed, found
/// in history, failed, or given up as overdue). What a solo write waits for.
struct WriteSettled {
  std::string local_id;
};
/// Fire-and-forget: an encoded TYPING action body; dropped when offline.
struct WriteTyping {
  std::string body;
};

struct ConnectionOptions {
  std::string base_url;  // http(s)://host:port
  std::string user_id;
  std::chrono::milliseconds heart_beat{10000};
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::milliseconds timeout{10000};
  // How long a written action counts as in flight at most, for the write gate (write_gate.hpp):
  // the chats' echo timeout.
  std::chrono::milliseconds echo_timeout{10000};
  net::TlsOptions tls;
  bool start_online = true;
};

/// Messages: start_atom, online_atom (connect now), offline_atom (drop and stay down),
/// WriteAction, WriteSettled, WriteTyping. Reports ConnectionEvent, ConnectionWrites, IncomingEvents and ActionRejected to
/// `hub`, errors (whisp::Error) to `notifier`.
caf::actor spawn_connection(caf::actor_system& system, net::IoThread& io,
                            ConnectionOptions options, caf::actor api, caf::actor hub,
                            caf::actor notifier);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::IncomingEvents)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ConnectionWrites)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ActionRejected)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WriteAction)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WriteResult)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WriteSettled)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::WriteTyping)
