// The REST DTOs of PROTOCOL.md sections 1-2, with RapidJSON decoders (the engine's side) and
// deterministic encoders (the dev server's side). Decoders never throw; errors name the DTO,
// the field and the reason, e.g. `Message.reactions[2].reactionId: missing`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/timestamp.hpp"
#include "whisp/result.hpp"

namespace whisp::rest {

struct MessageContent {
  std::string chat_id;
  Timestamp time_stamp;
  std::string message_id;
  std::string sender_id;
  std::string content;
  bool edited = false;
  std::optional<Timestamp> edited_at;
};

struct Reaction {
  std::string reaction_id;
  std::string chat_id;
  std::string message_id;
  std::string sender_id;
  std::string reaction;  // the emoji
  Timestamp created_at;
};

struct Message {
  std::string chat_id;
  Timestamp time_stamp;
  std::string message_id;
  std::string sender_id;
  std::string content;
  bool edited = false;
  std::optional<Timestamp> edited_at;
  std::optional<MessageContent> reply_to;
  std::vector<Reaction> reactions;
};

struct ChatDetails {
  std::string chat_id;
  std::string chat_name;
  std::optional<Timestamp> last_message_timestamp;
  std::optional<std::string> last_message;
  Timestamp created_at;
  std::string creator;
  bool group_chat = false;
};

struct ChatUserInfo {
  std::string user_id;
  std::string username;
  Timestamp joined_chat_at;
  std::optional<std::string> last_seen_message;
};

struct ChatList { std::vector<ChatDetails> chats; };     // getChats: {chats: [...]}
struct UserList { std::vector<ChatUserInfo> users; };    // getUsers: {users: [...]}
struct MessageList { std::vector<Message> messages; };   // getMessages: {messages: [...]}

struct RegisterRequest {
  std::string username, email, password;
  std::optional<std::string> first_name, sur_name;
};
struct SignInRequest { std::string username, password; };
struct SignInResponse {   // the JWT travels in the Authorization response header, not here
  std::string id, username, email, refresh_token;
  std::vector<std::string> roles;
};
struct RefreshRequest { std::string expired_jwt; };
struct TicketResponse { std::string ticket; };
struct CurrentUser { std::string id, username, email; std::vector<std::string> role; };
struct CreateChatRequest { std::string chat_name; std::vector<std::string> user_names; };
struct AddUserRequest { std::string chat_id, new_username; };
struct RemoveUserRequest { std::string chat_id, remove_user; };
struct ChangeNameRequest { std::string chat_id, new_chat_name; };
struct LogoutRequest { std::string refresh_token; };

/// An error body: either `{message}` or an auth problem document.
struct ErrorBody {
  std::string message;                 // `message`, or the problem's `detail`/`title`
  std::optional<int> status;           // problem document only
  std::optional<std::string> code;     // problem document only
};

// Decoders (engine side; the dev server also decodes the requests).
Result<Message> decode_message(std::string_view json);
Result<MessageList> decode_message_list(std::string_view json);
Result<ChatDetails> decode_chat_details(std::string_view json);
Result<ChatList> decode_chat_list(std::string_view json);
Result<UserList> decode_user_list(std::string_view json);
Result<SignInResponse> decode_sign_in_response(std::string_view json);
Result<TicketResponse> decode_ticket(std::string_view json);
Result<CurrentUser> decode_current_user(std::string_view json);
Result<ErrorBody> decode_error_body(std::string_view json);
Result<RegisterRequest> decode_register_request(std::string_view json);
Result<SignInRequest> decode_sign_in_request(std::string_view json);
Result<RefreshRequest> decode_refresh_request(std::string_view json);
Result<CreateChatRequest> decode_create_chat_request(std::string_view json);
Result<AddUserRequest> decode_add_user_request(std::string_view json);
Result<RemoveUserRequest> decode_remove_user_request(std::string_view json);
Result<ChangeNameRequest> decode_change_name_request(std::string_view json);
Result<LogoutRequest> decode_logout_request(std::string_view json);

// Encoders: fixed field order, null for absent optionals. Deterministic.
std::string encode(const MessageContent& v);
std::string encode(const Reaction& v);
std::string encode(const Message& v);
std::string encode(const ChatDetails& v);
std::string encode(const ChatUserInfo& v);
std::string encode(const ChatList& v);
std::string encode(const UserList& v);
std::string encode(const MessageList& v);
std::string encode(const RegisterRequest& v);
std::string encode(const SignInRequest& v);
std::string encode(const SignInResponse& v);
std::string encode(const RefreshRequest& v);
std::string encode(const TicketResponse& v);
std::string encode(const CurrentUser& v);
std::string encode(const CreateChatRequest& v);
std::string encode(const AddUserRequest& v);
std::string encode(const RemoveUserRequest& v);
std::string encode(const ChangeNameRequest& v);
std::string encode(const LogoutRequest& v);
std::string encode(const ErrorBody& v);  // {message} form

// Equality, field by field (timestamps compare by text, as Timestamp's == does).
inline bool operator==(const MessageContent& a, const MessageContent& b) {
  return a.chat_id == b.chat_id && a.time_stamp == b.time_stamp && a.message_id == b.message_id &&
         a.sender_id == b.sender_id && a.content == b.content && a.edited == b.edited &&
         a.edited_at == b.edited_at;
}
inline bool operator==(const Reaction& a, const Reaction& b) {
  return a.reaction_id == b.reaction_id && a.chat_id == b.chat_id &&
         a.message_id == b.message_id && a.sender_id == b.sender_id &&
         a.reaction == b.reaction && a.created_at == b.created_at;
}
inline bool operator==(const Message& a, const Message& b) {
  return a.chat_id == b.chat_id && a.time_stamp == b.time_stamp && a.message_id == b.message_id &&
         a.sender_id == b.sender_id && a.content == b.content && a.edited == b.edited &&
         a.edited_at == b.edited_at && a.reply_to == b.reply_to && a.reactions == b.reactions;
}
inline bool operator==(const ChatDetails& a, const ChatDetails& b) {
  return a.chat_id == b.chat_id && a.chat_name == b.chat_name &&
         a.last_message_timestamp == b.last_message_timestamp &&
         a.last_message == b.last_message && a.created_at == b.created_at &&
         a.creator == b.creator && a.group_chat == b.group_chat;
}
inline bool operator==(const ChatUserInfo& a, const ChatUserInfo& b) {
  return a.user_id == b.user_id && a.username == b.username &&
         a.joined_chat_at == b.joined_chat_at && a.last_seen_message == b.last_seen_message;
}
inline bool operator==(const ChatList& a, const ChatList& b) { return a.chats == b.chats; }
inline bool operator==(const UserList& a, const UserList& b) { return a.users == b.users; }
inline bool operator==(const MessageList& a, const MessageList& b) {
  return a.messages == b.messages;
}
inline bool operator==(const RegisterRequest& a, const RegisterRequest& b) {
  return a.username == b.username && a.email == b.email && a.password == b.password &&
         a.first_name == b.first_name && a.sur_name == b.sur_name;
}
inline bool operator==(const SignInRequest& a, const SignInRequest& b) {
  return a.username == b.username && a.password == b.password;
}
inline bool operator==(const SignInResponse& a, const SignInResponse& b) {
  return a.id == b.id && a.username == b.username && a.email == b.email &&
         a.refresh_token == b.refresh_token && a.roles == b.roles;
}
inline bool operator==(const RefreshRequest& a, const RefreshRequest& b) {
  return a.expired_jwt == b.expired_jwt;
}
inline bool operator==(const TicketResponse& a, const TicketResponse& b) {
  return a.ticket == b.ticket;
}
inline bool operator==(const CurrentUser& a, const CurrentUser& b) {
  return a.id == b.id && a.username == b.username && a.email == b.email && a.role == b.role;
}
inline bool operator==(const CreateChatRequest& a, const CreateChatRequest& b) {
  return a.chat_name == b.chat_name && a.user_names == b.user_names;
}
inline bool operator==(const AddUserRequest& a, const AddUserRequest& b) {
  return a.chat_id == b.chat_id && a.new_username == b.new_username;
}
inline bool operator==(const RemoveUserRequest& a, const RemoveUserRequest& b) {
  return a.chat_id == b.chat_id && a.remove_user == b.remove_user;
}
inline bool operator==(const ChangeNameRequest& a, const ChangeNameRequest& b) {
  return a.chat_id == b.chat_id && a.new_chat_name == b.new_chat_name;
}
inline bool operator==(const LogoutRequest& a, const LogoutRequest& b) {
  return a.refresh_token == b.refresh_token;
}
inline bool operator==(const ErrorBody& a, const ErrorBody& b) {
  return a.message == b.message && a.status == b.status && a.code == b.code;
}
inline bool operator!=(const MessageContent& a, const MessageContent& b) { return !(a == b); }
inline bool operator!=(const Reaction& a, const Reaction& b) { return !(a == b); }
inline bool operator!=(const Message& a, const Message& b) { return !(a == b); }
inline bool operator!=(const ChatDetails& a, const ChatDetails& b) { return !(a == b); }
inline bool operator!=(const ChatUserInfo& a, const ChatUserInfo& b) { return !(a == b); }
inline bool operator!=(const ChatList& a, const ChatList& b) { return !(a == b); }
inline bool operator!=(const UserList& a, const UserList& b) { return !(a == b); }
inline bool operator!=(const MessageList& a, const MessageList& b) { return !(a == b); }
inline bool operator!=(const RegisterRequest& a, const RegisterRequest& b) { return !(a == b); }
inline bool operator!=(const SignInRequest& a, const SignInRequest& b) { return !(a == b); }
inline bool operator!=(const SignInResponse& a, const SignInResponse& b) { return !(a == b); }
inline bool operator!=(const RefreshRequest& a, const RefreshRequest& b) { return !(a == b); }
inline bool operator!=(const TicketResponse& a, const TicketResponse& b) { return !(a == b); }
inline bool operator!=(const CurrentUser& a, const CurrentUser& b) { return !(a == b); }
inline bool operator!=(const CreateChatRequest& a, const CreateChatRequest& b) { return !(a == b); }
inline bool operator!=(const AddUserRequest& a, const AddUserRequest& b) { return !(a == b); }
inline bool operator!=(const RemoveUserRequest& a, const RemoveUserRequest& b) { return !(a == b); }
inline bool operator!=(const ChangeNameRequest& a, const ChangeNameRequest& b) { return !(a == b); }
inline bool operator!=(const LogoutRequest& a, const LogoutRequest& b) { return !(a == b); }
inline bool operator!=(const ErrorBody& a, const ErrorBody& b) { return !(a == b); }

}  // namespace whisp::rest
