// Live views for UIs: immutable snapshots of one chat or of the chat list, each labelled with the
// log sequence (`seq`) it reflects, and subscriptions that deliver, after every commit, the new
// snapshot and a diff from the previous one.
//
// A chat screen typically does:
//
//     auto sub = whisp::ChatSubscription::open(engine, chat_id, {50},
//         [&](const whisp::ChatUpdate& u) { ui.post([=] { list.apply(u.diff); }); });
//     render((*sub)->current());              // the first snapshot: the newest 50 messages
//     ...
//     (*sub)->load_older(50);                 // the user scrolled to the top
//
// Item keys. Every message carries a `key` that never changes for that message: its local id
// when it was made on this device (also after delivery), else its server id (the same keys as
// the C API's chat diffs). A message going
// pending -> sent -> delivered is one `updated` entry (maybe `moved`), never a removal plus an
// insertion, so a list keyed by it does not jump.
//
// Diffs. `ChatDiff` lists, against the previous snapshot, the keys `removed`, the messages
// `inserted` at their new indices, and the messages `updated` in place or `moved`, plus the chat
// fields that changed. `apply(previous, diff)` gives the new snapshot exactly; a UI may instead
// map the three lists onto its list widget's batch updates (remove, then insert/move by new index,
// then reload the updated rows).
//
// Threads. Every function here may be called from any thread. Subscription callbacks run on the
// engine's notifier thread (the thread of `Callbacks::on_change`, after the app's own on_change),
// one at a time, in commit order; they must return quickly and must not destroy their own
// subscription or call its `load_older` (both wait for a running callback: a deadlock). Hand the
// update to the UI thread instead. Snapshots are immutable values shared through
// `std::shared_ptr<const ...>`: keep them, read them on any thread.
//
// Lifetimes. A subscription must be destroyed before the Engine it was opened on. Destroying it
// unsubscribes: when the destructor returns, its callback is not running and will not run again.
//
// Costs. Each read is one read transaction on the engine's read connection (never waits for a
// write). A chat subscription re-reads its chat after each commit that touches that chat (or the
// chat list): O(messages of the chat) for the read, O(window) for the diff. A chat-list
// subscription re-reads the list after each commit: O(chats).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp {

enum class MessageStatus { pending, sent, delivered, failed };
const char* to_string(MessageStatus status) noexcept;

struct ReplyPreview {
  std::optional<std::string> message_id;  // null while the parent is an own undelivered message
  std::string sender_id;
  std::string text;
};

struct Reaction {
  std::optional<std::string> reaction_id;  // null while an own reaction awaits its echo
  std::optional<std::string> local_id;     // own reactions made on this device
  std::string sender_id;
  std::string emoji;
};

struct Message {
  std::string key;                        // stable item key (see the top of this file)
  std::optional<std::string> message_id;  // null for own messages not yet delivered
  std::optional<std::string> local_id;    // own messages made on this device
  std::string sender_id;
  std::string text;                       // the current text (the winning edit's)
  std::string time_stamp;                 // as the server sent it (own undelivered: our clock)
  std::int64_t time_micros = 0;
  bool edited = false;
  std::optional<std::string> edited_at;
  std::optional<ReplyPreview> reply_to;
  std::vector<Reaction> reactions;        // by reactionId, pending ones last
  MessageStatus status = MessageStatus::delivered;
  std::string error;                      // why a failed own message failed
};

struct Member {
  std::string user_id;
  std::optional<std::string> username;
  std::optional<std::string> last_read_message_id;
};

/// One chat as a UI shows it: a window of its history (oldest first) and its fields.
struct ChatSnapshot {
  std::int64_t seq = 0;   // the log sequence this snapshot reflects
  std::string chat_id;
  bool exists = false;    // false: unknown, deleted, or left (then everything below is empty)
  std::optional<std::string> name;
  int unread_count = 0;
  std::vector<Member> members;        // by userId
  std::vector<Message> messages;      // by (timeStamp, messageId), own unconfirmed last
  bool has_older = false;             // the store holds messages before the window
  std::vector<std::string> typing;    // user ids typing now, sorted

  /// The contract's chat object (DESIGN.md "Snapshot JSON", with "error" on failed messages)
  /// with "seq" and "exists" first and "hasOlder" and "typing" last. Deterministic.
  std::string to_json() const;
};

struct MessageInsert {
  std::size_t index = 0;  // in the new message list
  Message message;
};

struct MessageUpdate {
  std::size_t index = 0;  // in the new message list
  bool moved = false;     // its place among the kept messages changed
  Message message;        // the whole new content (same key)
};

/// From one ChatSnapshot to the next. Optional parts are set only when they changed.
struct ChatDiff {
  std::string chat_id;
  std::int64_t from_seq = 0;
  std::int64_t to_seq = 0;
  std::optional<bool> exists;
  bool name_changed = false;
  std::optional<std::string> name;
  std::optional<int> unread_count;
  std::optional<std::vector<Member>> members;
  std::optional<bool> has_older;
  std::optional<std::vector<std::string>> typing;
  std::vector<std::string> removed;     // keys, in the previous list's order
  std::vector<MessageInsert> inserted;  // by ascending index
  std::vector<MessageUpdate> updated;   // by ascending index

  bool empty() const;
  /// {"chatId","fromSeq","toSeq",["exists"],["name"],["unreadCount"],["members"],["hasOlder"],
  ///  ["typing"],"removed":[key…],"inserted":[{"index","key","message"}…],
  ///  "updated":[{"index","key","moved","message"}…]}. Deterministic.
  std::string to_json() const;
};

/// `base` with `diff` applied: equal to the snapshot the diff was computed to. Fails with
/// invalid_argument (naming the key or index) when the diff was not computed from `base`.
Result<ChatSnapshot> apply(const ChatSnapshot& base, const ChatDiff& diff);
/// The diff from `before` to `after` (what the subscription delivers). Pure.
ChatDiff diff(const ChatSnapshot& before, const ChatSnapshot& after);
/// Field-by-field equality.
bool same(const ChatSnapshot& a, const ChatSnapshot& b);

/// One line of the chat list.
struct ChatListEntry {
  std::string chat_id;
  std::optional<std::string> name;
  std::optional<Message> last_message;     // the newest visible message (without reactions)
  int unread_count = 0;
  std::vector<std::string> typing;         // user ids typing now, sorted
  std::int64_t last_activity_micros = 0;   // of last_message; 0 when there is none
};

struct ChatListSnapshot {
  std::int64_t seq = 0;
  std::vector<ChatListEntry> chats;  // most recent activity first, then chatId
  /// {"seq","chats":[{"chatId","name","unreadCount","lastMessage","typing"}…]}. Deterministic.
  std::string to_json() const;
};

/// A window of a chat's history, oldest first.
struct HistoryPage {
  std::int64_t seq = 0;
  std::string chat_id;
  std::vector<Message> messages;
  bool has_older = false;  // the store holds messages before the first one
};

// --- one-shot reads (one read transaction each; any thread) -------------------------------------

/// The newest `window` messages of a chat (all when `window` <= 0) with its fields and typing.
Result<ChatSnapshot> chat_snapshot(const Engine& engine, const std::string& chat_id, int window);
/// The chat list, typing included.
Result<ChatListSnapshot> chat_list(const Engine& engine);
/// The newest `count` messages of a chat, from the store only.
Result<HistoryPage> latest_messages(const Engine& engine, const std::string& chat_id, int count);
/// Up to `count` delivered messages before `message_id`, from the store only (see load_older
/// for the server).
Result<HistoryPage> messages_before(const Engine& engine, const std::string& chat_id,
                                    const std::string& message_id, int count);

// --- subscriptions -----------------------------------------------------------------------------

/// What a chat subscription delivers after a commit: the new snapshot and the diff from the one
/// delivered before (or from `current()` at open, for the first update).
struct ChatUpdate {
  std::shared_ptr<const ChatSnapshot> snapshot;
  ChatDiff diff;
};

class ChatSubscription {
 public:
  struct Options {
    int window = 50;  // the newest messages shown at first; the window then keeps its oldest
                      // message and grows with new ones (and with load_older)
  };
  using Callback = std::function<void(const ChatUpdate&)>;

  /// Reads the first snapshot and subscribes. The callback then runs after each commit that
  /// changes what the window shows (never for a commit that changes nothing there).
  /// Errors: invalid_argument (empty chat id, window < 1), storage_error.
  static Result<std::unique_ptr<ChatSubscription>> open(Engine& engine, std::string chat_id,
                                                        Options options, Callback callback);
  ~ChatSubscription();
  ChatSubscription(const ChatSubscription&) = delete;
  ChatSubscription& operator=(const ChatSubscription&) = delete;

  /// The latest snapshot (the one the last callback got, or the first). Cheap: a shared_ptr copy.
  std::shared_ptr<const ChatSnapshot> current() const;

  /// Extends the window by up to `count` older messages: from the store first; when the store has
  /// fewer, asks the server for the rest (Engine::load_older), which needs a connection. The new
  /// messages arrive through the callback as insertions. Returns how many messages were added to
  /// the window (0: nothing older anywhere). Blocks for the server's answer when it asks; never
  /// call it from a callback.
  Result<int> load_older(int count);

  struct State;

 private:
  explicit ChatSubscription(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

/// Delivers the chat list after each commit that changed it (or who is typing).
class ChatListSubscription {
 public:
  using Callback = std::function<void(std::shared_ptr<const ChatListSnapshot>)>;

  static Result<std::unique_ptr<ChatListSubscription>> open(Engine& engine, Callback callback);
  ~ChatListSubscription();
  ChatListSubscription(const ChatListSubscription&) = delete;
  ChatListSubscription& operator=(const ChatListSubscription&) = delete;

  std::shared_ptr<const ChatListSnapshot> current() const;

  struct State;

 private:
  explicit ChatListSubscription(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace whisp
