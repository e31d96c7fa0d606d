// The pure half of whisp/live.hpp: conversions, diff, apply, equality and JSON of the public
// live-view values, all delegating to the store's diff layer (store/snapshot_diff.hpp).
#include "actors/live_convert.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp {
namespace live {
namespace {

MessageStatus to_public(store::MessageStatus s) {
  switch (s) {
    case store::MessageStatus::pending: return MessageStatus::pending;
    case store::MessageStatus::sent: return MessageStatus::sent;
    case store::MessageStatus::failed: return MessageStatus::failed;
    case store::MessageStatus::delivered: break;
  }
  return MessageStatus::delivered;
}

store::MessageStatus to_store(MessageStatus s) {
  switch (s) {
    case MessageStatus::pending: return store::MessageStatus::pending;
    case MessageStatus::sent: return store::MessageStatus::sent;
    case MessageStatus::failed: return store::MessageStatus::failed;
    case MessageStatus::delivered: break;
  }
  return store::MessageStatus::delivered;
}

template <class Out, class In>
std::vector<Out> convert_all(const std::vector<In>& in) {
  std::vector<Out> out;
  out.reserve(in.size());
  for (const auto& x : in) out.push_back(live::to_public(x));
  return out;
}

template <class Out, class In>
std::vector<Out> convert_all_back(const std::vector<In>& in) {
  std::vector<Out> out;
  out.reserve(in.size());
  for (const auto& x : in) out.push_back(live::to_store(x));
  return out;
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(JsonWriter& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string string_array(const std::vector<std::string>& items) {
  rapidjson::StringBuffer b;
  JsonWriter w(b);
  w.StartArray();
  for (const auto& s : items) write_string(w, s);
  w.EndArray();
  return std::string(b.GetString(), b.GetSize());
}

// `{a...}` becomes `{<head>,a...<tail>}`: adds fields around a deterministic store encoding
// of a non-empty object.
std::string wrap(std::string object, const std::string& head, const std::string& tail) {
  if (object.size() < 2) return object;
  object.insert(object.size() - 1, tail);
  object.insert(1, head + ",");
  return object;
}

}  // namespace

Message to_public(const store::MessageView& m) {
  Message out;
  out.key = store::item_key(m);
  out.message_id = m.message_id;
  out.local_id = m.local_id;
  out.sender_id = m.sender_id;
  out.text = m.text;
  out.time_stamp = m.time_stamp;
  out.time_micros = m.time_micros;
  out.edited = m.edited;
  out.edited_at = m.edited_at;
  if (m.reply_to) out.reply_to = ReplyPreview{m.reply_to->message_id, m.reply_to->sender_id, m.reply_to->text};
  out.reactions.reserve(m.reactions.size());
  for (const auto& r : m.reactions) {
    out.reactions.push_back(Reaction{r.reaction_id, r.local_id, r.sender_id, r.emoji});
  }
  out.status = to_public(m.status);
  out.error = m.error;
  return out;
}

store::MessageView to_store(const Message& m) {
  store::MessageView out;
  out.message_id = m.message_id;
  out.local_id = m.local_id;
  out.sender_id = m.sender_id;
  out.text = m.text;
  out.time_stamp = m.time_stamp;
  out.time_micros = m.time_micros;
  out.edited = m.edited;
  out.edited_at = m.edited_at;
  if (m.reply_to) {
    out.reply_to = store::ReplyRef{m.reply_to->message_id, m.reply_to->sender_id, m.reply_to->text};
  }
  out.reactions.reserve(m.reactions.size());
  for (const auto& r : m.reactions) {
    out.reactions.push_back(store::ReactionView{r.reaction_id, r.local_id, r.sender_id, r.emoji});
  }
  out.status = to_store(m.status);
  out.error = m.error;
  return out;
}

Member to_public(const store::MemberView& m) {
  return Member{m.user_id, m.username, m.last_read_message_id};
}

store::MemberView to_store(const Member& m) {
  return store::MemberView{m.user_id, m.username, m.last_read_message_id};
}

ChatSnapshot to_public(const store::ChatView* chat, const std::string& chat_id, std::int64_t seq,
                       bool has_older, std::vector<std::string> typing) {
  ChatSnapshot s;
  s.seq = seq;
  s.chat_id = chat_id;
  if (!chat) return s;
  s.exists = true;
  s.name = chat->name;
  s.unread_count = chat->unread_count;
  s.members = convert_all<Member>(chat->members);
  s.messages = convert_all<Message>(chat->messages);
  s.has_older = has_older;
  s.typing = std::move(typing);
  return s;
}

store::ChatView to_store(const ChatSnapshot& s) {
  store::ChatView c;
  c.chat_id = s.chat_id;
  c.name = s.name;
  c.unread_count = s.unread_count;
  c.members = convert_all_back<store::MemberView>(s.members);
  c.messages = convert_all_back<store::MessageView>(s.messages);
  return c;
}

ChatDiff to_public(const store::ChatDiff& d) {
  ChatDiff out;
  out.chat_id = d.chat_id;
  out.from_seq = d.from_seq;
  out.to_seq = d.to_seq;
  out.name_changed = d.name_changed;
  out.name = d.name;
  out.unread_count = d.unread_count;
  if (d.members_changed) out.members = convert_all<Member>(d.members);
  out.removed = d.removed;
  out.inserted.reserve(d.inserted.size());
  for (const auto& i : d.inserted) {
    out.inserted.push_back({i.index, to_public(i.message)});
    out.inserted.back().message.key = i.key;
  }
  out.updated.reserve(d.updated.size());
  for (const auto& u : d.updated) {
    out.updated.push_back({u.index, u.moved, to_public(u.message)});
    out.updated.back().message.key = u.key;
  }
  return out;
}

store::ChatDiff to_store(const ChatDiff& d) {
  store::ChatDiff out;
  out.chat_id = d.chat_id;
  out.from_seq = d.from_seq;
  out.to_seq = d.to_seq;
  out.name_changed = d.name_changed;
  out.name = d.name;
  out.unread_count = d.unread_count;
  if (d.members) {
    out.members_changed = true;
    out.members = convert_all_back<store::MemberView>(*d.members);
  }
  out.removed = d.removed;
  for (const auto& i : d.inserted) out.inserted.push_back({i.index, i.message.key, to_store(i.message)});
  for (const auto& u : d.updated) {
    out.updated.push_back({u.index, u.message.key, u.moved, to_store(u.message)});
  }
  return out;
}

HistoryPage to_public(const store::HistoryWindow& w) {
  HistoryPage p;
  p.seq = w.seq;
  p.chat_id = w.chat_id;
  p.messages = convert_all<Message>(w.messages);
  p.has_older = w.has_older;
  return p;
}

std::vector<std::string> typing_of(const actors::TypingBoard& board, const std::string& chat_id) {
  return board.typing(chat_id, actors::TypingBoard::Clock::now());
}

}  // namespace live

const char* to_string(MessageStatus status) noexcept {
  switch (status) {
    case MessageStatus::pending: return "pending";
    case MessageStatus::sent: return "sent";
    case MessageStatus::delivered: return "delivered";
    case MessageStatus::failed: return "failed";
  }
  return "delivered";
}

bool ChatDiff::empty() const {
  return !exists && !name_changed && !unread_count && !members && !has_older && !typing &&
         removed.empty() && inserted.empty() && updated.empty();
}

std::string ChatSnapshot::to_json() const {
  store::JsonOptions options;
  options.with_errors = true;
  std::string head = "\"seq\":" + std::to_string(seq) + ",\"exists\":" + (exists ? "true" : "false");
  std::string tail = std::string(",\"hasOlder\":") + (has_older ? "true" : "false") +
                     ",\"typing\":" + live::string_array(typing);
  return live::wrap(store::to_json(live::to_store(*this), options), head, tail);
}

std::string ChatDiff::to_json() const {
  store::JsonOptions options;
  options.with_errors = true;
  auto json = store::to_json(live::to_store(*this), options);
  // The store's encoding ends with ...,"removed":[…],"inserted":[…],"updated":[…]}; the
  // public fields go right before "removed", in the documented order.
  std::string extra;
  if (exists) extra += std::string("\"exists\":") + (*exists ? "true" : "false") + ",";
  if (has_older) extra += std::string("\"hasOlder\":") + (*has_older ? "true" : "false") + ",";
  if (typing) extra += "\"typing\":" + live::string_array(*typing) + ",";
  if (!extra.empty()) {
    auto at = json.rfind(",\"removed\":[");
    if (at != std::string::npos) json.insert(at + 1, extra);
  }
  return json;
}

std::string ChatListSnapshot::to_json() const {
  rapidjson::StringBuffer b;
  live::JsonWriter w(b);
  w.StartObject();
  w.Key("seq");
  w.Int64(seq);
  w.Key("chats");
  w.StartArray();
  for (const auto& c : chats) {
    w.StartObject();
    w.Key("chatId");
    live::write_string(w, c.chat_id);
    w.Key("name");
    if (c.name) {
      live::write_string(w, *c.name);
    } else {
      w.Null();
    }
    w.Key("unreadCount");
    w.Int(c.unread_count);
    w.Key("lastMessage");
    if (c.last_message) {
      auto m = store::to_json(live::to_store(*c.last_message));
      w.RawValue(m.data(), m.size(), rapidjson::kObjectType);
    } else {
      w.Null();
    }
    w.Key("typing");
    w.StartArray();
    for (const auto& u : c.typing) live::write_string(w, u);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

ChatDiff diff(const ChatSnapshot& before, const ChatSnapshot& after) {
  auto d = live::to_public(store::diff_chats(live::to_store(before), live::to_store(after)));
  d.chat_id = after.chat_id;
  d.from_seq = before.seq;
  d.to_seq = after.seq;
  if (before.exists != after.exists) d.exists = after.exists;
  if (before.has_older != after.has_older) d.has_older = after.has_older;
  if (before.typing != after.typing) d.typing = after.typing;
  return d;
}

Result<ChatSnapshot> apply(const ChatSnapshot& base, const ChatDiff& d) {
  auto applied = store::apply_diff(live::to_store(base), live::to_store(d));
  if (!applied.ok()) return applied.error();
  bool exists = d.exists.value_or(base.exists);
  auto out = live::to_public(&*applied, applied->chat_id, d.to_seq, d.has_older.value_or(base.has_older),
                             d.typing.value_or(base.typing));
  out.exists = exists;
  return out;
}

bool same(const ChatSnapshot& a, const ChatSnapshot& b) {
  if (a.seq != b.seq || a.exists != b.exists || a.has_older != b.has_older ||
      a.typing != b.typing) {
    return false;
  }
  if (!store::same_chat(live::to_store(a), live::to_store(b))) return false;
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    if (a.messages[i].key != b.messages[i].key) return false;
  }
  return true;
}

}  // namespace whisp
