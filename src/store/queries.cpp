#include "store/queries.hpp"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "protocol/timestamp.hpp"
#include "store/apply.hpp"

namespace whisp::store {
namespace {

// The SQL below spells the visibility mask out (23): content known, not deleted, gone or
// pending delete.
static_assert(kVisibleMask == 23, "queries: the visible-message mask changed");

const char* const kMessageSelect =
    "SELECT m.msg_key, id_text(m.message_id), m.local_id, u.user_id, "
    "COALESCE(m.pending_edit, m.edit_text, m.text), m.ts_text, m.ts, "
    "m.pending_edit IS NOT NULL OR m.edit_text IS NOT NULL, "
    "COALESCE(m.pending_edit_at_text, m.edit_at_text), m.flags, m.reply_id, "
    "m.reply_sender, m.reply_text, m.status, o.reason "
    "FROM messages m LEFT JOIN users u ON u.user_key=m.sender_key "
    "LEFT JOIN outbox o ON o.local_id=m.local_id "
    "WHERE m.chat_key=?1 AND (m.flags&23)=1 ";

std::optional<std::string> opt(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

MessageView read_message(SQLite::Statement& q, std::int64_t& key) {
  MessageView m;
  key = q.getColumn(0).getInt64();
  m.message_id = opt(q.getColumn(1));
  m.local_id = opt(q.getColumn(2));
  m.sender_id = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
  m.text = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
  m.time_micros = q.getColumn(6).isNull() ? 0 : q.getColumn(6).getInt64();
  m.time_stamp = q.getColumn(5).isNull() ? format_timestamp(m.time_micros)
                                         : q.getColumn(5).getString();
  m.edited = q.getColumn(7).getInt() != 0;
  if (m.edited) m.edited_at = opt(q.getColumn(8));
  if (q.getColumn(9).getInt() & kIsReply) {
    ReplyRef r;
    r.message_id = opt(q.getColumn(10));
    r.sender_id = q.getColumn(11).isNull() ? "" : q.getColumn(11).getString();
    r.text = q.getColumn(12).isNull() ? "" : q.getColumn(12).getString();
    m.reply_to = std::move(r);
  }
  switch (q.getColumn(13).getInt()) {
    case kPending: m.status = MessageStatus::pending; break;
    case kSent: m.status = MessageStatus::sent; break;
    case kFailed:
      m.status = MessageStatus::failed;
      m.error = q.getColumn(14).isNull() ? "" : q.getColumn(14).getString();
      break;
    default: m.status = MessageStatus::delivered; break;
  }
  return m;
}

}  // namespace

Queries::Queries(SQLite::Database& db, std::string self_id)
    : db_(db), self_id_(std::move(self_id)) {}

std::int64_t Queries::last_seq() {
  return db_.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM log").getInt64();
}

std::optional<std::int64_t> Queries::self_key() {
  SQLite::Statement q(db_, "SELECT user_key FROM users WHERE user_id=?");
  q.bind(1, self_id_);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

void Queries::attach_reactions(std::int64_t /*chat_key*/, std::vector<MessageView>& msgs,
                               const std::vector<std::int64_t>& keys) {
  SQLite::Statement q(db_,
                      "SELECT r.reaction_id, r.local_id, u.user_id, r.emoji FROM reactions r "
                      "LEFT JOIN users u ON u.user_key=r.sender_key WHERE r.msg_key=? AND "
                      "r.deleted=0 ORDER BY r.reaction_id IS NULL, r.reaction_id, r.react_key");
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    q.reset();
    q.bind(1, keys[i]);
    while (q.executeStep()) {
      ReactionView r;
      r.reaction_id = opt(q.getColumn(0));
      r.local_id = opt(q.getColumn(1));
      r.sender_id = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
      r.emoji = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
      msgs[i].reactions.push_back(std::move(r));
    }
  }
}

void Queries::attach_chat_reactions(std::int64_t chat_key, std::vector<MessageView>& msgs,
                                    const std::vector<std::int64_t>& keys) {
  // One query for the whole chat, then attach by message key.
  std::unordered_map<std::int64_t, std::size_t> index;
  index.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) index.emplace(keys[i], i);
  SQLite::Statement q(db_,
                      "SELECT r.msg_key, r.reaction_id, r.local_id, u.user_id, r.emoji FROM "
                      "reactions r LEFT JOIN users u ON u.user_key=r.sender_key WHERE "
                      "r.chat_key=? AND r.deleted=0 AND r.msg_key IS NOT NULL ORDER BY "
                      "r.reaction_id IS NULL, r.reaction_id, r.react_key");
  q.bind(1, chat_key);
  while (q.executeStep()) {
    auto it = index.find(q.getColumn(0).getInt64());
    if (it == index.end()) continue;
    ReactionView r;
    r.reaction_id = opt(q.getColumn(1));
    r.local_id = opt(q.getColumn(2));
    r.sender_id = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
    r.emoji = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
    msgs[it->second].reactions.push_back(std::move(r));
  }
}

std::vector<MessageView> Queries::messages(std::int64_t chat_key, const char* extra_where,
                                           std::optional<std::int64_t> ts, const std::string& id,
                                           int limit, bool newest_first) {
  std::string sql = std::string(kMessageSelect) + extra_where;
  SQLite::Statement q(db_, sql);
  q.bind(1, chat_key);
  if (ts) {
    q.bind(2, *ts);
    q.bind(3, id);
  }
  if (limit >= 0) q.bind(4, limit);
  std::vector<MessageView> out;
  last_keys_.clear();
  while (q.executeStep()) {
    std::int64_t key;
    out.push_back(read_message(q, key));
    last_keys_.push_back(key);
  }
  if (newest_first) {
    std::reverse(out.begin(), out.end());
    std::reverse(last_keys_.begin(), last_keys_.end());
  }
  return out;
}

std::optional<Queries::Position> Queries::own_pointer(std::int64_t chat_key) {
  auto self = self_key();
  // The server's pointer, and the own reads not yet confirmed (outbox kind 7, state pending 1
  // or sent 2) at messages of known position: the furthest of them.
  SQLite::Statement p(db_,
                      "SELECT ts, id, pending FROM (SELECT m.ts AS ts, id_text(m.message_id) AS id, "
                      "0 AS pending FROM read_pointers rp JOIN messages m ON m.msg_key=rp.msg_key "
                      "WHERE rp.chat_key=?1 AND rp.user_key=?2 UNION ALL SELECT m.ts, "
                      "id_text(m.message_id), 1 FROM outbox o JOIN messages m ON "
                      "m.chat_key=o.chat_key AND m.message_id=id_pack(o.target_id) WHERE "
                      "o.chat_key=?1 AND o.kind=?3 AND o.state IN (?4, ?5) AND m.ts IS NOT NULL) "
                      "ORDER BY ts IS NULL, ts DESC, id DESC, pending LIMIT 1");
  p.bind(1, chat_key);
  p.bind(2, self.value_or(-1));
  p.bind(3, kRead);
  p.bind(4, kPending);
  p.bind(5, kSent);
  if (!p.executeStep()) return std::nullopt;
  return Position{p.getColumn(0).getInt64(), p.getColumn(1).getString(),
                  p.getColumn(2).getInt() != 0};
}

int Queries::unread(std::int64_t chat_key, const std::optional<Position>& own) {
  auto self = self_key();
  std::int64_t ts = INT64_MIN;
  std::string id;
  if (own) {
    ts = own->ts;
    id = own->id;
  }
  SQLite::Statement q(db_,
                      "SELECT COUNT(*) FROM messages WHERE chat_key=?1 AND (flags&23)=1 AND "
                      "message_id IS NOT NULL AND sender_key<>?2 AND "
                      "(ts>?3 OR (ts=?3 AND id_text(message_id)>?4))");
  q.bind(1, chat_key);
  q.bind(2, self.value_or(-1));
  q.bind(3, ts);
  q.bind(4, id);
  q.executeStep();
  return q.getColumn(0).getInt();
}

Snapshot Queries::snapshot(const std::optional<std::string>& chat_id) {
  Snapshot s;
  s.user_id = self_id_;
  s.seq = last_seq();
  std::string sql =
      "SELECT chat_key, chat_id, name FROM chats WHERE deleted=0 AND hidden=0";
  if (chat_id) sql += " AND chat_id=?";
  sql += " ORDER BY chat_id";
  SQLite::Statement q(db_, sql);
  if (chat_id) q.bind(1, *chat_id);
  std::vector<std::int64_t> keys;
  while (q.executeStep()) {
    ChatView c;
    keys.push_back(q.getColumn(0).getInt64());
    c.chat_id = q.getColumn(1).getString();
    c.name = opt(q.getColumn(2));
    s.chats.push_back(std::move(c));
  }
  SQLite::Statement mq(db_,
                       "SELECT u.user_id, mb.username, (SELECT COALESCE(rp.listed_id, id_text(m.message_id)) "
                       "FROM read_pointers rp "
                       "JOIN messages m ON m.msg_key=rp.msg_key WHERE rp.chat_key=mb.chat_key AND "
                       "rp.user_key=mb.user_key) FROM members mb JOIN users u ON "
                       "u.user_key=mb.user_key WHERE mb.chat_key=? AND mb.present=1 "
                       "ORDER BY u.user_id");
  for (std::size_t i = 0; i < s.chats.size(); ++i) {
    ChatView& c = s.chats[i];
    mq.reset();
    mq.bind(1, keys[i]);
    const auto own = own_pointer(keys[i]);
    while (mq.executeStep()) {
      MemberView m;
      m.user_id = mq.getColumn(0).getString();
      m.username = opt(mq.getColumn(1));
      m.last_read_message_id = opt(mq.getColumn(2));
      // An own read on its way beyond the server's pointer shows at once.
      if (m.user_id == self_id_ && own && own->pending) m.last_read_message_id = own->id;
      c.members.push_back(std::move(m));
    }
    c.messages = messages(keys[i],
                          "ORDER BY m.message_id IS NULL, CASE WHEN m.message_id IS NULL THEN "
                          "m.own_seq ELSE m.ts END, id_text(m.message_id), m.msg_key",
                          std::nullopt, "", -1, false);
    attach_chat_reactions(keys[i], c.messages, last_keys_);
    c.unread_count = unread(keys[i], own);
  }
  return s;
}

ChatList Queries::chat_list() {
  ChatList l;
  l.seq = last_seq();
  SQLite::Statement q(db_,
                      "SELECT chat_key, chat_id, name FROM chats WHERE deleted=0 AND hidden=0");
  std::vector<std::int64_t> keys;
  while (q.executeStep()) {
    ChatSummary c;
    keys.push_back(q.getColumn(0).getInt64());
    c.chat_id = q.getColumn(1).getString();
    c.name = opt(q.getColumn(2));
    l.chats.push_back(std::move(c));
  }
  for (std::size_t i = 0; i < l.chats.size(); ++i) {
    auto own = messages(keys[i], "AND m.message_id IS NULL ORDER BY m.own_seq DESC LIMIT 1",
                        std::nullopt, "", -1, false);
    auto last = own.empty() ? messages(keys[i],
                                       "AND m.message_id IS NOT NULL ORDER BY m.ts DESC, "
                                       "id_text(m.message_id) DESC LIMIT 1",
                                       std::nullopt, "", -1, false)
                            : std::move(own);
    if (!last.empty()) {
      l.chats[i].last_activity_micros = last.front().time_micros;
      l.chats[i].last_message = std::move(last.front());
    }
    l.chats[i].unread_count = unread(keys[i], own_pointer(keys[i]));
  }
  std::sort(l.chats.begin(), l.chats.end(), [](const ChatSummary& a, const ChatSummary& b) {
    if (a.last_activity_micros != b.last_activity_micros) {
      return a.last_activity_micros > b.last_activity_micros;
    }
    return a.chat_id < b.chat_id;
  });
  return l;
}

HistoryWindow Queries::window(const std::string& chat_id, int count,
                              const std::optional<std::string>& before) {
  HistoryWindow w;
  w.seq = last_seq();
  w.chat_id = chat_id;
  SQLite::Statement c(db_, "SELECT chat_key FROM chats WHERE chat_id=? AND deleted=0");
  c.bind(1, chat_id);
  if (!c.executeStep() || count <= 0) return w;
  const std::int64_t key = c.getColumn(0).getInt64();
  std::vector<MessageView> own;
  std::vector<std::int64_t> own_keys;
  std::optional<std::int64_t> ts;
  std::string id;
  if (before) {
    SQLite::Statement p(db_, "SELECT ts FROM messages WHERE chat_key=? AND message_id=id_pack(?)");
    p.bind(1, key);
    p.bind(2, *before);
    if (!p.executeStep() || p.getColumn(0).isNull()) return w;
    ts = p.getColumn(0).getInt64();
    id = *before;
  } else {
    own = messages(key, "AND m.message_id IS NULL ORDER BY m.own_seq", std::nullopt, "", -1,
                   false);
    own_keys = last_keys_;
  }
  const char* where =
      ts ? "AND m.message_id IS NOT NULL AND (m.ts<?2 OR (m.ts=?2 AND id_text(m.message_id)<?3)) "
           "ORDER BY m.ts DESC, id_text(m.message_id) DESC LIMIT ?4"
         : "AND m.message_id IS NOT NULL ORDER BY m.ts DESC, id_text(m.message_id) DESC LIMIT ?4";
  int want = count - static_cast<int>(own.size());
  if (want < 0) want = 0;
  w.messages = messages(key, where, ts, id, want + 1, true);
  auto keys = last_keys_;
  if (static_cast<int>(w.messages.size()) > want) {
    w.has_older = true;
    w.messages.erase(w.messages.begin());
    keys.erase(keys.begin());
  }
  if (static_cast<int>(own.size()) > count) {
    own.erase(own.begin(), own.end() - count);
    own_keys.erase(own_keys.begin(), own_keys.end() - count);
    w.has_older = true;
  }
  for (std::size_t i = 0; i < own.size(); ++i) {
    w.messages.push_back(std::move(own[i]));
    keys.push_back(own_keys[i]);
  }
  attach_reactions(key, w.messages, keys);
  return w;
}

}  // namespace whisp::store
