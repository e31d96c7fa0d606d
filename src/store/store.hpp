// The event-sourced store: one SQLite file holding the append-only event log and the
// projections `apply` derives from it (chats, members, messages, reactions, read pointers,
// outbox, history segments). Schema and log format: docs/store-format.md.
//
// Threading: a Store is the single writer; use it from one thread at a time. Snapshot reads go
// through a Reader (its own connection, WAL), which any other thread may use concurrently and
// which always sees one committed state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/log_entry.hpp"
#include "whisp/result.hpp"

namespace whisp::store {

/// What one commit did: the log sequence numbers it appended and the chats it changed.
struct CommitInfo {
  std::int64_t first_seq = 0;   // 0 when nothing was appended
  std::int64_t last_seq = 0;
  std::set<std::string> changed_chats;
  bool chat_list_changed = false;  // a chat appeared, vanished, or was renamed
};

/// One own action waiting for delivery, as the engine's outbox sees it.
struct OutboxItem {
  std::int64_t seq = 0;          // log sequence of the intent (the user's order)
  LocalIntent intent;
  enum class State { pending, sent, delivered, failed } state = State::pending;
  int sends = 0;                 // how many times it was written to the socket
  std::string reason;            // for failed
  /// The server ids its targets resolve to now (nullopt while a target is still local).
  std::optional<std::string> resolved_target;
};

struct OpenOptions {
  std::string self_user_id;  // required when creating; checked against the file otherwise
  bool create = true;
};

class Store {
 public:
  /// Opens or creates a store file (":memory:" for tests), migrating older schemas.
  static Result<std::unique_ptr<Store>> open(const std::string& path, const OpenOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Appends the entries to the log and applies each, in one transaction. Either all are
  /// committed or none. Batching never changes the resulting state.
  Result<CommitInfo> commit(const std::vector<LogEntry>& entries);

  const std::string& self_user_id() const;
  std::int64_t last_seq() const;

  // Queries for the engine (writer's connection; cheap, indexed).
  /// Own actions not yet delivered or failed, in the user's order, per chat when given.
  Result<std::vector<OutboxItem>> outbox(const std::optional<std::string>& chat_id = {}) const;
  /// The server id of an own item by local id, once delivered.
  Result<std::optional<std::string>> server_id_of(const std::string& local_id) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace whisp::store
