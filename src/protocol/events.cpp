#include "protocol/events.hpp"

#include <cstring>

#include "protocol/json_util.hpp"
#include "protocol/rest_json.hpp"

// Wire shapes are those of the vendor page (tests/data/vendor-events/): the required fields of
// each event are exactly its table's fields, read and written in the table's order.
//
// Invalid UTF-8 in any string the model keeps is rejected as malformed_json naming the field
// (json::valid_utf8; see json_util.hpp): the engine stores and re-sends texts, and a byte
// sequence that is not UTF-8 could not be re-encoded faithfully as JSON.

namespace whisp {
namespace {

using json::Fields;
using json::Writer;

// ---- wire type names ----

const char* wire_type(const event::SendMsg&) { return "SEND_MSG"; }
const char* wire_type(const event::EditMsg&) { return "EDIT_MSG"; }
const char* wire_type(const event::DeleteMsg&) { return "DELETE_MSG"; }
const char* wire_type(const event::Reply&) { return "REPLY"; }
const char* wire_type(const event::Typing&) { return "TYPING"; }
const char* wire_type(const event::React&) { return "REACT"; }
const char* wire_type(const event::DeleteReact&) { return "DELETE_REACT"; }
const char* wire_type(const event::ReadMsg&) { return "READ_MSG"; }
const char* wire_type(const event::UserJoin&) { return "USER_JOIN"; }
const char* wire_type(const event::UserLeave&) { return "USER_LEAVE"; }
const char* wire_type(const event::NewChat&) { return "NEW_CHAT"; }
const char* wire_type(const event::DeleteChat&) { return "DELETE_CHAT"; }

// ---- readers, in the vendor table's order ----

void read_common(Fields& f, event::Common& e) {
  f.str("chatId", e.chat_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
}

void read(Fields& f, event::SendMsg& e) {
  f.timestamp("timeStamp", e.time_stamp);
  f.str("chatId", e.chat_id);
  f.str("message", e.text);
  f.str("messageId", e.message_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
}

void read(Fields& f, event::EditMsg& e) {
  f.str("chatId", e.chat_id);
  f.str("message", e.text);
  f.str("messageId", e.message_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
  f.timestamp("editedAt", e.edited_at);
}

void read(Fields& f, event::DeleteMsg& e) {
  f.str("chatId", e.chat_id);
  f.str("messageId", e.message_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
  f.timestamp("timeStamp", e.time_stamp);
}

void read(Fields& f, event::Reply& e) {
  f.str("messageId", e.message_id);
  f.str("message", e.text);
  f.str("chatId", e.chat_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
  json::read_object(f, "replyTo", e.reply_to, rest::read_message_content);
  f.timestamp("timeStamp", e.time_stamp);
}

void read(Fields& f, event::Typing& e) { read_common(f, e); }

void read(Fields& f, event::React& e) {
  f.str("messageId", e.reaction_id);
  f.str("message", e.emoji);
  f.str("chatId", e.chat_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
  f.str("parentMessageId", e.parent_message_id);
  f.timestamp("timeStamp", e.time_stamp);
}

void read(Fields& f, event::DeleteReact& e) {
  f.str("messageId", e.reaction_id);
  read_common(f, e);
}

void read(Fields& f, event::ReadMsg& e) {
  read_common(f, e);
  f.str("messageId", e.message_id);
}

void read(Fields& f, event::UserJoin& e) {
  f.str("chatId", e.chat_id);
  f.str("message", e.user_id);
  f.str("username", e.username);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
}

void read(Fields& f, event::UserLeave& e) {
  f.str("chatId", e.chat_id);
  f.str("message", e.text);
  f.str("recipientId", e.recipient_id);
  f.timestamp("timeStamp", e.time_stamp);
  f.str("senderId", e.sender_id);
}

void read(Fields& f, event::NewChat& e) {
  f.timestamp("timeStamp", e.time_stamp);
  f.str("chatId", e.chat_id);
  f.str("recipientId", e.recipient_id);
  f.str("senderId", e.sender_id);
  f.str("message", e.name);
}

void read(Fields& f, event::DeleteChat& e) { read_common(f, e); }

// ---- writers, in the same order ----

void write_common(Writer& w, const event::Common& e) {
  w.field("chatId", e.chat_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
}

void write(Writer& w, const event::SendMsg& e) {
  w.field("timeStamp", e.time_stamp);
  w.field("chatId", e.chat_id);
  w.field("message", e.text);
  w.field("messageId", e.message_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
}

void write(Writer& w, const event::EditMsg& e) {
  w.field("chatId", e.chat_id);
  w.field("message", e.text);
  w.field("messageId", e.message_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
  w.field("editedAt", e.edited_at);
}

void write(Writer& w, const event::DeleteMsg& e) {
  w.field("chatId", e.chat_id);
  w.field("messageId", e.message_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
  w.field("timeStamp", e.time_stamp);
}

void write(Writer& w, const event::Reply& e) {
  w.field("messageId", e.message_id);
  w.field("message", e.text);
  w.field("chatId", e.chat_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
  w.key("replyTo");
  rest::write_message_content(w, e.reply_to);
  w.field("timeStamp", e.time_stamp);
}

void write(Writer& w, const event::Typing& e) { write_common(w, e); }

void write(Writer& w, const event::React& e) {
  w.field("messageId", e.reaction_id);
  w.field("message", e.emoji);
  w.field("chatId", e.chat_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
  w.field("parentMessageId", e.parent_message_id);
  w.field("timeStamp", e.time_stamp);
}

void write(Writer& w, const event::DeleteReact& e) {
  w.field("messageId", e.reaction_id);
  write_common(w, e);
}

void write(Writer& w, const event::ReadMsg& e) {
  write_common(w, e);
  w.field("messageId", e.message_id);
}

void write(Writer& w, const event::UserJoin& e) {
  w.field("chatId", e.chat_id);
  w.field("message", e.user_id);
  w.field("username", e.username);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
}

void write(Writer& w, const event::UserLeave& e) {
  w.field("chatId", e.chat_id);
  w.field("message", e.text);
  w.field("recipientId", e.recipient_id);
  w.field("timeStamp", e.time_stamp);
  w.field("senderId", e.sender_id);
}

void write(Writer& w, const event::NewChat& e) {
  w.field("timeStamp", e.time_stamp);
  w.field("chatId", e.chat_id);
  w.field("recipientId", e.recipient_id);
  w.field("senderId", e.sender_id);
  w.field("message", e.name);
}

void write(Writer& w, const event::DeleteChat& e) { write_common(w, e); }

// An unknown event: its common fields where present (empty ones are left out).
void write(Writer& w, const event::Unknown& e) {
  if (!e.chat_id.empty()) w.field("chatId", e.chat_id);
  if (!e.recipient_id.empty()) w.field("recipientId", e.recipient_id);
  if (!e.sender_id.empty()) w.field("senderId", e.sender_id);
}

// ---- decoding ----

template <class T>
Result<Event> decode_as(const json::Value& root) {
  T e;
  const json::Path path{nullptr, wire_type(e)};
  Fields f(root, path);
  read(f, e);
  if (!f.ok()) return f.error();
  return Event{std::in_place_type<T>, std::move(e)};
}

// Common fields of an unknown event: taken when they are strings, never an error.
Event decode_unknown(const json::Value& root, std::string type) {
  event::Unknown e;
  e.type = std::move(type);
  const auto take = [&root](const char* key, std::string& out) {
    const auto it = root.FindMember(key);
    if (it != root.MemberEnd() && it->value.IsString() && json::valid_utf8(it->value)) {
      json::assign(out, it->value);
    }
  };
  take("chatId", e.chat_id);
  take("recipientId", e.recipient_id);
  take("senderId", e.sender_id);
  return Event{std::move(e)};
}

bool is(const json::Value& v, const char* name) {
  const std::size_t n = std::strlen(name);
  return v.GetStringLength() == n && std::memcmp(v.GetString(), name, n) == 0;
}

}  // namespace

std::string_view event_type(const Event& e) {
  return std::visit(
      [](const auto& ev) -> std::string_view {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, event::Unknown>) {
          return ev.type;
        } else {
          return wire_type(ev);
        }
      },
      e);
}

const event::Common& event_common(const Event& e) {
  return std::visit([](const auto& ev) -> const event::Common& { return ev; }, e);
}

Result<Event> decode_event(std::string_view json) {
  json::ParsedJson doc;
  Status st = doc.parse(json, "event");
  if (!st) return st.error();
  const json::Value& root = doc.root();
  const auto it = root.FindMember("type");
  if (it == root.MemberEnd()) return Error{ErrorCode::missing_field, "event.type: missing"};
  const json::Value& type = it->value;
  if (!type.IsString()) {
    return Error{ErrorCode::wrong_type,
                 std::string("event.type: expected string, got ") + json::type_name(type)};
  }
  if (!json::valid_utf8(type)) {
    return Error{ErrorCode::malformed_json,
                 "event.type: invalid UTF-8 (or a lone surrogate escape)"};
  }
  if (is(type, "SEND_MSG")) return decode_as<event::SendMsg>(root);
  if (is(type, "EDIT_MSG")) return decode_as<event::EditMsg>(root);
  if (is(type, "DELETE_MSG")) return decode_as<event::DeleteMsg>(root);
  if (is(type, "REPLY")) return decode_as<event::Reply>(root);
  if (is(type, "TYPING")) return decode_as<event::Typing>(root);
  if (is(type, "REACT")) return decode_as<event::React>(root);
  if (is(type, "DELETE_REACT")) return decode_as<event::DeleteReact>(root);
  if (is(type, "READ_MSG")) return decode_as<event::ReadMsg>(root);
  if (is(type, "USER_JOIN")) return decode_as<event::UserJoin>(root);
  if (is(type, "USER_LEAVE")) return decode_as<event::UserLeave>(root);
  if (is(type, "NEW_CHAT")) return decode_as<event::NewChat>(root);
  if (is(type, "DELETE_CHAT")) return decode_as<event::DeleteChat>(root);
  return decode_unknown(root, std::string(type.GetString(), type.GetStringLength()));
}

std::string encode_event(const Event& e) {
  Writer w;
  w.start_object();
  w.field("type", event_type(e));
  std::visit([&w](const auto& ev) { write(w, ev); }, e);
  w.end_object();
  return w.take();
}

}  // namespace whisp
