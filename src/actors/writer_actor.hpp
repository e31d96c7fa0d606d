// The writer actor owns the Store (the single SQLite writer) and performs group commit: every
// commit request waiting in its mailbox is appended and applied in one transaction, then each
// requester gets its reply and the notifier hears what changed. Durable before visible
// (invariant 2): replies and notifications are sent only after the transaction committed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <functional>

#include "actors/caf_types.hpp"

namespace whisp::actors {

/// Request: append and apply. Reply: CommitReply.
struct CommitRequest {
  std::vector<store::LogEntry> entries;
};
struct CommitReply {
  store::CommitInfo info;
  std::optional<Error> error;
};

/// Request: the outbox of one chat (or all). Reply: OutboxReply.
struct OutboxQuery {
  std::optional<std::string> chat_id;
};
struct OutboxReply {
  std::vector<store::OutboxItem> items;
  std::optional<Error> error;
};

/// Request: run a read-only function on the writer's connection (queries the sync logic
/// needs); reply: Done. The function runs on the writer's thread between commits.
struct StoreRead {
  std::function<void(const store::Store&)> read;
};

/// The log's last committed seq, published by the writer after each commit for other threads
/// (the sync actor stamps REST requests with it without a round trip through the writer).
using CommittedSeq = std::shared_ptr<std::atomic<std::int64_t>>;

/// Spawns the writer. `notifier` receives a whisp::Change after every commit that changed
/// something; `committed`, when given, follows the log's last committed seq.
caf::actor spawn_writer(caf::actor_system& system, std::unique_ptr<store::Store> store,
                        caf::actor notifier, CommittedSeq committed = nullptr);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::CommitRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::CommitReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::OutboxQuery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::OutboxReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::StoreRead)
