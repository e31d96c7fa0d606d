// The dev server's truth: users, tokens, tickets, chats, members, messages, reactions and read
// pointers in its own SQLite database (SQLiteCpp). Each operation checks membership and
// authorship and returns what to fan out; it never sends anything itself.
//
// Not thread-safe: the server calls it under one mutex (ServerContext::mutex), which also keeps
// the commit order and the fan-out order the same. SQLite exceptions stop at this edge and come
// back as storage_error. Error codes map to HTTP statuses in http_status_for():
// invalid_argument 400, auth_failed 401, rejected 403, not_found 404, invalid_value 409.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto.hpp"
#include "protocol/actions.hpp"
#include "protocol/events.hpp"
#include "protocol/rest.hpp"
#include "whisp/result.hpp"

namespace SQLite { class Database; }

namespace whisp::devserver {

struct UserRow {
  std::string id, username, email;
};

/// An event to deliver to each of `recipients` (user ids); the event's recipientId is set per
/// receiver by the hub.
struct Fanout {
  std::vector<std::string> recipients;
  Event event;
};

/// HTTP status of an error from State (see the header comment); 500 for storage errors.
int http_status_for(const Error& e);

class State {
 public:
  static Result<std::unique_ptr<State>> open(const std::string& path);
  ~State();
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  /// The JWT signing key, created once and kept in the database, so a restarted server with a
  /// database file still accepts the JWTs it issued.
  Result<std::string> jwt_key();

  // Users and credentials.
  Result<UserRow> create_user(const rest::RegisterRequest& r, const PasswordHash& h,
                              std::int64_t now_us);
  Result<std::pair<UserRow, PasswordHash>> credentials(const std::string& username);
  std::optional<UserRow> user_by_id(const std::string& id);
  std::optional<UserRow> user_by_name(const std::string& username);

  // Refresh tokens (opaque) and WebSocket tickets (single use). Times in seconds.
  Status add_refresh_token(const std::string& token, const std::string& user_id,
                           std::int64_t expires_at);
  /// The user of a live refresh token; auth_failed when unknown, revoked or expired.
  Result<std::string> check_refresh_token(const std::string& token, std::int64_t now);
  Status revoke_refresh_token(const std::string& token, const std::string& user_id);
  Status revoke_all_refresh_tokens(const std::string& user_id);
  Status add_ticket(const std::string& ticket, const std::string& user_id,
                    std::int64_t expires_at);
  /// Deletes the ticket and returns its user; auth_failed when unknown, used or expired.
  Result<std::string> consume_ticket(const std::string& ticket, std::int64_t now);

  // Chats and members (REST).
  Result<std::pair<rest::ChatDetails, Fanout>> create_chat(const UserRow& creator,
                                                           const rest::CreateChatRequest& r,
                                                           std::int64_t now_us);
  Result<rest::ChatList> list_chats(const std::string& user_id, int page, int size);
  Result<rest::UserList> chat_users(const std::string& user_id, const std::string& chat_id);
  Result<Fanout> add_member(const std::string& actor_id, const std::string& chat_id,
                            const std::string& new_username, std::int64_t now_us);
  Result<Fanout> remove_member(const std::string& actor_id, const std::string& chat_id,
                               const std::string& removed_id, std::int64_t now_us);
  Status rename_chat(const std::string& actor_id, const std::string& chat_id,
                     const std::string& name);
  Result<Fanout> delete_chat(const std::string& actor_id, const std::string& chat_id);

  /// History page, newest `size` older than `cursor` (a message id) when given. Records a read
  /// of the newest returned message for the caller and returns its READ_MSG fan-out.
  Result<std::pair<rest::MessageList, std::optional<Fanout>>> messages(
      const std::string& user_id, const std::string& chat_id, int size,
      const std::optional<std::string>& cursor);

  /// Applies one action from `sender_id`; nullopt fan-out never happens for accepted actions.
  /// `rejected` / `not_found` errors are actions the server cannot carry out.
  Result<Fanout> apply_action(const std::string& sender_id, const Action& a, std::int64_t now_us);

  /// Chats of the user (for tests and the demo).
  std::vector<std::string> chat_ids_of(const std::string& user_id);

 private:
  explicit State(std::unique_ptr<SQLite::Database> db);
  void create_schema();
  // Membership helpers (throw SQLite::Exception; called inside guarded bodies).
  bool chat_exists(const std::string& chat_id);
  bool is_member(const std::string& chat_id, const std::string& user_id);
  /// not_found for an unknown chat, rejected for a non-member, Ok otherwise.
  Status require_member(const std::string& chat_id, const std::string& user_id);
  std::vector<std::string> members_of(const std::string& chat_id);
  std::optional<rest::MessageContent> message_content(const std::string& message_id);
  std::optional<rest::ChatDetails> chat_details(const std::string& chat_id);
  /// Moves the member's read pointer forward to `message_id` (never back).
  void record_read(const std::string& chat_id, const std::string& user_id,
                   const std::string& message_id);
  Result<Fanout> apply_message_action(const std::string& sender_id, const Action& a,
                                      std::int64_t now_us);
  Result<Fanout> apply_reaction_action(const std::string& sender_id, const Action& a,
                                       std::int64_t now_us);

  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace whisp::devserver
