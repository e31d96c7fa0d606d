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
#include "store/snapshot.hpp"
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

/// A contiguous known stretch of a chat's history (invariant 8), by message position
/// (timeStamp instant in microseconds, messageId). Between two segments lies a gap.
struct HistorySegment {
  std::int64_t lo_micros = 0;   // INT64_MIN with from_start
  std::string lo_message_id;
  std::int64_t hi_micros = 0;
  std::string hi_message_id;
  bool from_start = false;      // reaches the first message of the chat
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
  /// The same for entries that arrive in groups (the writer's group commit: one group per
  /// request), committed in order as if concatenated, without moving them into one vector.
  Result<CommitInfo> commit_groups(const std::vector<std::vector<LogEntry>>& groups);

  const std::string& self_user_id() const;
  std::int64_t last_seq() const;

  // Queries for the engine (writer's connection; cheap, indexed).
  /// Own actions not yet delivered or failed, in the user's order, per chat when given.
  Result<std::vector<OutboxItem>> outbox(const std::optional<std::string>& chat_id = {}) const;
  /// What the store holds of a chat's confirmed history (the sync actor's cursors): the newest
  /// and oldest known server messages. Empty ids when nothing is known.
  struct HistoryBounds {
    std::optional<std::string> newest_id, oldest_id;
    std::int64_t newest_micros = 0, oldest_micros = 0;
  };
  Result<HistoryBounds> history_bounds(const std::string& chat_id) const;
  /// A message of a chat by server or local id (deleted ones too), for the engine's checks
  /// before an action (editing someone else's message is refused locally).
  struct MessageInfo {
    std::optional<std::string> message_id, local_id;
    std::string sender_id;
    bool deleted = false;
  };
  Result<std::optional<MessageInfo>> find_message(const std::string& chat_id,
                                                  const Target& ref) const;

  /// Whether an intent names what the store knows, before it is logged: the chat (present, not
  /// deleted, not left), and its target — a message with content (an own one, not deleted, for
  /// an edit or a deletion), an own reaction for an unreact. invalid_argument naming the unknown
  /// id, or rejected (someone else's message or reaction, a deleted message). Cost: two or three
  /// indexed lookups.
  Status check_intent(const LocalIntent& intent) const;

  /// WAL checkpoints run by the store's background thread so far (store/checkpointer.hpp): a
  /// commit never pays for one.
  std::uint64_t background_checkpoints() const;

  /// The server id of an own item by local id, once delivered.
  Result<std::optional<std::string>> server_id_of(const std::string& local_id) const;

  // Additions (issue 3).
  /// The file path the store was opened with.
  const std::string& path() const;
  /// The snapshot of the contract on the writer's connection (tests, replay). A UI thread uses
  /// a Reader instead (store/reader.hpp).
  Result<Snapshot> snapshot(const std::optional<std::string>& chat_id = {}) const;
  /// Known history segments of a chat, oldest first.
  Result<std::vector<HistorySegment>> segments(const std::string& chat_id) const;
  /// True when the chat exists and was deleted (DELETE_CHAT): its events are ignored.
  Result<bool> chat_deleted(const std::string& chat_id) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  template <class ForEach>
  Result<CommitInfo> commit_each(ForEach for_each);
  std::unique_ptr<Impl> impl_;
};

}  // namespace whisp::store
