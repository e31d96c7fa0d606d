#include "protocol/rest.hpp"

#include "protocol/json_util.hpp"
#include "protocol/rest_json.hpp"

namespace whisp::rest {
namespace {

using json::Fields;
using json::Writer;

// ---- readers: one per DTO, each reading the fields of one JSON object ----

void read_reaction(Fields& f, Reaction& out) {
  f.str("reactionId", out.reaction_id);
  f.str("chatId", out.chat_id);
  f.str("messageId", out.message_id);
  f.str("senderId", out.sender_id);
  f.str("reaction", out.reaction);
  f.timestamp("createdAt", out.created_at);
}

void read_message(Fields& f, Message& out) {
  f.str("chatId", out.chat_id);
  f.timestamp("timeStamp", out.time_stamp);
  f.str("messageId", out.message_id);
  f.str("senderId", out.sender_id);
  f.str("content", out.content);
  f.boolean("edited", out.edited);
  f.opt_timestamp("editedAt", out.edited_at);
  json::read_opt_object(f, "replyTo", out.reply_to, read_message_content);
  json::read_object_array(f, "reactions", out.reactions, read_reaction);
}

void read_chat_details(Fields& f, ChatDetails& out) {
  f.str("chatId", out.chat_id);
  f.str("chatName", out.chat_name);
  f.opt_timestamp("lastMessageTimestamp", out.last_message_timestamp);
  f.opt_str("lastMessage", out.last_message);
  f.timestamp("createdAt", out.created_at);
  f.str("creator", out.creator);
  f.boolean("groupChat", out.group_chat);
}

void read_chat_user_info(Fields& f, ChatUserInfo& out) {
  f.str("userId", out.user_id);
  f.str("username", out.username);
  f.timestamp("joinedChatAt", out.joined_chat_at);
  f.opt_str("lastSeenMessage", out.last_seen_message);
}

// ---- writers ----

void write_reaction(Writer& w, const Reaction& v) {
  w.start_object();
  w.field("reactionId", v.reaction_id);
  w.field("chatId", v.chat_id);
  w.field("messageId", v.message_id);
  w.field("senderId", v.sender_id);
  w.field("reaction", v.reaction);
  w.field("createdAt", v.created_at);
  w.end_object();
}

void write_message(Writer& w, const Message& v) {
  w.start_object();
  w.field("chatId", v.chat_id);
  w.field("timeStamp", v.time_stamp);
  w.field("messageId", v.message_id);
  w.field("senderId", v.sender_id);
  w.field("content", v.content);
  w.field("edited", v.edited);
  w.field("editedAt", v.edited_at);
  w.key("replyTo");
  if (v.reply_to) write_message_content(w, *v.reply_to); else w.null();
  w.key("reactions");
  w.start_array();
  for (const auto& r : v.reactions) write_reaction(w, r);
  w.end_array();
  w.end_object();
}

void write_chat_details(Writer& w, const ChatDetails& v) {
  w.start_object();
  w.field("chatId", v.chat_id);
  w.field("chatName", v.chat_name);
  w.field("lastMessageTimestamp", v.last_message_timestamp);
  w.field("lastMessage", v.last_message);
  w.field("createdAt", v.created_at);
  w.field("creator", v.creator);
  w.field("groupChat", v.group_chat);
  w.end_object();
}

void write_chat_user_info(Writer& w, const ChatUserInfo& v) {
  w.start_object();
  w.field("userId", v.user_id);
  w.field("username", v.username);
  w.field("joinedChatAt", v.joined_chat_at);
  w.field("lastSeenMessage", v.last_seen_message);
  w.end_object();
}

// Encodes `v` with a value writer into a standalone document.
template <class T, class Write>
std::string encode_with(const T& v, Write write) {
  Writer w;
  write(w, v);
  return w.take();
}

// Encodes {key: [items...]}.
template <class T, class Write>
std::string encode_list(const char* key, const std::vector<T>& items, Write write) {
  Writer w;
  w.start_object();
  w.key(key);
  w.start_array();
  for (const auto& item : items) write(w, item);
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace

bool read_message_content(Fields& f, MessageContent& out) {
  f.str("chatId", out.chat_id);
  f.timestamp("timeStamp", out.time_stamp);
  f.str("messageId", out.message_id);
  f.str("senderId", out.sender_id);
  f.str("content", out.content);
  f.boolean("edited", out.edited);
  f.opt_timestamp("editedAt", out.edited_at);
  return f.ok();
}

void write_message_content(Writer& w, const MessageContent& v) {
  w.start_object();
  w.field("chatId", v.chat_id);
  w.field("timeStamp", v.time_stamp);
  w.field("messageId", v.message_id);
  w.field("senderId", v.sender_id);
  w.field("content", v.content);
  w.field("edited", v.edited);
  w.field("editedAt", v.edited_at);
  w.end_object();
}

// ---- decoders ----

Result<Message> decode_message(std::string_view json) {
  return json::decode_root<Message>(json, "Message", read_message);
}

Result<MessageList> decode_message_list(std::string_view json) {
  return json::decode_root<MessageList>(json, "MessageList", [](Fields& f, MessageList& out) {
    json::read_object_array(f, "messages", out.messages, read_message);
  });
}

Result<ChatDetails> decode_chat_details(std::string_view json) {
  return json::decode_root<ChatDetails>(json, "ChatDetails", read_chat_details);
}

Result<ChatList> decode_chat_list(std::string_view json) {
  return json::decode_root<ChatList>(json, "ChatList", [](Fields& f, ChatList& out) {
    json::read_object_array(f, "chats", out.chats, read_chat_details);
  });
}

Result<UserList> decode_user_list(std::string_view json) {
  return json::decode_root<UserList>(json, "UserList", [](Fields& f, UserList& out) {
    json::read_object_array(f, "users", out.users, read_chat_user_info);
  });
}

Result<SignInResponse> decode_sign_in_response(std::string_view json) {
  return json::decode_root<SignInResponse>(
      json, "SignInResponse", [](Fields& f, SignInResponse& out) {
        f.str("id", out.id);
        f.str("username", out.username);
        f.str("email", out.email);
        f.str("refreshToken", out.refresh_token);
        f.str_array("roles", out.roles);
      });
}

Result<TicketResponse> decode_ticket(std::string_view json) {
  return json::decode_root<TicketResponse>(
      json, "TicketResponse", [](Fields& f, TicketResponse& out) { f.str("ticket", out.ticket); });
}

Result<CurrentUser> decode_current_user(std::string_view json) {
  return json::decode_root<CurrentUser>(json, "CurrentUser", [](Fields& f, CurrentUser& out) {
    f.str("id", out.id);
    f.str("username", out.username);
    f.str("email", out.email);
    f.str_array("role", out.role);
  });
}

// `{message}`, or a problem document {type,title,status,detail,instance,code} whose text is
// `detail`, else `title`. Every member may be null; one of message/detail/title must be a string.
Result<ErrorBody> decode_error_body(std::string_view json) {
  return json::decode_root<ErrorBody>(json, "ErrorBody", [](Fields& f, ErrorBody& out) {
    std::optional<std::string> message, detail, title;
    f.opt_str("message", message);
    f.opt_str("detail", detail);
    f.opt_str("title", title);
    f.opt_int("status", out.status);
    f.opt_str("code", out.code);
    if (!f.ok()) return;
    if (message) {
      out.message = std::move(*message);
    } else if (detail) {
      out.message = std::move(*detail);
    } else if (title) {
      out.message = std::move(*title);
    } else {
      f.fail_missing("message");
    }
  });
}

Result<RegisterRequest> decode_register_request(std::string_view json) {
  return json::decode_root<RegisterRequest>(
      json, "RegisterRequest", [](Fields& f, RegisterRequest& out) {
        f.str("username", out.username);
        f.str("email", out.email);
        f.str("password", out.password);
        f.opt_str("firstName", out.first_name);
        f.opt_str("surName", out.sur_name);
      });
}

Result<SignInRequest> decode_sign_in_request(std::string_view json) {
  return json::decode_root<SignInRequest>(json, "SignInRequest",
                                          [](Fields& f, SignInRequest& out) {
                                            f.str("username", out.username);
                                            f.str("password", out.password);
                                          });
}

Result<RefreshRequest> decode_refresh_request(std::string_view json) {
  return json::decode_root<RefreshRequest>(
      json, "RefreshRequest",
      [](Fields& f, RefreshRequest& out) { f.str("expiredJwt", out.expired_jwt); });
}

Result<CreateChatRequest> decode_create_chat_request(std::string_view json) {
  return json::decode_root<CreateChatRequest>(json, "CreateChatRequest",
                                              [](Fields& f, CreateChatRequest& out) {
                                                f.str("chatName", out.chat_name);
                                                f.str_array("userNames", out.user_names);
                                              });
}

Result<AddUserRequest> decode_add_user_request(std::string_view json) {
  return json::decode_root<AddUserRequest>(json, "AddUserRequest",
                                           [](Fields& f, AddUserRequest& out) {
                                             f.str("chatId", out.chat_id);
                                             f.str("newUsername", out.new_username);
                                           });
}

Result<RemoveUserRequest> decode_remove_user_request(std::string_view json) {
  return json::decode_root<RemoveUserRequest>(json, "RemoveUserRequest",
                                              [](Fields& f, RemoveUserRequest& out) {
                                                f.str("chatId", out.chat_id);
                                                f.str("removeUser", out.remove_user);
                                              });
}

Result<ChangeNameRequest> decode_change_name_request(std::string_view json) {
  return json::decode_root<ChangeNameRequest>(json, "ChangeNameRequest",
                                              [](Fields& f, ChangeNameRequest& out) {
                                                f.str("chatId", out.chat_id);
                                                f.str("newChatName", out.new_chat_name);
                                              });
}

Result<LogoutRequest> decode_logout_request(std::string_view json) {
  return json::decode_root<LogoutRequest>(
      json, "LogoutRequest",
      [](Fields& f, LogoutRequest& out) { f.str("refreshToken", out.refresh_token); });
}

// ---- encoders ----

std::string encode(const MessageContent& v) { return encode_with(v, write_message_content); }
std::string encode(const Reaction& v) { return encode_with(v, write_reaction); }
std::string encode(const Message& v) { return encode_with(v, write_message); }
std::string encode(const ChatDetails& v) { return encode_with(v, write_chat_details); }
std::string encode(const ChatUserInfo& v) { return encode_with(v, write_chat_user_info); }
std::string encode(const ChatList& v) { return encode_list("chats", v.chats, write_chat_details); }
std::string encode(const UserList& v) { return encode_list("users", v.users, write_chat_user_info); }
std::string encode(const MessageList& v) {
  return encode_list("messages", v.messages, write_message);
}

std::string encode(const RegisterRequest& v) {
  Writer w;
  w.start_object();
  w.field("username", v.username);
  w.field("email", v.email);
  w.field("password", v.password);
  if (v.first_name) w.field("firstName", *v.first_name);
  if (v.sur_name) w.field("surName", *v.sur_name);
  w.end_object();
  return w.take();
}

std::string encode(const SignInRequest& v) {
  Writer w;
  w.start_object();
  w.field("username", v.username);
  w.field("password", v.password);
  w.end_object();
  return w.take();
}

std::string encode(const SignInResponse& v) {
  Writer w;
  w.start_object();
  w.field("id", v.id);
  w.field("username", v.username);
  w.field("email", v.email);
  w.field("refreshToken", v.refresh_token);
  w.field("roles", v.roles);
  w.end_object();
  return w.take();
}

std::string encode(const RefreshRequest& v) {
  Writer w;
  w.start_object();
  w.field("expiredJwt", v.expired_jwt);
  w.end_object();
  return w.take();
}

std::string encode(const TicketResponse& v) {
  Writer w;
  w.start_object();
  w.field("ticket", v.ticket);
  w.end_object();
  return w.take();
}

std::string encode(const CurrentUser& v) {
  Writer w;
  w.start_object();
  w.field("id", v.id);
  w.field("username", v.username);
  w.field("email", v.email);
  w.field("role", v.role);
  w.end_object();
  return w.take();
}

std::string encode(const CreateChatRequest& v) {
  Writer w;
  w.start_object();
  w.field("chatName", v.chat_name);
  w.field("userNames", v.user_names);
  w.end_object();
  return w.take();
}

std::string encode(const AddUserRequest& v) {
  Writer w;
  w.start_object();
  w.field("chatId", v.chat_id);
  w.field("newUsername", v.new_username);
  w.end_object();
  return w.take();
}

std::string encode(const RemoveUserRequest& v) {
  Writer w;
  w.start_object();
  w.field("chatId", v.chat_id);
  w.field("removeUser", v.remove_user);
  w.end_object();
  return w.take();
}

std::string encode(const ChangeNameRequest& v) {
  Writer w;
  w.start_object();
  w.field("chatId", v.chat_id);
  w.field("newChatName", v.new_chat_name);
  w.end_object();
  return w.take();
}

std::string encode(const LogoutRequest& v) {
  Writer w;
  w.start_object();
  w.field("refreshToken", v.refresh_token);
  w.end_object();
  return w.take();
}

std::string encode(const ErrorBody& v) {
  Writer w;
  w.start_object();
  w.field("message", v.message);
  w.end_object();
  return w.take();
}

}  // namespace whisp::rest
