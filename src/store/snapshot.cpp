#include "store/snapshot.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace whisp::store {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void str(Writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void opt_str(Writer& w, const std::optional<std::string>& s) {
  if (s) {
    str(w, *s);
  } else {
    w.Null();
  }
}
void key(Writer& w, const char* k) { w.Key(k); }

void write_message(Writer& w, const MessageView& m, const JsonOptions& o) {
  w.StartObject();
  key(w, "messageId"); opt_str(w, m.message_id);
  key(w, "localId"); opt_str(w, m.local_id);
  key(w, "senderId"); str(w, m.sender_id);
  key(w, "text"); str(w, m.text);
  key(w, "timeStamp"); str(w, m.time_stamp);
  key(w, "edited"); w.Bool(m.edited);
  key(w, "editedAt"); opt_str(w, m.edited_at);
  key(w, "replyTo");
  if (m.reply_to) {
    w.StartObject();
    key(w, "messageId"); opt_str(w, m.reply_to->message_id);
    key(w, "senderId"); str(w, m.reply_to->sender_id);
    key(w, "text"); str(w, m.reply_to->text);
    w.EndObject();
  } else {
    w.Null();
  }
  key(w, "reactions");
  w.StartArray();
  for (const auto& r : m.reactions) {
    w.StartObject();
    key(w, "reactionId"); opt_str(w, r.reaction_id);
    key(w, "senderId"); str(w, r.sender_id);
    key(w, "emoji"); str(w, r.emoji);
    w.EndObject();
  }
  w.EndArray();
  key(w, "status"); w.String(to_string(m.status));
  if (o.with_errors && m.status == MessageStatus::failed) {
    key(w, "error"); str(w, m.error);
  }
  w.EndObject();
}

void write_chat(Writer& w, const ChatView& c, const JsonOptions& o) {
  w.StartObject();
  key(w, "chatId"); str(w, c.chat_id);
  key(w, "name"); opt_str(w, c.name);
  key(w, "unreadCount"); w.Int(c.unread_count);
  key(w, "members");
  w.StartArray();
  for (const auto& m : c.members) {
    w.StartObject();
    key(w, "userId"); str(w, m.user_id);
    key(w, "username"); opt_str(w, m.username);
    key(w, "lastReadMessageId"); opt_str(w, m.last_read_message_id);
    w.EndObject();
  }
  w.EndArray();
  key(w, "messages");
  w.StartArray();
  for (const auto& m : c.messages) write_message(w, m, o);
  w.EndArray();
  w.EndObject();
}

std::string take(rapidjson::StringBuffer& b) { return std::string(b.GetString(), b.GetSize()); }

}  // namespace

const char* to_string(MessageStatus s) noexcept {
  switch (s) {
    case MessageStatus::pending: return "pending";
    case MessageStatus::sent: return "sent";
    case MessageStatus::delivered: return "delivered";
    case MessageStatus::failed: return "failed";
  }
  return "delivered";
}

std::string to_json(const Snapshot& s, const JsonOptions& o) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "userId"); str(w, s.user_id);
  key(w, "chats");
  w.StartArray();
  for (const auto& c : s.chats) write_chat(w, c, o);
  w.EndArray();
  w.EndObject();
  return take(b);
}

std::string to_json(const ChatView& c, const JsonOptions& o) {
  rapidjson::StringBuffer b;
  Writer w(b);
  write_chat(w, c, o);
  return take(b);
}

std::string to_json(const MessageView& m, const JsonOptions& o) {
  rapidjson::StringBuffer b;
  Writer w(b);
  write_message(w, m, o);
  return take(b);
}

std::string to_json(const ChatList& l) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "seq"); w.Int64(l.seq);
  key(w, "chats");
  w.StartArray();
  for (const auto& c : l.chats) {
    w.StartObject();
    key(w, "chatId"); str(w, c.chat_id);
    key(w, "name"); opt_str(w, c.name);
    key(w, "unreadCount"); w.Int(c.unread_count);
    key(w, "lastMessage");
    if (c.last_message) {
      write_message(w, *c.last_message, {});
    } else {
      w.Null();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return take(b);
}

std::string to_json(const HistoryWindow& h, const JsonOptions& o) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  key(w, "seq"); w.Int64(h.seq);
  key(w, "chatId"); str(w, h.chat_id);
  key(w, "hasOlder"); w.Bool(h.has_older);
  key(w, "messages");
  w.StartArray();
  for (const auto& m : h.messages) write_message(w, m, o);
  w.EndArray();
  w.EndObject();
  return take(b);
}

}  // namespace whisp::store
