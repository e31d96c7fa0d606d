// State: chats and members (PROTOCOL.md section 2).
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "state.hpp"
#include "state_guard.hpp"

namespace whisp::devserver {

using detail::guarded;

bool State::chat_exists(const std::string& chat_id) {
  SQLite::Statement q(*db_, "SELECT 1 FROM chats WHERE id = ?");
  q.bind(1, chat_id);
  return q.executeStep();
}

bool State::is_member(const std::string& chat_id, const std::string& user_id) {
  SQLite::Statement q(*db_, "SELECT 1 FROM members WHERE chat_id = ? AND user_id = ?");
  q.bind(1, chat_id);
  q.bind(2, user_id);
  return q.executeStep();
}

Status State::require_member(const std::string& chat_id, const std::string& user_id) {
  if (!chat_exists(chat_id)) return detail::not_found("chatId: no chat " + chat_id);
  if (!is_member(chat_id, user_id)) {
    return detail::forbidden("chatId: not a member of chat " + chat_id);
  }
  return Ok{};
}

std::vector<std::string> State::members_of(const std::string& chat_id) {
  SQLite::Statement q(*db_, "SELECT user_id FROM members WHERE chat_id = ? ORDER BY user_id");
  q.bind(1, chat_id);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

std::optional<rest::ChatDetails> State::chat_details(const std::string& chat_id) {
  SQLite::Statement q(*db_,
                      "SELECT id, name, creator, created_at, group_chat FROM chats WHERE id = ?");
  q.bind(1, chat_id);
  if (!q.executeStep()) return std::nullopt;
  rest::ChatDetails d;
  d.chat_id = q.getColumn(0).getString();
  d.chat_name = q.getColumn(1).getString();
  d.creator = q.getColumn(2).getString();
  d.created_at = timestamp_from_micros(q.getColumn(3).getInt64());
  d.group_chat = q.getColumn(4).getInt() != 0;
  SQLite::Statement last(*db_,
                         "SELECT content, ts FROM messages WHERE chat_id = ? AND deleted = 0 "
                         "ORDER BY ts DESC, id DESC LIMIT 1");
  last.bind(1, chat_id);
  if (last.executeStep()) {
    d.last_message = last.getColumn(0).getString();
    d.last_message_timestamp = timestamp_from_micros(last.getColumn(1).getInt64());
  }
  return d;
}

Result<std::pair<rest::ChatDetails, Fanout>> State::create_chat(const UserRow& creator,
                                                                const rest::CreateChatRequest& r,
                                                                std::int64_t now_us) {
  using R = Result<std::pair<rest::ChatDetails, Fanout>>;
  return guarded("createChat", [&]() -> R {
    if (r.chat_name.empty()) return detail::bad_request("chatName: must not be empty");
    if (std::find(r.user_names.begin(), r.user_names.end(), creator.username) ==
        r.user_names.end()) {
      return detail::bad_request("userNames: must include your own username");
    }
    std::vector<std::string> ids;
    for (const auto& name : r.user_names) {
      auto u = user_by_name(name);
      if (!u) return detail::not_found("userNames: no user \"" + name + "\"");
      if (std::find(ids.begin(), ids.end(), u->id) == ids.end()) ids.push_back(u->id);
    }
    const std::string chat_id = uuid_v4();
    SQLite::Transaction tx(*db_);
    SQLite::Statement ins(*db_,
                          "INSERT INTO chats (id, name, creator, created_at, group_chat) "
                          "VALUES (?,?,?,?,?)");
    ins.bind(1, chat_id);
    ins.bind(2, r.chat_name);
    ins.bind(3, creator.id);
    ins.bind(4, static_cast<std::int64_t>(now_us));
    ins.bind(5, ids.size() > 2 ? 1 : 0);
    ins.exec();
    for (const auto& id : ids) {
      SQLite::Statement m(*db_, "INSERT INTO members (chat_id, user_id, joined_at) VALUES (?,?,?)");
      m.bind(1, chat_id);
      m.bind(2, id);
      m.bind(3, static_cast<std::int64_t>(now_us));
      m.exec();
    }
    tx.commit();
    event::NewChat ev;
    ev.chat_id = chat_id;
    ev.sender_id = creator.id;
    ev.name = r.chat_name;
    ev.time_stamp = timestamp_from_micros(now_us);
    std::sort(ids.begin(), ids.end());
    return std::make_pair(*chat_details(chat_id), Fanout{ids, Event{ev}});
  });
}

Result<rest::ChatList> State::list_chats(const std::string& user_id, int page, int size) {
  return guarded("getChats", [&]() -> Result<rest::ChatList> {
    if (page < 0) return detail::bad_request("page: must be >= 0");
    if (size < 1) return detail::bad_request("size: must be >= 1");
    // Most recent activity first, like a chat list; ties by id so paging is stable.
    SQLite::Statement q(*db_, R"sql(
      SELECT c.id FROM chats c JOIN members m ON m.chat_id = c.id AND m.user_id = ?
      ORDER BY COALESCE((SELECT MAX(ts) FROM messages x WHERE x.chat_id = c.id AND x.deleted = 0),
                        c.created_at) DESC, c.id
      LIMIT ? OFFSET ?)sql");
    q.bind(1, user_id);
    q.bind(2, size);
    q.bind(3, static_cast<std::int64_t>(page) * size);
    std::vector<std::string> ids;
    while (q.executeStep()) ids.push_back(q.getColumn(0).getString());
    rest::ChatList out;
    for (const auto& id : ids) out.chats.push_back(*chat_details(id));
    return out;
  });
}

Result<rest::UserList> State::chat_users(const std::string& user_id, const std::string& chat_id) {
  return guarded("getUsers", [&]() -> Result<rest::UserList> {
    if (auto s = require_member(chat_id, user_id); !s) return s.error();
    SQLite::Statement q(*db_, R"sql(
      SELECT m.user_id, u.username, m.joined_at, m.last_seen FROM members m
      JOIN users u ON u.id = m.user_id WHERE m.chat_id = ? ORDER BY m.joined_at, m.user_id)sql");
    q.bind(1, chat_id);
    rest::UserList out;
    while (q.executeStep()) {
      rest::ChatUserInfo info;
      info.user_id = q.getColumn(0).getString();
      info.username = q.getColumn(1).getString();
      info.joined_chat_at = timestamp_from_micros(q.getColumn(2).getInt64());
      if (!q.getColumn(3).isNull()) info.last_seen_message = q.getColumn(3).getString();
      out.users.push_back(std::move(info));
    }
    return out;
  });
}

Result<Fanout> State::add_member(const std::string& actor_id, const std::string& chat_id,
                                 const std::string& new_username, std::int64_t now_us) {
  return guarded("addUser", [&]() -> Result<Fanout> {
    if (auto s = require_member(chat_id, actor_id); !s) return s.error();
    auto u = user_by_name(new_username);
    if (!u) return detail::not_found("newUsername: no user \"" + new_username + "\"");
    if (is_member(chat_id, u->id)) {
      return detail::conflict("newUsername: \"" + new_username + "\" is already a member");
    }
    SQLite::Statement m(*db_, "INSERT INTO members (chat_id, user_id, joined_at) VALUES (?,?,?)");
    m.bind(1, chat_id);
    m.bind(2, u->id);
    m.bind(3, static_cast<std::int64_t>(now_us));
    m.exec();
    event::UserJoin ev;
    ev.chat_id = chat_id;
    ev.sender_id = actor_id;
    ev.user_id = u->id;
    ev.username = u->username;
    return Fanout{members_of(chat_id), Event{ev}};
  });
}

Result<Fanout> State::remove_member(const std::string& actor_id, const std::string& chat_id,
                                    const std::string& removed_id, std::int64_t now_us) {
  return guarded("removeUser", [&]() -> Result<Fanout> {
    if (auto s = require_member(chat_id, actor_id); !s) return s.error();
    if (!is_member(chat_id, removed_id)) {
      return detail::not_found("removeUser: " + removed_id + " is not a member");
    }
    auto recipients = members_of(chat_id);  // the removed member hears it too
    SQLite::Statement d(*db_, "DELETE FROM members WHERE chat_id = ? AND user_id = ?");
    d.bind(1, chat_id);
    d.bind(2, removed_id);
    d.exec();
    const auto removed = user_by_id(removed_id);
    event::UserLeave ev;
    ev.chat_id = chat_id;
    ev.sender_id = removed_id;
    ev.text = (removed ? removed->username : removed_id) +
              (removed_id == actor_id ? " left the Chat" : " was removed from the Chat");
    ev.time_stamp = timestamp_from_micros(now_us);
    return Fanout{std::move(recipients), Event{ev}};
  });
}

Status State::rename_chat(const std::string& actor_id, const std::string& chat_id,
                          const std::string& name) {
  return guarded("changeName", [&]() -> Status {
    if (name.empty()) return detail::bad_request("newChatName: must not be empty");
    if (auto s = require_member(chat_id, actor_id); !s) return s.error();
    SQLite::Statement q(*db_, "UPDATE chats SET name = ? WHERE id = ?");
    q.bind(1, name);
    q.bind(2, chat_id);
    q.exec();
    return Ok{};
  });
}

Result<Fanout> State::delete_chat(const std::string& actor_id, const std::string& chat_id) {
  return guarded("deleteChat", [&]() -> Result<Fanout> {
    if (auto s = require_member(chat_id, actor_id); !s) return s.error();
    const auto details = chat_details(chat_id);
    if (details->creator != actor_id) {
      return detail::forbidden("chatId: only the creator may delete chat " + chat_id);
    }
    auto recipients = members_of(chat_id);
    SQLite::Statement d(*db_, "DELETE FROM chats WHERE id = ?");
    d.bind(1, chat_id);
    d.exec();
    event::DeleteChat ev;
    ev.chat_id = chat_id;
    ev.sender_id = actor_id;
    return Fanout{std::move(recipients), Event{ev}};
  });
}

std::vector<std::string> State::chat_ids_of(const std::string& user_id) {
  auto r = guarded("chats", [&]() -> Result<std::vector<std::string>> {
    SQLite::Statement q(*db_, "SELECT chat_id FROM members WHERE user_id = ? ORDER BY chat_id");
    q.bind(1, user_id);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
  return r ? *r : std::vector<std::string>{};
}

}  // namespace whisp::devserver
