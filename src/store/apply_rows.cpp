// Row helpers of the apply function: keys, placeholders, edit merging, read pointers.
#include "store/apply.hpp"

namespace whisp::store {

Applier::Applier(SQLite::Database& db, std::string self_id)
    : db_(db), self_id_(std::move(self_id)) {}

void Applier::reset_caches() {
  chats_.clear();
  users_.clear();
  self_key_.reset();
}

void Applier::reset_statements() {
  for (auto& entry : stmts_) entry.second->tryReset();
}

SQLite::Statement& Applier::stmt(const char* sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    it = stmts_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
  }
  SQLite::Statement& s = *it->second;
  s.reset();
  s.clearBindings();
  return s;
}

void Applier::bind_ts(SQLite::Statement& s, int index, const std::string& text,
                      std::int64_t micros) {
  if (is_canonical_timestamp(text, micros)) {
    s.bind(index);
  } else {
    s.bind(index, text);
  }
}

std::int64_t Applier::self_key() {
  if (!self_key_) self_key_ = user_key(self_id_);
  return *self_key_;
}

std::optional<Applier::Chat> Applier::chat(const std::string& chat_id, bool create,
                                          CommitInfo* info) {
  auto it = chats_.find(chat_id);
  if (it != chats_.end()) return it->second;
  auto& q = stmt("SELECT chat_key, deleted FROM chats WHERE chat_id=?");
  q.bind(1, chat_id);
  Chat c;
  if (q.executeStep()) {
    c.key = q.getColumn(0).getInt64();
    c.deleted = q.getColumn(1).getInt() != 0;
  } else {
    if (!create) return std::nullopt;
    auto& ins = stmt("INSERT INTO chats(chat_id, since_seq) VALUES(?, ?)");
    ins.bind(1, chat_id);
    ins.bind(2, seq_);
    ins.exec();
    c.key = db_.getLastInsertRowid();
    if (info) info->chat_list_changed = true;
  }
  chats_.emplace(chat_id, c);
  return c;
}

std::int64_t Applier::user_key(const std::string& user_id) {
  auto it = users_.find(user_id);
  if (it != users_.end()) return it->second;
  auto& q = stmt("SELECT user_key FROM users WHERE user_id=?");
  q.bind(1, user_id);
  std::int64_t key;
  if (q.executeStep()) {
    key = q.getColumn(0).getInt64();
  } else {
    auto& ins = stmt("INSERT INTO users(user_id) VALUES(?)");
    ins.bind(1, user_id);
    ins.exec();
    key = db_.getLastInsertRowid();
  }
  users_.emplace(user_id, key);
  return key;
}

std::optional<std::string> Applier::user_id_of(std::int64_t key) {
  auto& q = stmt("SELECT user_id FROM users WHERE user_key=?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

static void read_msg(SQLite::Statement& q, std::int64_t& key, int& flags,
                     std::optional<std::int64_t>& ts, std::optional<std::string>& id,
                     std::optional<std::string>& local, std::int64_t& sender, int& status) {
  key = q.getColumn(0).getInt64();
  flags = q.getColumn(1).getInt();
  if (!q.getColumn(2).isNull()) ts = q.getColumn(2).getInt64();
  if (!q.getColumn(3).isNull()) id = q.getColumn(3).getString();
  if (!q.getColumn(4).isNull()) local = q.getColumn(4).getString();
  sender = q.getColumn(5).isNull() ? 0 : q.getColumn(5).getInt64();
  status = q.getColumn(6).getInt();
}

std::optional<Applier::Msg> Applier::find_msg(std::int64_t chat_key,
                                             const std::string& message_id) {
  auto& q = stmt(
      "SELECT msg_key, flags, ts, id_text(message_id), local_id, sender_key, status FROM messages "
      "WHERE chat_key=? AND message_id=id_pack(?)");
  q.bind(1, chat_key);
  q.bind(2, message_id);
  if (!q.executeStep()) return std::nullopt;
  Msg m;
  read_msg(q, m.key, m.flags, m.ts, m.message_id, m.local_id, m.sender_key, m.status);
  return m;
}

std::optional<Applier::Msg> Applier::find_msg_by_local(const std::string& local_id) {
  auto& q = stmt(
      "SELECT msg_key, flags, ts, id_text(message_id), local_id, sender_key, status FROM messages "
      "WHERE local_id=?");
  q.bind(1, local_id);
  if (!q.executeStep()) return std::nullopt;
  Msg m;
  read_msg(q, m.key, m.flags, m.ts, m.message_id, m.local_id, m.sender_key, m.status);
  return m;
}

Applier::Msg Applier::msg_or_placeholder(std::int64_t chat_key, const std::string& message_id) {
  if (auto m = find_msg(chat_key, message_id)) return *m;
  auto& ins = stmt("INSERT INTO messages(chat_key, message_id, flags) VALUES(?,id_pack(?),0)");
  ins.bind(1, chat_key);
  ins.bind(2, message_id);
  ins.exec();
  Msg m;
  m.key = db_.getLastInsertRowid();
  m.message_id = message_id;
  return m;
}

void Applier::set_flags(std::int64_t msg_key, int flags) {
  auto& u = stmt("UPDATE messages SET flags=? WHERE msg_key=?");
  u.bind(1, flags);
  u.bind(2, msg_key);
  u.exec();
}

void Applier::merge_edit(std::int64_t msg_key, const std::string& text, std::int64_t at,
                         const std::string& at_text, bool force) {
  if (force) {
    auto& u = stmt("UPDATE messages SET edit_text=?, edit_at=?, edit_at_text=? WHERE msg_key=?");
    u.bind(1, text);
    u.bind(2, at);
    u.bind(3, at_text);
    u.bind(4, msg_key);
    u.exec();
    return;
  }
  // Latest editedAt wins (as instants); a tie goes to the larger text (bytes), then the larger
  // timestamp text, so any order of the same edits gives the same result.
  auto& u = stmt(
      "UPDATE messages SET edit_text=?1, edit_at=?2, edit_at_text=?3 WHERE msg_key=?4 AND "
      "(edit_at IS NULL OR edit_at < ?2 OR (edit_at = ?2 AND (CAST(edit_text AS BLOB) < "
      "CAST(?1 AS BLOB) OR (edit_text = ?1 AND CAST(edit_at_text AS BLOB) < CAST(?3 AS BLOB)))))");
  u.bind(1, text);
  u.bind(2, at);
  u.bind(3, at_text);
  u.bind(4, msg_key);
  u.exec();
}

void Applier::advance_read(std::int64_t chat_key, std::int64_t user_key, std::int64_t msg_key) {
  // Forward only, by (timeStamp instant, messageId) of the pointed-to messages; a pointer at a
  // message of unknown position (set by a member list) moves to any known one. A listed id
  // (on_listed_read) stays shown until the pointer reaches a message that became known after it:
  // only such a message is surely newer than the listed one.
  auto& u = stmt(
      "INSERT INTO read_pointers(chat_key, user_key, msg_key, since_seq) VALUES(?1,?2,?3,?4) "
      "ON CONFLICT(chat_key, user_key) DO UPDATE SET msg_key=excluded.msg_key, "
      "since_seq=excluded.since_seq, listed_id=CASE WHEN (SELECT COALESCE(since_seq, 0) FROM "
      "messages WHERE msg_key=excluded.msg_key) > COALESCE(read_pointers.listed_seq, 0) THEN "
      "NULL ELSE listed_id END WHERE "
      "(SELECT ts FROM messages WHERE msg_key=read_pointers.msg_key) IS NULL OR "
      "(SELECT ts, id_text(message_id) FROM messages WHERE msg_key=excluded.msg_key) > "
      "(SELECT ts, id_text(message_id) FROM messages WHERE msg_key=read_pointers.msg_key)");
  u.bind(1, chat_key);
  u.bind(2, user_key);
  u.bind(3, msg_key);
  u.bind(4, seq_);
  u.exec();
}

void Applier::end_membership_reads(std::int64_t chat_key, std::int64_t user_key) {
  auto& q = stmt("SELECT present FROM members WHERE chat_key=? AND user_key=?");
  q.bind(1, chat_key);
  q.bind(2, user_key);
  const bool ended = q.executeStep() && q.getColumn(0).getInt() == 0;
  q.reset();
  if (ended) drop_member_reads(chat_key, user_key, std::nullopt, true);
}

void Applier::drop_member_reads(std::int64_t chat_key, std::int64_t user_key,
                                std::optional<std::int64_t> up_to_seq, bool pointer) {
  // Reads are held only on messages of unknown position (ts NULL): the index finds them.
  const char* held =
      "DELETE FROM held_reads WHERE user_key=?2 AND msg_key IN (SELECT msg_key FROM messages "
      "WHERE chat_key=?1 AND ts IS NULL) AND (?3 IS NULL OR COALESCE(since_seq, 0) <= ?3)";
  const char* pointers =
      "DELETE FROM read_pointers WHERE chat_key=?1 AND user_key=?2 AND "
      "(?3 IS NULL OR COALESCE(since_seq, 0) <= ?3)";
  for (const char* sql : {held, pointer ? pointers : nullptr}) {
    if (!sql) continue;
    auto& d = stmt(sql);
    d.bind(1, chat_key);
    d.bind(2, user_key);
    if (up_to_seq) d.bind(3, *up_to_seq);
    d.exec();
  }
}

void Applier::release_held_reads(std::int64_t chat_key, std::int64_t msg_key) {
  std::vector<std::int64_t> users;
  {
    auto& q = stmt("SELECT user_key FROM held_reads WHERE msg_key=?");
    q.bind(1, msg_key);
    while (q.executeStep()) users.push_back(q.getColumn(0).getInt64());
  }
  if (users.empty()) return;
  for (auto u : users) advance_read(chat_key, u, msg_key);
  auto& d = stmt("DELETE FROM held_reads WHERE msg_key=?");
  d.bind(1, msg_key);
  d.exec();
}

void Applier::merge_placeholder(std::int64_t into_key, std::int64_t from_key) {
  // `from` is a placeholder (references to a server id seen before the own echo): move what it
  // collected onto the own row, then drop it.
  auto& q = stmt("SELECT flags, edit_text, edit_at, edit_at_text FROM messages WHERE msg_key=?");
  q.bind(1, from_key);
  if (!q.executeStep()) return;
  int flags = q.getColumn(0).getInt();
  std::optional<std::string> edit_text;
  std::int64_t edit_at = 0;
  std::string edit_at_text;
  if (!q.getColumn(1).isNull()) {
    edit_text = q.getColumn(1).getString();
    edit_at = q.getColumn(2).getInt64();
    edit_at_text = q.getColumn(3).getString();
  }
  q.reset();
  for (const char* sql : {"UPDATE reactions SET msg_key=?1 WHERE msg_key=?2",
                          "UPDATE read_pointers SET msg_key=?1 WHERE msg_key=?2",
                          "UPDATE OR IGNORE held_reads SET msg_key=?1 WHERE msg_key=?2",
                          "DELETE FROM held_reads WHERE msg_key=?2",
                          "DELETE FROM messages WHERE msg_key=?2"}) {
    auto& s = stmt(sql);
    s.bind(1, into_key);
    s.bind(2, from_key);
    s.exec();
  }
  if (edit_text) merge_edit(into_key, *edit_text, edit_at, edit_at_text, false);
  if (flags & kDeleted) {
    auto& u = stmt("UPDATE messages SET flags=flags|2, text=NULL, edit_text=NULL WHERE msg_key=?");
    u.bind(1, into_key);
    u.exec();
  }
}

}  // namespace whisp::store
