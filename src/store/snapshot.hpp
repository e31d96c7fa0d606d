// Read-side value types of the store: the snapshot of the DESIGN.md contract ("Snapshot JSON"),
// the chat list and history windows, and their deterministic JSON encoders. Plain values: a
// snapshot is immutable once built and may be shared between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace whisp::store {

enum class MessageStatus { pending, sent, delivered, failed };
const char* to_string(MessageStatus s) noexcept;

struct ReplyRef {
  std::optional<std::string> message_id;  // null while the parent is an own undelivered message
  std::string sender_id;
  std::string text;
};

struct ReactionView {
  std::optional<std::string> reaction_id;  // null while an own reaction awaits its echo
  std::optional<std::string> local_id;     // own reactions made on this device
  std::string sender_id;
  std::string emoji;
};

struct MessageView {
  std::optional<std::string> message_id;  // null for own messages not yet delivered
  std::optional<std::string> local_id;    // own messages made on this device
  std::string sender_id;
  std::string text;                       // current text (the winning edit's, if edited)
  std::string time_stamp;                 // as received (own undelivered: the client clock)
  std::int64_t time_micros = 0;           // the instant, for ordering
  bool edited = false;
  std::optional<std::string> edited_at;
  std::optional<ReplyRef> reply_to;
  std::vector<ReactionView> reactions;    // by reactionId, pending ones last
  MessageStatus status = MessageStatus::delivered;
  std::string error;                      // reason of a failed own message
};

struct MemberView {
  std::string user_id;
  std::optional<std::string> username;
  std::optional<std::string> last_read_message_id;
};

struct ChatView {
  std::string chat_id;
  std::optional<std::string> name;
  int unread_count = 0;
  std::vector<MemberView> members;    // by userId
  std::vector<MessageView> messages;  // by (timeStamp, messageId), own unconfirmed last
};

/// The whole state as the contract shows it, and the log sequence it reflects.
struct Snapshot {
  std::string user_id;
  std::int64_t seq = 0;
  std::vector<ChatView> chats;  // live chats by chatId
};

/// One line of a chat list.
struct ChatSummary {
  std::string chat_id;
  std::optional<std::string> name;
  std::optional<MessageView> last_message;  // newest visible message (no reactions)
  int unread_count = 0;
  std::int64_t last_activity_micros = 0;    // of last_message; 0 when there is none
};

struct ChatList {
  std::int64_t seq = 0;
  std::vector<ChatSummary> chats;  // most recent activity first, then chatId
};

/// A window of one chat's history, oldest first.
struct HistoryWindow {
  std::int64_t seq = 0;
  std::string chat_id;
  std::vector<MessageView> messages;
  bool has_older = false;  // more visible messages exist before the first one
};

struct JsonOptions {
  bool with_errors = false;  // add "error" to failed messages (engine snapshots, not replay)
};

/// Snapshot JSON exactly as the contract: fixed key order, compact, strings byte for byte.
std::string to_json(const Snapshot& s, const JsonOptions& options = {});
std::string to_json(const ChatView& c, const JsonOptions& options = {});
std::string to_json(const MessageView& m, const JsonOptions& options = {});
std::string to_json(const ChatList& l);
std::string to_json(const HistoryWindow& w, const JsonOptions& options = {});

}  // namespace whisp::store
