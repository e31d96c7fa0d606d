// Diffs between two views of one chat, for UIs that keep a list on screen and want to animate
// what changed instead of redrawing it (issue 7, "Snapshots for UIs").
//
// Every message has a stable item key: its `localId` when it has one (own messages made on this
// device keep their local id after delivery), else its `messageId`. So the key of an own message
// does not change when it goes pending -> sent -> delivered, even though it gains a messageId and
// moves to its server-ordered place: that transition is one update, never a remove plus an insert,
// and a UI list does not jump.
//
// A diff lists, against the old view:
//   - `removed`:  keys of old messages that are gone (deleted, or out of the window);
//   - `inserted`: new messages with their index in the new list;
//   - `updated`:  messages present in both whose content changed or that moved, each with its
//                 new index (`moved` tells whether its place among the kept ones changed);
//   - the chat fields that changed: name, unread count, members (the whole list).
// Applying it: drop `removed` and the moved items, then place `inserted` and moved `updated`
// items at their indices in ascending order, then replace the content of every `updated` item.
// The moved set is the complement of a longest increasing subsequence, so a single message that
// changes place is the only one reported as moved.
//
// Pure functions of their arguments: no I/O, no clock, no shared state; safe on any thread.
// Cost: O(n log n) in the number of messages of the two views, plus the comparisons of the
// messages present in both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/snapshot.hpp"
#include "whisp/result.hpp"

namespace whisp::store {

/// The stable key of a message: its localId when it has one, else its messageId (the same keys
/// as the C API's chat diffs). Local ids ("local-…") and server ids do not collide in practice;
/// if two messages of a view ever share a key, the diff still stays exact (see diff_chats).
/// Opaque to UIs: compare, never parse.
std::string item_key(const MessageView& m);

struct DiffInsert {
  std::size_t index = 0;  // position in the new message list
  std::string key;
  MessageView message;
};

struct DiffUpdate {
  std::size_t index = 0;  // position in the new message list
  std::string key;
  bool moved = false;     // its place among the kept messages changed
  MessageView message;    // the whole new content
};

struct ChatDiff {
  std::string chat_id;
  std::int64_t from_seq = 0;  // the log sequences of the two views (set by the caller)
  std::int64_t to_seq = 0;

  bool name_changed = false;
  std::optional<std::string> name;          // the new name, when name_changed
  std::optional<int> unread_count;          // the new count, when it changed
  bool members_changed = false;
  std::vector<MemberView> members;          // the whole new list, when members_changed

  std::vector<std::string> removed;         // in old-list order
  std::vector<DiffInsert> inserted;         // by ascending index
  std::vector<DiffUpdate> updated;          // by ascending index

  /// Nothing changed (the seqs aside).
  bool empty() const {
    return !name_changed && !unread_count && !members_changed && removed.empty() &&
           inserted.empty() && updated.empty();
  }
};

/// The diff from `before` to `after` (two views of the same chat; chat_id is taken from
/// `after`). Keys must be unique within each view: a later duplicate key gets a "#n" suffix, so
/// the diff stays exact even then.
ChatDiff diff_chats(const ChatView& before, const ChatView& after);

/// `before` with `diff` applied. Equal (`same_chat`) to the `after` the diff was computed from.
/// Fails with invalid_argument when the diff does not fit (an unknown key, an index out of
/// range), naming the key or index.
Result<ChatView> apply_diff(const ChatView& before, const ChatDiff& diff);

/// Deterministic JSON, compact, fixed key order; absent optional parts are omitted:
/// {"chatId","fromSeq","toSeq",["name"],["unreadCount"],["members"],
///  "removed":[key…], "inserted":[{"index","key","message"}…],
///  "updated":[{"index","key","moved","message"}…]}
/// Messages are written exactly as in the snapshot JSON contract (with "error" when asked).
std::string to_json(const ChatDiff& diff, const JsonOptions& options = {});

/// Field-by-field equality of the read-side values (what a UI could see differ).
bool same_message(const MessageView& a, const MessageView& b);
bool same_member(const MemberView& a, const MemberView& b);
bool same_chat(const ChatView& a, const ChatView& b);

}  // namespace whisp::store
