// The Whisp realtime events (PROTOCOL.md section 4; the vendor page is the authority for their
// shapes). One struct per event, a std::variant over them, and an Unknown alternative: a
// future `type` is tolerated, not an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/rest.hpp"
#include "protocol/timestamp.hpp"
#include "whisp/result.hpp"

namespace whisp::event {

/// Fields every event carries.
struct Common {
  std::string chat_id;
  std::string recipient_id;  // the receiving user (self)
  std::string sender_id;
};

struct SendMsg : Common {       // "SEND_MSG"
  std::string message_id;
  std::string text;             // wire: message
  Timestamp time_stamp;         // wire: timeStamp
};
struct EditMsg : Common {       // "EDIT_MSG"
  std::string message_id;
  std::string text;             // wire: message (the new text)
  Timestamp edited_at;          // wire: editedAt
};
struct DeleteMsg : Common {     // "DELETE_MSG"
  std::string message_id;
  Timestamp time_stamp;
};
struct Reply : Common {         // "REPLY"
  std::string message_id;       // the new reply's id
  std::string text;             // wire: message
  rest::MessageContent reply_to;  // snapshot of the parent
  Timestamp time_stamp;
};
struct Typing : Common {};      // "TYPING"
struct React : Common {         // "REACT"
  std::string reaction_id;      // wire: messageId (the reaction's own id!)
  std::string emoji;            // wire: message
  std::string parent_message_id;  // wire: parentMessageId (the message reacted to)
  Timestamp time_stamp;
};
struct DeleteReact : Common {   // "DELETE_REACT"
  std::string reaction_id;      // wire: messageId
};
struct ReadMsg : Common {       // "READ_MSG"
  std::string message_id;       // last message read by sender_id
};
struct UserJoin : Common {      // "USER_JOIN"; sender_id = who added them
  std::string user_id;          // wire: message (the new member's id)
  std::string username;
};
struct UserLeave : Common {     // "USER_LEAVE"; sender_id = who left or was removed
  std::string text;             // wire: message (human text)
  Timestamp time_stamp;
};
struct NewChat : Common {       // "NEW_CHAT"; sender_id = creator
  std::string name;             // wire: message
  Timestamp time_stamp;
};
struct DeleteChat : Common {};  // "DELETE_CHAT"
struct Unknown : Common {       // any other type; Common fields filled when present
  std::string type;
};

// Equality, field by field (timestamps compare by text, as Timestamp's == does).
inline bool operator==(const Common& a, const Common& b) {
  return a.chat_id == b.chat_id && a.recipient_id == b.recipient_id && a.sender_id == b.sender_id;
}
inline bool operator==(const SendMsg& a, const SendMsg& b) {
  return static_cast<const Common&>(a) == b && a.message_id == b.message_id && a.text == b.text &&
         a.time_stamp == b.time_stamp;
}
inline bool operator==(const EditMsg& a, const EditMsg& b) {
  return static_cast<const Common&>(a) == b && a.message_id == b.message_id && a.text == b.text &&
         a.edited_at == b.edited_at;
}
inline bool operator==(const DeleteMsg& a, const DeleteMsg& b) {
  return static_cast<const Common&>(a) == b && a.message_id == b.message_id &&
         a.time_stamp == b.time_stamp;
}
inline bool operator==(const Reply& a, const Reply& b) {
  return static_cast<const Common&>(a) == b && a.message_id == b.message_id && a.text == b.text &&
         a.reply_to == b.reply_to && a.time_stamp == b.time_stamp;
}
inline bool operator==(const Typing& a, const Typing& b) {
  return static_cast<const Common&>(a) == b;
}
inline bool operator==(const React& a, const React& b) {
  return static_cast<const Common&>(a) == b && a.reaction_id == b.reaction_id &&
         a.emoji == b.emoji && a.parent_message_id == b.parent_message_id &&
         a.time_stamp == b.time_stamp;
}
inline bool operator==(const DeleteReact& a, const DeleteReact& b) {
  return static_cast<const Common&>(a) == b && a.reaction_id == b.reaction_id;
}
inline bool operator==(const ReadMsg& a, const ReadMsg& b) {
  return static_cast<const Common&>(a) == b && a.message_id == b.message_id;
}
inline bool operator==(const UserJoin& a, const UserJoin& b) {
  return static_cast<const Common&>(a) == b && a.user_id == b.user_id &&
         a.username == b.username;
}
inline bool operator==(const UserLeave& a, const UserLeave& b) {
  return static_cast<const Common&>(a) == b && a.text == b.text && a.time_stamp == b.time_stamp;
}
inline bool operator==(const NewChat& a, const NewChat& b) {
  return static_cast<const Common&>(a) == b && a.name == b.name && a.time_stamp == b.time_stamp;
}
inline bool operator==(const DeleteChat& a, const DeleteChat& b) {
  return static_cast<const Common&>(a) == b;
}
inline bool operator==(const Unknown& a, const Unknown& b) {
  return static_cast<const Common&>(a) == b && a.type == b.type;
}

}  // namespace whisp::event

namespace whisp {

using Event = std::variant<event::SendMsg, event::EditMsg, event::DeleteMsg, event::Reply,
                           event::Typing, event::React, event::DeleteReact, event::ReadMsg,
                           event::UserJoin, event::UserLeave, event::NewChat, event::DeleteChat,
                           event::Unknown>;

/// The wire `type` of an event ("SEND_MSG", …; Unknown gives its own type).
std::string_view event_type(const Event& e);
/// The common fields of any event.
const event::Common& event_common(const Event& e);

/// Decodes one event from a STOMP MESSAGE body. Every required field is checked; errors name
/// the event type, the field and the reason, e.g. `REACT.parentMessageId: missing` or
/// `SEND_MSG.timeStamp: expected string, got number`. Unknown fields are ignored. Strings are
/// kept byte for byte (escaped NULs, surrogate pairs). Never throws.
Result<Event> decode_event(std::string_view json);

/// Encodes an event in the vendor's field order (deterministic; the dev server sends this).
std::string encode_event(const Event& e);

}  // namespace whisp
