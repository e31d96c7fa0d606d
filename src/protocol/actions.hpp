// The Whisp actions a client sends (PROTOCOL.md section 5): SEND frames to /api/chat whose body
// is the action JSON plus `senderId`. An action carries no client-chosen id.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "whisp/result.hpp"

namespace whisp::action {

struct SendMsg { std::string chat_id, text, time_stamp; };               // "SEND_MSG"
struct EditMsg { std::string chat_id, message_id, text, time_stamp; };   // "EDIT_MSG"
struct DeleteMsg { std::string chat_id, message_id; };                   // "DELETE_MSG"
struct Reply { std::string chat_id, parent_id, text, time_stamp; };      // "REPLY"; wire messageId = parent
struct Typing { std::string chat_id; };                                  // "TYPING"
struct React { std::string chat_id, message_id, emoji, time_stamp; };    // "REACT"; wire reaction = emoji
struct DeleteReact { std::string reaction_id; };                         // "DELETE_REACT"
struct ReadMsg { std::string chat_id, message_id; };                     // "READ_MSG"

// Equality, field by field.
inline bool operator==(const SendMsg& a, const SendMsg& b) {
  return a.chat_id == b.chat_id && a.text == b.text && a.time_stamp == b.time_stamp;
}
inline bool operator==(const EditMsg& a, const EditMsg& b) {
  return a.chat_id == b.chat_id && a.message_id == b.message_id && a.text == b.text &&
         a.time_stamp == b.time_stamp;
}
inline bool operator==(const DeleteMsg& a, const DeleteMsg& b) {
  return a.chat_id == b.chat_id && a.message_id == b.message_id;
}
inline bool operator==(const Reply& a, const Reply& b) {
  return a.chat_id == b.chat_id && a.parent_id == b.parent_id && a.text == b.text &&
         a.time_stamp == b.time_stamp;
}
inline bool operator==(const Typing& a, const Typing& b) { return a.chat_id == b.chat_id; }
inline bool operator==(const React& a, const React& b) {
  return a.chat_id == b.chat_id && a.message_id == b.message_id && a.emoji == b.emoji &&
         a.time_stamp == b.time_stamp;
}
inline bool operator==(const DeleteReact& a, const DeleteReact& b) {
  return a.reaction_id == b.reaction_id;
}
inline bool operator==(const ReadMsg& a, const ReadMsg& b) {
  return a.chat_id == b.chat_id && a.message_id == b.message_id;
}

}  // namespace whisp::action

namespace whisp {

using Action = std::variant<action::SendMsg, action::EditMsg, action::DeleteMsg, action::Reply,
                            action::Typing, action::React, action::DeleteReact, action::ReadMsg>;

/// An action as the server receives it: the action and the claimed sender.
struct ActionEnvelope {
  Action action;
  std::string sender_id;

  friend bool operator==(const ActionEnvelope& a, const ActionEnvelope& b) {
    return a.action == b.action && a.sender_id == b.sender_id;
  }
};

std::string_view action_type(const Action& a);

/// The SEND body: fixed field order, `type` first, `senderId` last. Deterministic.
std::string encode_action(const Action& a, std::string_view sender_id);

/// Decodes a SEND body (the dev server's side). Errors name the type, field and reason.
Result<ActionEnvelope> decode_action(std::string_view json);

}  // namespace whisp
