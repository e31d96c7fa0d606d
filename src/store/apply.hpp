// The apply function: the only writer of projections. Internal to src/store; the Store calls it
// inside its write transaction, the replay tool and the tests reach it through Store::commit.
//
// How order tolerance works (docs/store-format.md, "Projections"): every fact an event carries
// is kept in a table whose merge is commutative — a message row exists for any referenced id
// (a placeholder until its SEND/REPLY gives it content), edits merge by the latest editedAt,
// deletions are tombstone flags, reactions and their deletions are rows with a tombstone flag,
// reads of unknown messages wait in held_reads, and the read pointer is a maximum. Only
// USER_JOIN/USER_LEAVE follow arrival order, as DESIGN.md says.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/log_entry.hpp"
#include "store/store.hpp"

namespace whisp::store {

// messages.flags bits
constexpr int kHasBase = 1;   // content known (SEND, REPLY, history page or own intent)
constexpr int kDeleted = 2;   // DELETE_MSG tombstone: never visible again
constexpr int kGone = 4;      // absent from a history page that covered it (revived by a page)
constexpr int kIsReply = 8;
// An own DELETE waiting for the server: hidden, text kept, shown again if the delete fails.
constexpr int kPendingDelete = 16;
// Visible: content known, and none of deleted, gone, pending delete.
constexpr int kVisibleMask = kHasBase | kDeleted | kGone | kPendingDelete;

// reactions.deleted values
constexpr int kReactionShown = 0;
constexpr int kReactionDeleted = 1;        // DELETE_REACT tombstone, or an own react that failed
constexpr int kReactionPendingUnreact = 2;  // an own unreact waiting for the server

// messages.status and outbox.state codes
enum StatusCode { kDelivered = 0, kPending = 1, kSent = 2, kFailed = 3 };
// outbox.state uses: pending 1, sent 2, failed 3, delivered 4
constexpr int kOutboxDelivered = 4;

enum IntentKind { kSend = 1, kReply = 2, kEdit = 3, kDelete = 4, kReact = 5, kUnreact = 6, kRead = 7 };

class Applier {
 public:
  Applier(SQLite::Database& db, std::string self_id);

  /// Applies one entry that was appended to the log as `seq`. Throws SQLite::Exception.
  void apply(const LogEntry& entry, std::int64_t seq, CommitInfo& info);
  /// Forgets cached keys (after a rolled-back transaction).
  void reset_caches();
  /// Resets every cached statement, so none keeps a read transaction open between commits.
  void reset_statements();

  std::int64_t self_key();

 private:
  struct Chat {
    std::int64_t key = 0;
    bool deleted = false;
  };
  struct Msg {
    std::int64_t key = 0;
    int flags = 0;
    std::optional<std::int64_t> ts;
    std::optional<std::string> message_id;
    std::optional<std::string> local_id;
    std::int64_t sender_key = 0;
    int status = kDelivered;
  };
  // Content of a message from SEND/REPLY/page: views of the entry's strings (they outlive the
  // apply call), so no id or text is copied per message.
  struct Base {
    static inline const std::string kNone;
    const std::string* message_id = &kNone;
    std::int64_t sender_key = 0;
    std::int64_t ts = 0;
    const std::string* ts_text = &kNone;
    const std::string* text = &kNone;
    bool is_reply = false;
    const std::string* reply_id = &kNone;
    const std::string* reply_sender = &kNone;
    const std::string* reply_text = &kNone;
  };

  // events (apply.cpp)
  void apply_event(const Event& e, CommitInfo& info);
  void on_message(const Chat& chat, const std::string& chat_id, const Base& base,
                  std::int64_t self_sender, CommitInfo& info, bool from_page);
  void on_edit(const Chat& chat, const event::EditMsg& e);
  void on_delete(const Chat& chat, const event::DeleteMsg& e);
  void on_react(const Chat& chat, const std::string& reaction_id, std::int64_t sender_key,
                const std::string& emoji, const std::string& parent_id);
  void on_delete_react(const Chat& chat, const event::DeleteReact& e);
  void on_read(const Chat& chat, std::int64_t user_key, const std::string& message_id);
  // A member list's read pointer: the server's word, even for a message of unknown position.
  void on_listed_read(const Chat& chat, std::int64_t user_key, const std::string& message_id,
                      std::optional<std::int64_t> after_seq);
  void delete_chat(const Chat& chat, const std::string& chat_id);

  // pages (apply_pages.cpp)
  void apply_history(const HistoryPage& h, CommitInfo& info);
  void apply_chats(const ChatsPage& c, CommitInfo& info);
  void apply_members(const MembersPage& m, CommitInfo& info);
  // Delivers own sent unreacts of the reactions on a message that are not in `still_there`,
  // but not of reactions made known after `after_seq` (a page's request).
  void confirm_unreacts(std::int64_t msg_key, const std::set<std::string>& still_there,
                        std::optional<std::int64_t> after_seq);
  // Recomputes a message's own-edit overlay after the edit `edit_local_id` was delivered or
  // failed: the newest own edit still pending or sent, or none (the server's edit shows).
  void refresh_pending_edit(const std::string& edit_local_id);
  void undo_pending_removal(const std::string& local_id, int kind);
  std::int64_t seq_ = 0;  // the seq of the entry being applied
  void record_segment(std::int64_t chat_key, std::int64_t lo_ts, const std::string& lo_id,
                      std::int64_t hi_ts, const std::string& hi_id, bool from_start);

  // local intents (apply_local.cpp)
  void apply_intent(const LocalIntent& i, std::int64_t seq, CommitInfo& info);
  void apply_transition(const OutboxTransition& t, CommitInfo& info);
  void fail_outbox_of_left_chat(std::int64_t chat_key, CommitInfo& info);
  std::optional<Msg> resolve_message(std::int64_t chat_key, const Target& t);
  // How far the client's clock may run ahead of the server's when an own message that failed
  // unconfirmed is matched by time (match_outbox).
  static constexpr std::int64_t kClockSkew = 60 * 1000000LL;
  std::optional<std::string> match_outbox(std::int64_t chat_key, int kind,
                                          const std::string& match_text,
                                          const std::optional<std::string>& target_id,
                                          std::optional<std::int64_t> message_micros = {});
  void deliver(const std::string& local_id, const std::string& server_id);

  // rows (apply_rows.cpp)
  std::optional<Chat> chat(const std::string& chat_id, bool create, CommitInfo* info);
  std::int64_t user_key(const std::string& user_id);
  std::optional<std::string> user_id_of(std::int64_t user_key);
  std::optional<Msg> find_msg(std::int64_t chat_key, const std::string& message_id);
  std::optional<Msg> find_msg_by_local(const std::string& local_id);
  Msg msg_or_placeholder(std::int64_t chat_key, const std::string& message_id);
  void set_flags(std::int64_t msg_key, int flags);
  void merge_edit(std::int64_t msg_key, const std::string& text, std::int64_t at,
                  const std::string& at_text, bool force);
  void advance_read(std::int64_t chat_key, std::int64_t user_key, std::int64_t msg_key);
  // A member who had left joins again: the reads of the old membership go (the server keeps a
  // read pointer per membership). Nothing happens for a member present or never seen.
  void end_membership_reads(std::int64_t chat_key, std::int64_t user_key);
  // Drops a member's held reads in a chat, and their read pointer when `pointer`: those set at
  // or before `up_to_seq` (a REST result's request), or all.
  void drop_member_reads(std::int64_t chat_key, std::int64_t user_key,
                         std::optional<std::int64_t> up_to_seq, bool pointer);
  void release_held_reads(std::int64_t chat_key, std::int64_t msg_key);
  void merge_placeholder(std::int64_t into_key, std::int64_t from_key);

  SQLite::Statement& stmt(const char* sql);
  /// Binds a timestamp's text, or NULL when it is the canonical text of its instant (the
  /// reader regenerates it): saves ~27 bytes a message.
  static void bind_ts(SQLite::Statement& s, int index, const std::string& text,
                      std::int64_t micros);

  SQLite::Database& db_;
  std::string self_id_;
  std::optional<std::int64_t> self_key_;
  std::unordered_map<std::string, Chat> chats_;
  std::unordered_map<std::string, std::int64_t> users_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> stmts_;
};

}  // namespace whisp::store
