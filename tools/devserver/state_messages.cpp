// State: history, read pointers and the eight actions (PROTOCOL.md sections 2 and 5).
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <type_traits>

#include "state.hpp"
#include "state_guard.hpp"

namespace whisp::devserver {

using detail::guarded;

namespace {
rest::MessageContent content_from_row(SQLite::Statement& q) {
  // Columns: chat_id, ts, id, sender_id, content, edited, edited_at
  rest::MessageContent c;
  c.chat_id = q.getColumn(0).getString();
  c.time_stamp = timestamp_from_micros(q.getColumn(1).getInt64());
  c.message_id = q.getColumn(2).getString();
  c.sender_id = q.getColumn(3).getString();
  c.content = q.getColumn(4).getString();
  c.edited = q.getColumn(5).getInt() != 0;
  if (!q.getColumn(6).isNull()) c.edited_at = timestamp_from_micros(q.getColumn(6).getInt64());
  return c;
}

constexpr const char* kContentColumns =
    "SELECT chat_id, ts, id, sender_id, content, edited, edited_at, reply_to, deleted "
    "FROM messages ";
}  // namespace

std::optional<rest::MessageContent> State::message_content(const std::string& message_id) {
  SQLite::Statement q(*db_, std::string(kContentColumns) + "WHERE id = ?");
  q.bind(1, message_id);
  if (!q.executeStep()) return std::nullopt;
  return content_from_row(q);
}

void State::record_read(const std::string& chat_id, const std::string& user_id,
                        const std::string& message_id) {
  SQLite::Statement q(*db_, R"sql(
    UPDATE members SET last_seen = ?1, last_seen_at = (SELECT ts FROM messages WHERE id = ?1)
    WHERE chat_id = ?2 AND user_id = ?3 AND (last_seen_at IS NULL OR
      (SELECT ts FROM messages WHERE id = ?1) > last_seen_at OR
      ((SELECT ts FROM messages WHERE id = ?1) = last_seen_at AND ?1 > last_seen)))sql");
  q.bind(1, message_id);
  q.bind(2, chat_id);
  q.bind(3, user_id);
  q.exec();
}

Result<std::pair<rest::MessageList, std::optional<Fanout>>> State::messages(
    const std::string& user_id, const std::string& chat_id, int size,
    const std::optional<std::string>& cursor) {
  using R = Result<std::pair<rest::MessageList, std::optional<Fanout>>>;
  return guarded("getMessages", [&]() -> R {
    if (size < 1) return detail::bad_request("size: must be >= 1");
    if (auto s = require_member(chat_id, user_id); !s) return s.error();
    std::int64_t before_ts = INT64_MAX;
    std::string before_id;  // empty: no cursor
    if (cursor) {
      SQLite::Statement c(*db_, "SELECT ts FROM messages WHERE id = ? AND chat_id = ?");
      c.bind(1, *cursor);
      c.bind(2, chat_id);
      if (!c.executeStep()) return detail::not_found("lastMessage: no message " + *cursor);
      before_ts = c.getColumn(0).getInt64();
      before_id = *cursor;
    }
    SQLite::Statement q(*db_, std::string(kContentColumns) + R"sql(
      WHERE chat_id = ?1 AND deleted = 0 AND (?2 = '' OR ts < ?3 OR (ts = ?3 AND id < ?2))
      ORDER BY ts DESC, id DESC LIMIT ?4)sql");
    q.bind(1, chat_id);
    q.bind(2, before_id);
    q.bind(3, static_cast<std::int64_t>(before_ts));
    q.bind(4, size);
    std::vector<std::pair<rest::Message, std::string>> rows;  // message, reply_to id
    while (q.executeStep()) {
      const auto c = content_from_row(q);
      rest::Message m;
      m.chat_id = c.chat_id;
      m.time_stamp = c.time_stamp;
      m.message_id = c.message_id;
      m.sender_id = c.sender_id;
      m.content = c.content;
      m.edited = c.edited;
      m.edited_at = c.edited_at;
      rows.emplace_back(std::move(m), q.getColumn(7).isNull() ? "" : q.getColumn(7).getString());
    }
    const std::string newest = rows.empty() ? std::string() : rows.front().first.message_id;
    rest::MessageList out;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {  // oldest first
      auto& m = it->first;
      if (!it->second.empty()) m.reply_to = message_content(it->second);
      SQLite::Statement r(*db_,
                          "SELECT id, chat_id, message_id, sender_id, emoji, created_at "
                          "FROM reactions WHERE message_id = ? ORDER BY created_at, id");
      r.bind(1, m.message_id);
      while (r.executeStep()) {
        rest::Reaction x;
        x.reaction_id = r.getColumn(0).getString();
        x.chat_id = r.getColumn(1).getString();
        x.message_id = r.getColumn(2).getString();
        x.sender_id = r.getColumn(3).getString();
        x.reaction = r.getColumn(4).getString();
        x.created_at = timestamp_from_micros(r.getColumn(5).getInt64());
        m.reactions.push_back(std::move(x));
      }
      out.messages.push_back(std::move(m));
    }
    std::optional<Fanout> read;
    if (!newest.empty()) {
      record_read(chat_id, user_id, newest);
      event::ReadMsg ev;
      ev.chat_id = chat_id;
      ev.sender_id = user_id;
      ev.message_id = newest;
      read = Fanout{members_of(chat_id), Event{ev}};
    }
    return std::make_pair(std::move(out), std::move(read));
  });
}

Result<Fanout> State::apply_action(const std::string& sender_id, const Action& a,
                                   std::int64_t now_us) {
  return guarded("action", [&]() -> Result<Fanout> {
    if (std::holds_alternative<action::React>(a) || std::holds_alternative<action::DeleteReact>(a)) {
      return apply_reaction_action(sender_id, a, now_us);
    }
    return apply_message_action(sender_id, a, now_us);
  });
}

}  // namespace whisp::devserver
