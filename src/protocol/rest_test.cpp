#include "protocol/rest.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocol/json_test_util.hpp"

using whisp::ErrorCode;
namespace rest = whisp::rest;
namespace t = whisp::test;

namespace {

std::string data(const std::string& name) { return t::read_test_file("rest/" + name + ".json"); }

template <class R>
auto require_ok(R r, const std::string& json) {
  INFO(json);
  INFO((r ? std::string("ok") : r.error().describe()));
  REQUIRE(r.ok());
  return std::move(r).value();
}

template <class R>
void require_error(const R& r, ErrorCode code, const std::string& message) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

// One field of a DTO as the decoder must treat it.
struct FieldSpec {
  std::string name;
  std::string expected;  // "string", "bool", "array", "string or null", "object or null"
};

bool optional(const FieldSpec& f) { return f.expected.find("or null") != std::string::npos; }

bool accepted_kind(const FieldSpec& f, t::Kind k) {
  using t::Kind;
  if (f.expected.rfind("string", 0) == 0 && k == Kind::string) return true;
  if (f.expected.rfind("object", 0) == 0 && k == Kind::object) return true;
  if (f.expected == "bool" && k == Kind::boolean) return true;
  if (f.expected == "array" && k == Kind::array) return true;
  return optional(f) && k == Kind::null;
}

// For every field: removing a required one is missing_field, removing an optional one is fine,
// and every JSON type the field does not accept is wrong_type naming it.
template <class Decode>
void check_every_field(Decode decode, const std::string& label, const std::string& json,
                       const std::vector<FieldSpec>& specs, const std::string& nested = "") {
  using t::Kind;
  for (const auto& f : specs) {
    INFO(label << "." << f.name);
    auto removed = decode(t::without_member(json, f.name, nested));
    if (optional(f)) {
      CHECK(removed.ok());
    } else {
      require_error(removed, ErrorCode::missing_field, label + "." + f.name + ": missing");
    }
    for (Kind k : {Kind::number, Kind::boolean, Kind::null, Kind::object, Kind::array,
                   Kind::string}) {
      if (accepted_kind(f, k)) continue;
      require_error(decode(t::with_member_as(json, f.name, k, nested)), ErrorCode::wrong_type,
                    label + "." + f.name + ": expected " + f.expected + ", got " +
                        t::kind_name(k));
    }
  }
}

const std::vector<FieldSpec> kContentFields = {
    {"chatId", "string"},  {"timeStamp", "string"}, {"messageId", "string"},
    {"senderId", "string"}, {"content", "string"},   {"edited", "bool"},
    {"editedAt", "string or null"}};

}  // namespace

TEST_CASE("a Message with a reply snapshot and reactions decodes field by field", "[rest]") {
  const auto m = require_ok(rest::decode_message(data("message")), "message.json");
  CHECK(m.chat_id == "660e8400-e29b-41d4-a716-446655440001");
  CHECK(m.time_stamp.text == "2024-01-15T10:33:00.123456Z");
  CHECK(m.time_stamp.micros == 1705314780123456);
  CHECK(m.message_id == "bb0e8400-e29b-41d4-a716-446655440006");
  CHECK(m.sender_id == "990e8400-e29b-41d4-a716-446655440004");
  CHECK(m.content == "I agree!");
  CHECK(m.edited);
  REQUIRE(m.edited_at.has_value());
  CHECK(m.edited_at->micros == 1705314840000000);  // 11:34+01:00 = 10:34Z
  REQUIRE(m.reply_to.has_value());
  CHECK(m.reply_to->message_id == "770e8400-e29b-41d4-a716-446655440002");
  CHECK(m.reply_to->sender_id == "550e8400-e29b-41d4-a716-446655440000");
  CHECK(m.reply_to->content == "Hello, world!");
  CHECK(m.reply_to->time_stamp.micros == 1705314600000000);
  CHECK_FALSE(m.reply_to->edited);
  CHECK_FALSE(m.reply_to->edited_at.has_value());
  REQUIRE(m.reactions.size() == 2);
  CHECK(m.reactions[0].reaction_id == "880e8400-e29b-41d4-a716-446655440003");
  CHECK(m.reactions[0].chat_id == m.chat_id);
  CHECK(m.reactions[0].message_id == m.message_id);
  CHECK(m.reactions[0].sender_id == "550e8400-e29b-41d4-a716-446655440000");
  CHECK(m.reactions[0].reaction == "\xF0\x9F\x91\x8D");
  CHECK(m.reactions[0].created_at.micros == 1705314840500000);
  CHECK(m.reactions[1].reaction == "\xE2\x9D\xA4\xEF\xB8\x8F");
}

TEST_CASE("every field of a Message, its reply and its reactions is checked", "[rest]") {
  const std::string json = data("message");
  std::vector<FieldSpec> message_fields = kContentFields;
  message_fields.push_back({"replyTo", "object or null"});
  message_fields.push_back({"reactions", "array"});
  check_every_field(rest::decode_message, "Message", json, message_fields);
  check_every_field(rest::decode_message, "Message.replyTo", json, kContentFields, "replyTo");

  SECTION("a reaction's errors name its index") {
    rapidjson::Document d = t::parse_doc(json);
    d["reactions"][1].RemoveMember("reactionId");
    require_error(rest::decode_message(t::to_text(d)), ErrorCode::missing_field,
                  "Message.reactions[1].reactionId: missing");
    d = t::parse_doc(json);
    d["reactions"][0]["createdAt"].SetString("2024-02-30T00:00:00Z", d.GetAllocator());
    require_error(rest::decode_message(t::to_text(d)), ErrorCode::invalid_value,
                  "Message.reactions[0].createdAt: invalid timestamp '2024-02-30T00:00:00Z'");
    d = t::parse_doc(json);
    d["reactions"][1].SetString("x", d.GetAllocator());
    require_error(rest::decode_message(t::to_text(d)), ErrorCode::wrong_type,
                  "Message.reactions[1]: expected object, got string");
    for (const char* field : {"reactionId", "chatId", "messageId", "senderId", "reaction",
                              "createdAt"}) {
      d = t::parse_doc(json);
      d["reactions"][0][field].SetBool(false);
      require_error(rest::decode_message(t::to_text(d)), ErrorCode::wrong_type,
                    std::string("Message.reactions[0].") + field + ": expected string, got bool");
    }
  }
}

TEST_CASE("history, chat and member lists decode, with nulls for optionals", "[rest]") {
  const auto page = require_ok(rest::decode_message_list(data("message_list")), "message_list");
  REQUIRE(page.messages.size() == 2);
  CHECK_FALSE(page.messages[0].reply_to.has_value());
  CHECK(page.messages[0].reactions.empty());
  REQUIRE(page.messages[1].reply_to.has_value());
  CHECK(page.messages[1].reply_to->message_id == page.messages[0].message_id);

  const auto chats = require_ok(rest::decode_chat_list(data("chat_list")), "chat_list");
  REQUIRE(chats.chats.size() == 2);
  const auto& c0 = chats.chats[0];
  CHECK(c0.chat_id == "660e8400-e29b-41d4-a716-446655440001");
  CHECK(c0.chat_name == "Project Discussion");
  REQUIRE(c0.last_message_timestamp.has_value());
  CHECK(c0.last_message_timestamp->text == "2024-01-15T10:33:00Z");
  CHECK(c0.last_message == std::optional<std::string>("I agree!"));
  CHECK(c0.created_at.text == "2024-01-15T09:00:00Z");
  CHECK(c0.creator == "990e8400-e29b-41d4-a716-446655440004");
  CHECK(c0.group_chat);
  CHECK_FALSE(chats.chats[1].last_message_timestamp.has_value());
  CHECK_FALSE(chats.chats[1].last_message.has_value());
  CHECK_FALSE(chats.chats[1].group_chat);

  const auto users = require_ok(rest::decode_user_list(data("user_list")), "user_list");
  REQUIRE(users.users.size() == 2);
  CHECK(users.users[0].user_id == "550e8400-e29b-41d4-a716-446655440000");
  CHECK(users.users[0].username == "johndoe");
  CHECK(users.users[0].joined_chat_at.text == "2024-01-15T09:00:00Z");
  CHECK(users.users[0].last_seen_message ==
        std::optional<std::string>("770e8400-e29b-41d4-a716-446655440002"));
  CHECK_FALSE(users.users[1].last_seen_message.has_value());

  SECTION("every field of a chat and of a member is checked") {
    rapidjson::Document d = t::parse_doc(data("chat_list"));
    const std::string one_chat = t::to_text(d["chats"][0]);
    check_every_field(rest::decode_chat_details, "ChatDetails", one_chat,
                      {{"chatId", "string"},
                       {"chatName", "string"},
                       {"lastMessageTimestamp", "string or null"},
                       {"lastMessage", "string or null"},
                       {"createdAt", "string"},
                       {"creator", "string"},
                       {"groupChat", "bool"}});
    d["chats"][1].RemoveMember("creator");
    require_error(rest::decode_chat_list(t::to_text(d)), ErrorCode::missing_field,
                  "ChatList.chats[1].creator: missing");
    rapidjson::Document u = t::parse_doc(data("user_list"));
    u["users"][1]["joinedChatAt"].SetInt(5);
    require_error(rest::decode_user_list(t::to_text(u)), ErrorCode::wrong_type,
                  "UserList.users[1].joinedChatAt: expected string, got number");
    require_error(rest::decode_message_list(R"({"messages":{}})"), ErrorCode::wrong_type,
                  "MessageList.messages: expected array, got object");
    require_error(rest::decode_chat_list("{}"), ErrorCode::missing_field,
                  "ChatList.chats: missing");
  }
}

TEST_CASE("auth and request bodies decode, and each names its missing fields", "[rest]") {
  const auto s = require_ok(rest::decode_sign_in_response(data("sign_in_response")), "sign in");
  CHECK(s.id == "550e8400-e29b-41d4-a716-446655440000");
  CHECK(s.username == "johndoe");
  CHECK(s.email == "john@example.com");
  CHECK(s.refresh_token == "rt-1");
  CHECK(s.roles == std::vector<std::string>{"ROLE_USER"});
  check_every_field(rest::decode_sign_in_response, "SignInResponse", data("sign_in_response"),
                    {{"id", "string"}, {"username", "string"}, {"email", "string"},
                     {"refreshToken", "string"}, {"roles", "array"}});
  require_error(rest::decode_sign_in_response(
                    R"({"id":"1","username":"u","email":"e","refreshToken":"r","roles":[1]})"),
                ErrorCode::wrong_type, "SignInResponse.roles[0]: expected string, got number");

  CHECK(require_ok(rest::decode_ticket(data("ticket")), "ticket").ticket == "t-123");
  check_every_field(rest::decode_ticket, "TicketResponse", data("ticket"), {{"ticket", "string"}});

  const auto me = require_ok(rest::decode_current_user(data("current_user")), "current user");
  CHECK(me.role == std::vector<std::string>{"ROLE_USER", "ROLE_ADMIN"});
  check_every_field(rest::decode_current_user, "CurrentUser", data("current_user"),
                    {{"id", "string"}, {"username", "string"}, {"email", "string"},
                     {"role", "array"}});

  const auto reg = require_ok(rest::decode_register_request(data("register_request")), "reg");
  CHECK(reg.first_name == std::optional<std::string>("John"));
  CHECK_FALSE(reg.sur_name.has_value());
  check_every_field(rest::decode_register_request, "RegisterRequest", data("register_request"),
                    {{"username", "string"}, {"email", "string"}, {"password", "string"},
                     {"firstName", "string or null"}, {"surName", "string or null"}});
  check_every_field(rest::decode_sign_in_request, "SignInRequest", data("sign_in_request"),
                    {{"username", "string"}, {"password", "string"}});
  check_every_field(rest::decode_refresh_request, "RefreshRequest", data("refresh_request"),
                    {{"expiredJwt", "string"}});
  check_every_field(rest::decode_create_chat_request, "CreateChatRequest",
                    data("create_chat_request"), {{"chatName", "string"}, {"userNames", "array"}});
  check_every_field(rest::decode_add_user_request, "AddUserRequest", data("add_user_request"),
                    {{"chatId", "string"}, {"newUsername", "string"}});
  check_every_field(rest::decode_remove_user_request, "RemoveUserRequest",
                    data("remove_user_request"), {{"chatId", "string"}, {"removeUser", "string"}});
  check_every_field(rest::decode_change_name_request, "ChangeNameRequest",
                    data("change_name_request"), {{"chatId", "string"}, {"newChatName", "string"}});
  check_every_field(rest::decode_logout_request, "LogoutRequest", data("logout_request"),
                    {{"refreshToken", "string"}});
}

TEST_CASE("an error body is either {message} or a problem document", "[rest]") {
  const auto plain = require_ok(rest::decode_error_body(data("error_message")), "plain");
  CHECK(plain.message == "Chat not found");
  CHECK_FALSE(plain.status.has_value());
  CHECK_FALSE(plain.code.has_value());

  const auto problem = require_ok(rest::decode_error_body(data("error_problem")), "problem");
  CHECK(problem.message == "JWT expired");
  CHECK(problem.status == std::optional<int>(401));
  CHECK(problem.code == std::optional<std::string>("TOKEN_EXPIRED"));

  const auto titled = require_ok(
      rest::decode_error_body(R"({"title":"Forbidden","status":403,"detail":null})"), "title");
  CHECK(titled.message == "Forbidden");
  require_error(rest::decode_error_body(R"({"status":500})"), ErrorCode::missing_field,
                "ErrorBody.message: missing");
  require_error(rest::decode_error_body(R"({"message":"x","status":"500"})"),
                ErrorCode::wrong_type, "ErrorBody.status: expected integer or null, got string");
  require_error(rest::decode_error_body(R"({"message":"x","status":4.5})"),
                ErrorCode::invalid_value, "ErrorBody.status: not a 32-bit integer");
  CHECK(rest::encode(plain) == R"({"message":"Chat not found"})");
}

TEST_CASE("REST encoders are deterministic and round-trip through the decoders", "[rest]") {
  SECTION("a ChatDetails writes its fields in PROTOCOL.md's order, nulls included") {
    rest::ChatDetails c;
    c.chat_id = "c";
    c.chat_name = "n";
    c.created_at = whisp::parse_timestamp("2024-01-15T09:00:00Z").value();
    c.creator = "u";
    CHECK(rest::encode(c) ==
          R"({"chatId":"c","chatName":"n","lastMessageTimestamp":null,"lastMessage":null,)"
          R"("createdAt":"2024-01-15T09:00:00Z","creator":"u","groupChat":false})");
  }
  SECTION("every fixture re-encodes to its own compact form and decodes equal") {
    const auto msg = require_ok(rest::decode_message(data("message")), "m");
    CHECK(rest::encode(msg) == t::minify(data("message")));
    CHECK(require_ok(rest::decode_message(rest::encode(msg)), "m2") == msg);
    const auto page = require_ok(rest::decode_message_list(data("message_list")), "ml");
    CHECK(rest::encode(page) == t::minify(data("message_list")));
    const auto chats = require_ok(rest::decode_chat_list(data("chat_list")), "cl");
    CHECK(rest::encode(chats) == t::minify(data("chat_list")));
    const auto users = require_ok(rest::decode_user_list(data("user_list")), "ul");
    CHECK(rest::encode(users) == t::minify(data("user_list")));
    const auto sign_in = require_ok(rest::decode_sign_in_response(data("sign_in_response")), "s");
    CHECK(rest::encode(sign_in) == t::minify(data("sign_in_response")));
    const auto me = require_ok(rest::decode_current_user(data("current_user")), "cu");
    CHECK(rest::encode(me) == t::minify(data("current_user")));
    for (const char* name : {"sign_in_request", "refresh_request", "create_chat_request",
                             "add_user_request", "remove_user_request", "change_name_request",
                             "logout_request", "ticket"}) {
      INFO(name);
      const std::string json = data(name);
      const std::string n = name;
      std::string out;
      if (n == "sign_in_request") out = rest::encode(rest::decode_sign_in_request(json).value());
      if (n == "refresh_request") out = rest::encode(rest::decode_refresh_request(json).value());
      if (n == "create_chat_request") {
        out = rest::encode(rest::decode_create_chat_request(json).value());
      }
      if (n == "add_user_request") out = rest::encode(rest::decode_add_user_request(json).value());
      if (n == "remove_user_request") {
        out = rest::encode(rest::decode_remove_user_request(json).value());
      }
      if (n == "change_name_request") {
        out = rest::encode(rest::decode_change_name_request(json).value());
      }
      if (n == "logout_request") out = rest::encode(rest::decode_logout_request(json).value());
      if (n == "ticket") out = rest::encode(rest::decode_ticket(json).value());
      CHECK(out == t::minify(json));
    }
  }
  SECTION("a register request leaves absent optionals out") {
    rest::RegisterRequest r{"u", "e", "p", std::nullopt, std::string("S")};
    CHECK(rest::encode(r) == R"({"username":"u","email":"e","password":"p","surName":"S"})");
    CHECK(require_ok(rest::decode_register_request(rest::encode(r)), "reg") == r);
  }
}

TEST_CASE("REST decoders report malformed bodies with the DTO's name", "[rest]") {
  require_error(rest::decode_chat_list("[]"), ErrorCode::malformed_json,
                "ChatList: not a JSON object");
  auto r = rest::decode_message("{\"chatId\":");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::malformed_json);
  CHECK(r.error().message.rfind("Message: parse error at offset 10: ", 0) == 0);
}
