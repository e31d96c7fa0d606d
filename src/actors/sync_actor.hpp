// The sync actor runs the REST backfill after every (re)connect: getChats through all pages,
// then per chat (at most `concurrency` requests in flight) getMessages backwards from the newest
// until the pages reach what the store already holds, and getUsers for members and read
// pointers. Each result enters the log as its own entry (history pages, chat pages, member
// pages), committed with the cursors it moves (invariant 7). Live events keep flowing meanwhile:
// apply is order-tolerant. When a chat is done the hub hears `synced` for it, so its outbox can
// reconcile and go.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "actors/caf_types.hpp"

namespace whisp::actors {

/// Request: fetch `count` messages older than the oldest known. Reply: LoadOlderReply.
struct LoadOlder {
  std::string chat_id;
  int count = 50;
};
struct LoadOlderReply {
  int loaded = 0;
  std::optional<Error> error;
};
/// Request: fetch one chat's newest history pages now, down to what the store holds, then its
/// members (an echo is overdue; the chat appeared, or took us back in). Reply: Done.
struct CheckHistory {
  std::string chat_id;
};
/// Fire-and-forget: list the chats again (a rename has no realtime event).
struct RefreshChats {};
/// Request: is the backfill of the current connection finished? Reply: bool.
struct SyncDoneQuery {};

struct SyncOptions {
  /// The writer's published last committed seq (spawn_writer); without it each logged REST
  /// request first asks the writer.
  std::shared_ptr<const std::atomic<std::int64_t>> committed;
  int initial_depth = 50;
  int revalidate_depth = 500;  // Config::revalidate_history_depth
  int concurrency = 4;
  int chats_page_size = 50;
};

/// Messages: online_atom (connected: start a pass), offline_atom (abandon it), LoadOlder,
/// CheckHistory, SyncDoneQuery. Tells `hub` (synced_atom, chat_id) per chat and
/// (synced_atom) when the pass is over.
caf::actor spawn_sync(caf::actor_system& system, SyncOptions options, caf::actor api,
                      caf::actor writer, caf::actor hub, caf::actor notifier);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::LoadOlder)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::LoadOlderReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::CheckHistory)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::SyncDoneQuery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::RefreshChats)
