#include "pretty.hpp"

#include <rapidjson/document.h>

#include <map>
#include <vector>

namespace whisp::cli {
namespace {

// ---- the snapshot JSON, read into plain values (checking the shape on the way) -------------

struct Reaction {
  std::string sender_id, emoji;
  bool pending = false;
};
struct Message {
  std::optional<std::string> message_id, local_id;
  std::string sender_id, text, time_stamp, status, error;
  bool edited = false;
  bool has_reply = false;
  std::string reply_sender, reply_text;
  std::vector<Reaction> reactions;
};
struct Member {
  std::string user_id;
  std::optional<std::string> username, last_read;
};
struct Chat {
  std::string chat_id;
  std::optional<std::string> name;
  int unread = 0;
  std::vector<Member> members;
  std::vector<Message> messages;
  std::vector<std::string> typing;
};
struct Snap {
  std::string user_id;
  std::vector<Chat> chats;
};

class Shape {
 public:
  std::optional<std::string> problem;

  std::string str(const rapidjson::Value& o, const char* key, const char* where) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || !it->value.IsString()) {
      bad(std::string(where) + "." + key + " must be a string");
      return {};
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
  }
  std::optional<std::string> opt_str(const rapidjson::Value& o, const char* key, const char* where) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() || it->value.IsNull()) return std::nullopt;
    return str(o, key, where);
  }
  const rapidjson::Value* arr(const rapidjson::Value& o, const char* key, const char* where,
                              bool required = true) {
    auto it = o.FindMember(key);
    if (it == o.MemberEnd() && !required) return nullptr;
    if (it == o.MemberEnd() || !it->value.IsArray()) {
      bad(std::string(where) + "." + key + " must be an array");
      return nullptr;
    }
    return &it->value;
  }
  bool obj(const rapidjson::Value& v, const std::string& where) {
    if (!v.IsObject()) bad(where + " must be an object");
    return v.IsObject();
  }
  void bad(std::string p) {
    if (!problem) problem = std::move(p);
  }
};

Message read_message(Shape& s, const rapidjson::Value& m) {
  Message out;
  if (!s.obj(m, "message")) return out;
  out.message_id = s.opt_str(m, "messageId", "message");
  out.local_id = s.opt_str(m, "localId", "message");
  out.sender_id = s.str(m, "senderId", "message");
  out.text = s.str(m, "text", "message");
  out.time_stamp = s.str(m, "timeStamp", "message");
  out.status = s.str(m, "status", "message");
  out.error = s.opt_str(m, "error", "message").value_or("");
  auto edited = m.FindMember("edited");
  out.edited = edited != m.MemberEnd() && edited->value.IsBool() && edited->value.GetBool();
  auto reply = m.FindMember("replyTo");
  if (reply != m.MemberEnd() && reply->value.IsObject()) {
    out.has_reply = true;
    out.reply_sender = s.str(reply->value, "senderId", "replyTo");
    out.reply_text = s.str(reply->value, "text", "replyTo");
  }
  if (const auto* rs = s.arr(m, "reactions", "message", false)) {
    for (const auto& r : rs->GetArray()) {
      if (!s.obj(r, "reaction")) break;
      auto id = s.opt_str(r, "reactionId", "reaction");
      out.reactions.push_back({s.str(r, "senderId", "reaction"), s.str(r, "emoji", "reaction"),
                               !id.has_value()});
    }
  }
  return out;
}

Chat read_chat(Shape& s, const rapidjson::Value& c) {
  Chat out;
  if (!s.obj(c, "chat")) return out;
  out.chat_id = s.str(c, "chatId", "chat");
  out.name = s.opt_str(c, "name", "chat");
  auto unread = c.FindMember("unreadCount");
  if (unread != c.MemberEnd() && unread->value.IsInt()) out.unread = unread->value.GetInt();
  if (const auto* ms = s.arr(c, "members", "chat")) {
    for (const auto& m : ms->GetArray()) {
      if (!s.obj(m, "member")) break;
      out.members.push_back({s.str(m, "userId", "member"), s.opt_str(m, "username", "member"),
                             s.opt_str(m, "lastReadMessageId", "member")});
    }
  }
  if (const auto* ms = s.arr(c, "messages", "chat")) {
    for (const auto& m : ms->GetArray()) out.messages.push_back(read_message(s, m));
  }
  if (const auto* ts = s.arr(c, "typing", "chat", false)) {
    for (const auto& t : ts->GetArray()) {
      if (t.IsString()) out.typing.emplace_back(t.GetString(), t.GetStringLength());
    }
  }
  return out;
}

Result<Snap> read_snapshot(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) {
    return Error{ErrorCode::malformed_json, "snapshot: not a JSON object"};
  }
  Shape s;
  Snap out;
  out.user_id = s.str(d, "userId", "snapshot");
  if (const auto* cs = s.arr(d, "chats", "snapshot")) {
    for (const auto& c : cs->GetArray()) out.chats.push_back(read_chat(s, c));
  }
  if (s.problem) return Error{ErrorCode::malformed_json, *s.problem};
  return out;
}

// ---- rendering ------------------------------------------------------------------------------

struct Style {
  bool on;
  std::string wrap(const char* code, const std::string& text) const {
    return on ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
  }
};

/// "HH:MM:SS" out of an ISO-8601 date-time, or the text as it is.
std::string clock_of(const std::string& ts) {
  if (ts.size() >= 19 && ts[10] == 'T' && ts[13] == ':' && ts[16] == ':') return ts.substr(11, 8);
  return ts;
}

std::string shorten(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + "...";
}

void render_one_chat(std::string& out, const Snap& snap, const Chat& chat,
                     const PrettyOptions& o) {
  Style st{o.color};
  std::map<std::string, std::string> names;
  for (const auto& m : chat.members) names[m.user_id] = m.username.value_or(m.user_id);
  auto name_of = [&](const std::string& id) {
    if (id == snap.user_id) return std::string("you");
    auto it = names.find(id);
    return it == names.end() ? id : it->second;
  };

  out += st.wrap("1", "== " + chat.name.value_or("(unnamed)")) + "  [" + chat.chat_id + "]";
  if (chat.unread > 0) out += "  " + std::to_string(chat.unread) + " unread";
  out += "\n   members:";
  for (const auto& m : chat.members) out += " " + name_of(m.user_id);
  out += "\n";

  // Read markers: after the message a member has read up to.
  std::map<std::string, std::vector<std::string>> readers;
  for (const auto& m : chat.members) {
    if (m.last_read) readers[*m.last_read].push_back(name_of(m.user_id));
  }

  std::size_t first = 0;
  if (o.last_messages && chat.messages.size() > *o.last_messages) {
    first = chat.messages.size() - *o.last_messages;
    out += "   ... " + std::to_string(first) + " older message(s)\n";
  }
  if (chat.messages.empty()) out += "   (no messages)\n";
  for (std::size_t i = first; i < chat.messages.size(); ++i) {
    const Message& m = chat.messages[i];
    const bool own = m.sender_id == snap.user_id;
    std::string line = "   " + clock_of(m.time_stamp) + " " +
                       st.wrap(own ? "36" : "33", name_of(m.sender_id)) + ": " + m.text;
    if (m.edited) line += " (edited)";
    if (own || m.status != "delivered") {
      std::string mark = status_mark(m.status, m.error);
      line += " " + st.wrap(m.status == "failed" ? "31" : "2", mark);
    }
    out += line + "\n";
    if (m.has_reply) {
      out += "        > reply to " + name_of(m.reply_sender) + ": \"" + shorten(m.reply_text, 40) +
             "\"\n";
    }
    if (!m.reactions.empty()) {
      out += "        reactions:";
      for (const auto& r : m.reactions) {
        out += " " + r.emoji + " " + name_of(r.sender_id) + (r.pending ? " (pending)" : "");
      }
      out += "\n";
    }
    if (m.message_id) {
      auto it = readers.find(*m.message_id);
      if (it != readers.end()) {
        out += "        -- read by";
        for (const auto& n : it->second) out += " " + n;
        out += "\n";
      }
    }
  }
  if (!chat.typing.empty()) {
    out += "   ";
    for (std::size_t i = 0; i < chat.typing.size(); ++i) {
      out += (i ? ", " : "") + name_of(chat.typing[i]);
    }
    out += chat.typing.size() == 1 ? " is typing...\n" : " are typing...\n";
  }
}

}  // namespace

std::string status_mark(std::string_view status, std::string_view error) {
  if (status == "failed") {
    return error.empty() ? "[failed]" : "[failed: " + std::string(error) + "]";
  }
  return "[" + std::string(status) + "]";
}

Result<std::string> render_snapshot(std::string_view snapshot_json, const PrettyOptions& options) {
  auto snap = read_snapshot(snapshot_json);
  if (!snap) return snap.error();
  std::string out = "user " + snap->user_id + ", " + std::to_string(snap->chats.size()) +
                    " chat(s)\n";
  for (const auto& chat : snap->chats) {
    out += "\n";
    render_one_chat(out, *snap, chat, options);
  }
  return out;
}

Result<std::string> render_chat(std::string_view snapshot_json, const std::string& chat_id,
                                const PrettyOptions& options) {
  auto snap = read_snapshot(snapshot_json);
  if (!snap) return snap.error();
  for (const auto& chat : snap->chats) {
    if (chat.chat_id == chat_id) {
      std::string out;
      render_one_chat(out, *snap, chat, options);
      return out;
    }
  }
  return "chat " + chat_id + " is not in the store (yet)\n";
}

Result<SnapshotCounts> count_snapshot(std::string_view snapshot_json) {
  auto snap = read_snapshot(snapshot_json);
  if (!snap) return snap.error();
  SnapshotCounts c;
  c.chats = snap->chats.size();
  for (const auto& chat : snap->chats) {
    c.unread += static_cast<std::size_t>(chat.unread > 0 ? chat.unread : 0);
    for (const auto& m : chat.messages) {
      ++c.messages;
      c.reactions += m.reactions.size();
      if (m.status == "pending") ++c.pending;
      else if (m.status == "sent") ++c.sent;
      else if (m.status == "failed") ++c.failed;
      else ++c.delivered;
    }
  }
  return c;
}

}  // namespace whisp::cli
