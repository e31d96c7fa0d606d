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

}  // namespace whisp::rest
