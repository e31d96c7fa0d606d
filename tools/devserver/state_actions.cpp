// State: the actions a client SENDs (PROTOCOL.md section 5). Each accepted action is committed
// before its fan-out is returned; one the server cannot carry out is an error (not_found for an
// unknown chat, message or reaction; rejected for a non-member or someone else's message).
#include <SQLiteCpp/SQLiteCpp.h>

#include "state.hpp"
#include "state_guard.hpp"

namespace whisp::devserver {

namespace {
template <class... Fs>
struct Overloaded : Fs... { using Fs::operator()...; };
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

template <class E>
E with_common(E ev, const std::string& chat_id, const std::string& sender_id) {
  ev.chat_id = chat_id;
  ev.sender_id = sender_id;
  return ev;
}
}  // namespace

Result<Fanout> State::apply_message_action(const std::string& sender_id, const Action& a,
                                           std::int64_t now_us) {
  // A live (not deleted) message of the chat, or the reason it cannot be acted on.
  auto live_message = [&](const std::string& chat_id,
                          const std::string& message_id) -> Result<rest::MessageContent> {
    SQLite::Statement q(*db_, "SELECT deleted FROM messages WHERE id = ? AND chat_id = ?");
    q.bind(1, message_id);
    q.bind(2, chat_id);
    if (!q.executeStep() || q.getColumn(0).getInt() != 0) {
      return detail::not_found("messageId: no message " + message_id + " in chat " + chat_id);
    }
    return *message_content(message_id);
  };
  auto own_message = [&](const std::string& chat_id,
                         const std::string& message_id) -> Result<rest::MessageContent> {
    auto m = live_message(chat_id, message_id);
    if (m && m->sender_id != sender_id) {
      return detail::forbidden("messageId: " + message_id + " was written by someone else");
    }
    return m;
  };
  auto insert_message = [&](const std::string& chat_id, const std::string& text,
                            const std::string* reply_to) {
    const std::string id = uuid_v4();
    SQLite::Statement q(*db_,
                        "INSERT INTO messages (id, chat_id, sender_id, content, ts, reply_to) "
                        "VALUES (?,?,?,?,?,?)");
    q.bind(1, id);
    q.bind(2, chat_id);
    q.bind(3, sender_id);
    q.bind(4, text);
    q.bind(5, static_cast<std::int64_t>(now_us));
    if (reply_to) q.bind(6, *reply_to); else q.bind(6);
    q.exec();
    return id;
  };
  const std::string* chat_id = std::visit(
      Overloaded{[](const action::DeleteReact&) -> const std::string* { return nullptr; },
                 [](const auto& x) -> const std::string* { return &x.chat_id; }},
      a);
  if (chat_id == nullptr) return detail::bad_request("action: not a message action");
  if (auto s = require_member(*chat_id, sender_id); !s) return s.error();
  const auto now = timestamp_from_micros(now_us);
  auto fanout = [&](auto ev) { return Fanout{members_of(*chat_id), Event{std::move(ev)}}; };

  if (auto* x = std::get_if<action::SendMsg>(&a)) {
    event::SendMsg ev = with_common(event::SendMsg{}, x->chat_id, sender_id);
    ev.message_id = insert_message(x->chat_id, x->text, nullptr);
    ev.text = x->text;
    ev.time_stamp = now;
    return fanout(std::move(ev));
  }
  if (auto* x = std::get_if<action::EditMsg>(&a)) {
    auto m = own_message(x->chat_id, x->message_id);
    if (!m) return m.error();
    SQLite::Statement q(*db_,
                        "UPDATE messages SET content = ?, edited = 1, edited_at = ? WHERE id = ?");
    q.bind(1, x->text);
    q.bind(2, static_cast<std::int64_t>(now_us));
    q.bind(3, x->message_id);
    q.exec();
    event::EditMsg ev = with_common(event::EditMsg{}, x->chat_id, sender_id);
    ev.message_id = x->message_id;
    ev.text = x->text;
    ev.edited_at = now;
    return fanout(std::move(ev));
  }
  if (auto* x = std::get_if<action::DeleteMsg>(&a)) {
    auto m = own_message(x->chat_id, x->message_id);
    if (!m) return m.error();
    SQLite::Statement q(*db_, "UPDATE messages SET deleted = 1 WHERE id = ?");
    q.bind(1, x->message_id);
    q.exec();
    event::DeleteMsg ev = with_common(event::DeleteMsg{}, x->chat_id, sender_id);
    ev.message_id = x->message_id;
    ev.time_stamp = now;
    return fanout(std::move(ev));
  }
  if (auto* x = std::get_if<action::Reply>(&a)) {
    auto parent = live_message(x->chat_id, x->parent_id);
    if (!parent) return parent.error();
    event::Reply ev = with_common(event::Reply{}, x->chat_id, sender_id);
    ev.message_id = insert_message(x->chat_id, x->text, &x->parent_id);
    ev.text = x->text;
    ev.reply_to = *parent;
    ev.time_stamp = now;
    return fanout(std::move(ev));
  }
  if (auto* x = std::get_if<action::Typing>(&a)) {
    return fanout(with_common(event::Typing{}, x->chat_id, sender_id));
  }
  if (auto* x = std::get_if<action::ReadMsg>(&a)) {
    auto m = live_message(x->chat_id, x->message_id);
    if (!m) return m.error();
    record_read(x->chat_id, sender_id, x->message_id);
    event::ReadMsg ev = with_common(event::ReadMsg{}, x->chat_id, sender_id);
    ev.message_id = x->message_id;
    return fanout(std::move(ev));
  }
  return detail::bad_request("action: not a message action");
}

Result<Fanout> State::apply_reaction_action(const std::string& sender_id, const Action& a,
                                            std::int64_t now_us) {
  if (auto* x = std::get_if<action::React>(&a)) {
    if (auto s = require_member(x->chat_id, sender_id); !s) return s.error();
    SQLite::Statement m(*db_, "SELECT 1 FROM messages WHERE id = ? AND chat_id = ? AND deleted = 0");
    m.bind(1, x->message_id);
    m.bind(2, x->chat_id);
    if (!m.executeStep()) {
      return detail::not_found("messageId: no message " + x->message_id + " in chat " + x->chat_id);
    }
    event::React ev = with_common(event::React{}, x->chat_id, sender_id);
    ev.reaction_id = uuid_v4();
    ev.emoji = x->emoji;
    ev.parent_message_id = x->message_id;
    ev.time_stamp = timestamp_from_micros(now_us);
    SQLite::Statement q(*db_,
                        "INSERT INTO reactions (id, chat_id, message_id, sender_id, emoji, "
                        "created_at) VALUES (?,?,?,?,?,?)");
    q.bind(1, ev.reaction_id);
    q.bind(2, x->chat_id);
    q.bind(3, x->message_id);
    q.bind(4, sender_id);
    q.bind(5, x->emoji);
    q.bind(6, static_cast<std::int64_t>(now_us));
    q.exec();
    return Fanout{members_of(x->chat_id), Event{std::move(ev)}};
  }
  const auto& x = std::get<action::DeleteReact>(a);
  SQLite::Statement q(*db_, "SELECT chat_id, sender_id FROM reactions WHERE id = ?");
  q.bind(1, x.reaction_id);
  if (!q.executeStep()) return detail::not_found("reactionId: no reaction " + x.reaction_id);
  const std::string chat_id = q.getColumn(0).getString();
  const std::string owner = q.getColumn(1).getString();
  q.reset();
  if (auto s = require_member(chat_id, sender_id); !s) return s.error();
  if (owner != sender_id) {
    return detail::forbidden("reactionId: " + x.reaction_id + " was added by someone else");
  }
  SQLite::Statement d(*db_, "DELETE FROM reactions WHERE id = ?");
  d.bind(1, x.reaction_id);
  d.exec();
  event::DeleteReact ev = with_common(event::DeleteReact{}, chat_id, sender_id);
  ev.reaction_id = x.reaction_id;
  return Fanout{members_of(chat_id), Event{std::move(ev)}};
}

}  // namespace whisp::devserver
