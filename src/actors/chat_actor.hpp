// One chat actor per chat. It applies the chat's events through the writer (group commit),
// keeps who is typing (in memory, invariant 10), and drives the chat's outbox: own actions go
// pending → sent → delivered in the order the user made them (invariant 9); an action aimed at
// an own item still waiting for its server id waits too; an unconfirmed one is looked up in
// history before it is resent, and fails after `max_sends` sends or on the server's refusal,
// without holding back the rest (invariant 5). After a cut, the cut judge says whether one of
// the chat's actions pays a send for it; until it has, nothing of the chat is resent.
#pragma once

#include <memory>

#include "actors/caf_types.hpp"
#include "actors/typing_board.hpp"

namespace whisp::actors {

/// Request (through the hub): commit an own action. Reply: IntentReply.
struct IntentRequest {
  store::LocalIntent intent;
};
struct IntentReply {
  std::string local_id;
  std::optional<Error> error;
};
/// The events of one chat from one arriving chunk, in order.
struct ChatEvents {
  std::vector<store::LiveEvent> events;
};
/// The connection went up (true) or down (false). `connection` numbers the connections the
/// hub saw come up (1, 2, ...): the one that came up, or the one that went down.
struct ChatOnline {
  bool online = false;
  std::uint64_t connection = 0;
};

/// What every chat actor shares.
struct ChatContext {
  caf::actor writer, connection, sync, notifier;
  caf::actor judge;  // decides who pays for a connection cut (cut_judge.hpp)
  std::shared_ptr<TypingBoard> typing;
  std::string self_id;
  std::chrono::milliseconds echo_timeout{10000};
  std::chrono::milliseconds typing_lifetime{5000};
  int max_sends = 3;
  std::size_t max_frame_bytes = 64 * 1024;
};

/// Messages: ChatEvents, IntentRequest, ChatOnline, synced_atom (backfill of this chat done),
/// ActionRejected, pump_atom.
caf::actor spawn_chat(caf::actor_system& system, std::string chat_id,
                      std::shared_ptr<const ChatContext> context);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::IntentRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::IntentReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ChatEvents)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::ChatOnline)
