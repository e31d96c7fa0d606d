// The hub routes: events from the connection to the chat actor of their chat (spawned on
// demand, linked to the hub), own actions from the API to the same chat actors, connection state
// to the notifier, the sync actor and every chat actor, and sync progress to the chats.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "actors/chat_actor.hpp"

namespace whisp::actors {

/// What the engine's waiting calls (wait_idle) watch: bumped on every change of state.
struct EngineSignals {
  std::mutex mutex;
  std::condition_variable changed;
  std::uint64_t generation = 0;
  std::atomic<ConnectionState> state{ConnectionState::disconnected};
  std::atomic<bool> synced{false};

  void bump() {
    { std::lock_guard<std::mutex> lock(mutex); ++generation; }
    changed.notify_all();
  }
};

/// Sent once, before anything else: the context chat actors share.
struct HubSetup {
  std::shared_ptr<const ChatContext> context;
};
/// Fire-and-forget: the user is typing in a chat.
struct TypingRequest {
  std::string chat_id;
};

/// Messages: HubSetup, IncomingEvents, ConnectionEvent, ActionRejected, IntentRequest
/// (delegated to the chat actor, which replies), TypingRequest, (synced_atom, chat_id),
/// synced_atom (the pass is over).
/// `signals`: where the hub publishes connection and sync state for Engine::wait_idle.
caf::actor spawn_hub(caf::actor_system& system, std::shared_ptr<EngineSignals> signals);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::HubSetup)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::TypingRequest)
