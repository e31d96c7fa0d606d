#include "protocol/actions.hpp"

#include <cstring>

#include "protocol/json_util.hpp"

// Wire shapes: PROTOCOL.md section 5. `type` first, the body fields in the table's order,
// `senderId` last. A client `timeStamp` must be an ISO-8601 date-time (the same grammar as the
// events'); it is kept as text.

namespace whisp {
namespace {

using json::Fields;
using json::Writer;

const char* wire_type(const action::SendMsg&) { return "SEND_MSG"; }
const char* wire_type(const action::EditMsg&) { return "EDIT_MSG"; }
const char* wire_type(const action::DeleteMsg&) { return "DELETE_MSG"; }
const char* wire_type(const action::Reply&) { return "REPLY"; }
const char* wire_type(const action::Typing&) { return "TYPING"; }
const char* wire_type(const action::React&) { return "REACT"; }
const char* wire_type(const action::DeleteReact&) { return "DELETE_REACT"; }
const char* wire_type(const action::ReadMsg&) { return "READ_MSG"; }

// A client timestamp: a valid date-time, kept as its text.
void time_stamp(Fields& f, std::string& out) {
  Timestamp t;
  if (f.timestamp("timeStamp", t)) out = std::move(t.text);
}

void read(Fields& f, action::SendMsg& a) {
  f.str("chatId", a.chat_id);
  f.str("message", a.text);
  time_stamp(f, a.time_stamp);
}
void read(Fields& f, action::EditMsg& a) {
  f.str("chatId", a.chat_id);
  f.str("messageId", a.message_id);
  f.str("message", a.text);
  time_stamp(f, a.time_stamp);
}
void read(Fields& f, action::DeleteMsg& a) {
  f.str("chatId", a.chat_id);
  f.str("messageId", a.message_id);
}
void read(Fields& f, action::Reply& a) {
  f.str("chatId", a.chat_id);
  f.str("messageId", a.parent_id);
  f.str("message", a.text);
  time_stamp(f, a.time_stamp);
}
void read(Fields& f, action::Typing& a) { f.str("chatId", a.chat_id); }
void read(Fields& f, action::React& a) {
  f.str("chatId", a.chat_id);
  f.str("messageId", a.message_id);
  f.str("reaction", a.emoji);
  time_stamp(f, a.time_stamp);
}
void read(Fields& f, action::DeleteReact& a) { f.str("reactionId", a.reaction_id); }
void read(Fields& f, action::ReadMsg& a) {
  f.str("chatId", a.chat_id);
  f.str("messageId", a.message_id);
}

void write(Writer& w, const action::SendMsg& a) {
  w.field("chatId", a.chat_id);
  w.field("message", a.text);
  w.field("timeStamp", a.time_stamp);
}
void write(Writer& w, const action::EditMsg& a) {
  w.field("chatId", a.chat_id);
  w.field("messageId", a.message_id);
  w.field("message", a.text);
  w.field("timeStamp", a.time_stamp);
}
void write(Writer& w, const action::DeleteMsg& a) {
  w.field("chatId", a.chat_id);
  w.field("messageId", a.message_id);
}
void write(Writer& w, const action::Reply& a) {
  w.field("chatId", a.chat_id);
  w.field("messageId", a.parent_id);
  w.field("message", a.text);
  w.field("timeStamp", a.time_stamp);
}
void write(Writer& w, const action::Typing& a) { w.field("chatId", a.chat_id); }
void write(Writer& w, const action::React& a) {
  w.field("chatId", a.chat_id);
  w.field("messageId", a.message_id);
  w.field("reaction", a.emoji);
  w.field("timeStamp", a.time_stamp);
}
void write(Writer& w, const action::DeleteReact& a) { w.field("reactionId", a.reaction_id); }
void write(Writer& w, const action::ReadMsg& a) {
  w.field("chatId", a.chat_id);
  w.field("messageId", a.message_id);
}

template <class T>
Result<ActionEnvelope> decode_as(const json::Value& root) {
  T a;
  const json::Path path{nullptr, wire_type(a)};
  Fields f(root, path);
  read(f, a);
  ActionEnvelope env{Action{}, {}};
  f.str("senderId", env.sender_id);
  if (!f.ok()) return f.error();
  env.action = std::move(a);
  return env;
}

bool is(const json::Value& v, const char* name) {
  const std::size_t n = std::strlen(name);
  return v.GetStringLength() == n && std::memcmp(v.GetString(), name, n) == 0;
}

}  // namespace

std::string_view action_type(const Action& a) {
  return std::visit([](const auto& x) -> std::string_view { return wire_type(x); }, a);
}

std::string encode_action(const Action& a, std::string_view sender_id) {
  Writer w;
  w.start_object();
  w.field("type", action_type(a));
  std::visit([&w](const auto& x) { write(w, x); }, a);
  w.field("senderId", sender_id);
  w.end_object();
  return w.take();
}

Result<ActionEnvelope> decode_action(std::string_view json) {
  json::ParsedJson doc;
  Status st = doc.parse(json, "action");
  if (!st) return st.error();
  const json::Value& root = doc.root();
  const auto it = root.FindMember("type");
  if (it == root.MemberEnd()) return Error{ErrorCode::missing_field, "action.type: missing"};
  const json::Value& type = it->value;
  if (!type.IsString()) {
    return Error{ErrorCode::wrong_type,
                 std::string("action.type: expected string, got ") + json::type_name(type)};
  }
  if (is(type, "SEND_MSG")) return decode_as<action::SendMsg>(root);
  if (is(type, "EDIT_MSG")) return decode_as<action::EditMsg>(root);
  if (is(type, "DELETE_MSG")) return decode_as<action::DeleteMsg>(root);
  if (is(type, "REPLY")) return decode_as<action::Reply>(root);
  if (is(type, "TYPING")) return decode_as<action::Typing>(root);
  if (is(type, "REACT")) return decode_as<action::React>(root);
  if (is(type, "DELETE_REACT")) return decode_as<action::DeleteReact>(root);
  if (is(type, "READ_MSG")) return decode_as<action::ReadMsg>(root);
  return Error{ErrorCode::invalid_value,
               "action.type: unknown action '" +
                   std::string(type.GetString(), type.GetStringLength()) + "'"};
}

}  // namespace whisp
