#include "protocol/events.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "protocol/json_test_util.hpp"

using whisp::decode_event;
using whisp::encode_event;
using whisp::ErrorCode;
using whisp::Event;
namespace ev = whisp::event;
namespace t = whisp::test;

namespace {

const char* const kChat = "660e8400-e29b-41d4-a716-446655440001";
const char* const kMsg = "770e8400-e29b-41d4-a716-446655440002";
const char* const kReaction = "880e8400-e29b-41d4-a716-446655440003";
const char* const kRecipient = "550e8400-e29b-41d4-a716-446655440000";
const char* const kSender = "990e8400-e29b-41d4-a716-446655440004";

// The vendor page's tables: for each event, its required fields, in the table's order.
const std::vector<std::pair<std::string, std::vector<std::string>>>& vendor_tables() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> tables = {
      {"SEND_MSG", {"type", "timeStamp", "chatId", "message", "messageId", "recipientId", "senderId"}},
      {"EDIT_MSG", {"type", "chatId", "message", "messageId", "recipientId", "senderId", "editedAt"}},
      {"DELETE_MSG", {"type", "chatId", "messageId", "recipientId", "senderId", "timeStamp"}},
      {"REPLY", {"type", "messageId", "message", "chatId", "recipientId", "senderId", "replyTo", "timeStamp"}},
      {"TYPING", {"type", "chatId", "recipientId", "senderId"}},
      {"REACT", {"type", "messageId", "message", "chatId", "recipientId", "senderId", "parentMessageId", "timeStamp"}},
      {"DELETE_REACT", {"type", "messageId", "chatId", "recipientId", "senderId"}},
      {"READ_MSG", {"type", "chatId", "recipientId", "senderId", "messageId"}},
      {"USER_JOIN", {"type", "chatId", "message", "username", "recipientId", "senderId"}},
      {"USER_LEAVE", {"type", "chatId", "message", "recipientId", "timeStamp", "senderId"}},
      {"NEW_CHAT", {"type", "timeStamp", "chatId", "recipientId", "senderId", "message"}},
      {"DELETE_CHAT", {"type", "chatId", "recipientId", "senderId"}},
  };
  return tables;
}

std::string vendor_file(const std::string& type) {
  std::string name = type;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t::read_test_file("vendor-events/" + name + ".json");
}

template <class T>
T decode_as(const std::string& json) {
  auto r = decode_event(json);
  INFO(json);
  INFO((r ? std::string("ok") : r.error().describe()));
  REQUIRE(r.ok());
  REQUIRE(std::holds_alternative<T>(r.value()));
  return std::get<T>(r.value());
}

void check_common(const ev::Common& c) {
  CHECK(c.chat_id == kChat);
  CHECK(c.recipient_id == kRecipient);
  CHECK(c.sender_id == kSender);
}

void check_error(const std::string& json, ErrorCode code, const std::string& message) {
  auto r = decode_event(json);
  INFO(json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == code);
  CHECK(r.error().message == message);
}

}  // namespace

TEST_CASE("the twelve vendor examples decode to the right typed values", "[events]") {
  SECTION("SEND_MSG") {
    auto e = decode_as<ev::SendMsg>(vendor_file("SEND_MSG"));
    check_common(e);
    CHECK(e.message_id == kMsg);
    CHECK(e.text == "Hello, world!");
    CHECK(e.time_stamp.text == "2024-01-15T10:30:00Z");
    CHECK(e.time_stamp.micros == 1705314600000000);
  }
  SECTION("EDIT_MSG") {
    auto e = decode_as<ev::EditMsg>(vendor_file("EDIT_MSG"));
    check_common(e);
    CHECK(e.message_id == kMsg);
    CHECK(e.text == "Hello, world! (edited)");
    CHECK(e.edited_at.text == "2024-01-15T10:35:00Z");
    CHECK(e.edited_at.micros == 1705314600000000 + 5 * 60 * 1000000LL);
  }
  SECTION("DELETE_MSG") {
    auto e = decode_as<ev::DeleteMsg>(vendor_file("DELETE_MSG"));
    check_common(e);
    CHECK(e.message_id == kMsg);
    CHECK(e.time_stamp.text == "2024-01-15T10:40:00Z");
    CHECK(e.time_stamp.micros == 1705314600000000 + 10 * 60 * 1000000LL);
  }
  SECTION("REPLY") {
    auto e = decode_as<ev::Reply>(vendor_file("REPLY"));
    check_common(e);
    CHECK(e.message_id == "bb0e8400-e29b-41d4-a716-446655440006");
    CHECK(e.text == "I agree!");
    CHECK(e.time_stamp.text == "2024-01-15T10:33:00Z");
    CHECK(e.reply_to.chat_id == kChat);
    CHECK(e.reply_to.time_stamp.text == "2024-01-15T10:30:00Z");
    CHECK(e.reply_to.time_stamp.micros == 1705314600000000);
    CHECK(e.reply_to.message_id == kMsg);
    CHECK(e.reply_to.sender_id == kRecipient);
    CHECK(e.reply_to.content == "Hello, world!");
    CHECK_FALSE(e.reply_to.edited);
    CHECK_FALSE(e.reply_to.edited_at.has_value());
  }
  SECTION("TYPING") {
    check_common(decode_as<ev::Typing>(vendor_file("TYPING")));
  }
  SECTION("REACT") {
    auto e = decode_as<ev::React>(vendor_file("REACT"));
    check_common(e);
    CHECK(e.reaction_id == kReaction);
    CHECK(e.emoji == "\xF0\x9F\x91\x8D");  // U+1F44D from the surrogate pair
    CHECK(e.parent_message_id == kMsg);
    CHECK(e.time_stamp.text == "2024-01-15T10:32:00Z");
  }
  SECTION("DELETE_REACT") {
    auto e = decode_as<ev::DeleteReact>(vendor_file("DELETE_REACT"));
    check_common(e);
    CHECK(e.reaction_id == kReaction);
  }
  SECTION("READ_MSG") {
    auto e = decode_as<ev::ReadMsg>(vendor_file("READ_MSG"));
    check_common(e);
    CHECK(e.message_id == kMsg);
  }
  SECTION("USER_JOIN") {
    auto e = decode_as<ev::UserJoin>(vendor_file("USER_JOIN"));
    check_common(e);
    CHECK(e.user_id == "aa0e8400-e29b-41d4-a716-446655440005");
    CHECK(e.username == "newuser");
  }
  SECTION("USER_LEAVE") {
    auto e = decode_as<ev::UserLeave>(vendor_file("USER_LEAVE"));
    check_common(e);
    CHECK(e.text == "johndoe left the Chat");
    CHECK(e.time_stamp.text == "2024-01-15T11:00:00Z");
  }
  SECTION("NEW_CHAT") {
    auto e = decode_as<ev::NewChat>(vendor_file("NEW_CHAT"));
    check_common(e);
    CHECK(e.name == "Project Discussion");
    CHECK(e.time_stamp.text == "2024-01-15T09:00:00Z");
  }
  SECTION("DELETE_CHAT") {
    check_common(decode_as<ev::DeleteChat>(vendor_file("DELETE_CHAT")));
  }
}

TEST_CASE("each vendor example holds exactly its table's fields, and encodes back to itself",
          "[events]") {
  for (const auto& [type, fields] : vendor_tables()) {
    const std::string json = vendor_file(type);
    INFO(type);
    CHECK(t::member_names(json) == fields);
    auto r = decode_event(json);
    REQUIRE(r.ok());
    CHECK(whisp::event_type(r.value()) == type);
    // Same fields, same order, same values: the encoder follows the vendor's order.
    CHECK(encode_event(r.value()) == t::minify(json));
    auto again = decode_event(encode_event(r.value()));
    REQUIRE(again.ok());
    CHECK(again.value() == r.value());
  }
}

TEST_CASE("every missing required field of every event is reported by name", "[events]") {
  for (const auto& [type, fields] : vendor_tables()) {
    const std::string json = vendor_file(type);
    for (const auto& field : fields) {
      const std::string prefix = field == "type" ? "event" : type;
      check_error(t::without_member(json, field), ErrorCode::missing_field,
                  prefix + "." + field + ": missing");
    }
  }
}

TEST_CASE("every mistyped required field of every event is reported by name", "[events]") {
  using t::Kind;
  for (const auto& [type, fields] : vendor_tables()) {
    const std::string json = vendor_file(type);
    for (const auto& field : fields) {
      const bool is_object = field == "replyTo";
      const std::string prefix = field == "type" ? "event" : type;
      const std::string expected = is_object ? "object" : "string";
      for (Kind k : {Kind::number, Kind::boolean, Kind::null, Kind::object, Kind::array,
                     Kind::string}) {
        if ((is_object && k == Kind::object) || (!is_object && k == Kind::string)) continue;
        check_error(t::with_member_as(json, field, k), ErrorCode::wrong_type,
                    prefix + "." + field + ": expected " + expected + ", got " + t::kind_name(k));
      }
    }
  }
}

TEST_CASE("the reply's parent snapshot is checked field by field", "[events]") {
  using t::Kind;
  const std::string json = vendor_file("REPLY");
  const std::vector<std::string> required = {"chatId",   "timeStamp", "messageId",
                                             "senderId", "content",   "edited"};
  for (const auto& field : required) {
    check_error(t::without_member(json, field, "replyTo"), ErrorCode::missing_field,
                "REPLY.replyTo." + field + ": missing");
    const Kind wrong = field == "edited" ? Kind::string : Kind::number;
    const std::string expected = field == "edited" ? "bool" : "string";
    check_error(t::with_member_as(json, field, wrong, "replyTo"), ErrorCode::wrong_type,
                "REPLY.replyTo." + field + ": expected " + expected + ", got " +
                    t::kind_name(wrong));
  }
  SECTION("editedAt may be absent, null or a timestamp, nothing else") {
    auto absent = decode_as<ev::Reply>(t::without_member(json, "editedAt", "replyTo"));
    CHECK_FALSE(absent.reply_to.edited_at.has_value());
    auto set = decode_as<ev::Reply>(
        t::with_string(json, "editedAt", "2024-01-15T10:31:00.5+00:00", "replyTo"));
    REQUIRE(set.reply_to.edited_at.has_value());
    CHECK(set.reply_to.edited_at->micros == 1705314660500000);
    check_error(t::with_member_as(json, "editedAt", Kind::number, "replyTo"),
                ErrorCode::wrong_type, "REPLY.replyTo.editedAt: expected string or null, got number");
    check_error(t::with_string(json, "editedAt", "yesterday", "replyTo"), ErrorCode::invalid_value,
                "REPLY.replyTo.editedAt: invalid timestamp 'yesterday'");
  }
}

TEST_CASE("a malformed timestamp is an invalid value quoting the text", "[events]") {
  check_error(t::with_string(vendor_file("EDIT_MSG"), "editedAt", "2024-13-01"),
              ErrorCode::invalid_value, "EDIT_MSG.editedAt: invalid timestamp '2024-13-01'");
  check_error(t::with_member_as(vendor_file("SEND_MSG"), "timeStamp", t::Kind::number),
              ErrorCode::wrong_type, "SEND_MSG.timeStamp: expected string, got number");
  SECTION("Java-style fractions and offsets are accepted") {
    auto e = decode_as<ev::SendMsg>(
        t::with_string(vendor_file("SEND_MSG"), "timeStamp", "2024-01-15T11:30:00.123456789+01:00"));
    CHECK(e.time_stamp.text == "2024-01-15T11:30:00.123456789+01:00");
    CHECK(e.time_stamp.micros == 1705314600123456);
  }
}

TEST_CASE("bodies that are not a JSON object are malformed", "[events]") {
  check_error("[1,2]", ErrorCode::malformed_json, "event: not a JSON object");
  check_error("\"SEND_MSG\"", ErrorCode::malformed_json, "event: not a JSON object");
  check_error("", ErrorCode::malformed_json, "event: parse error at offset 0: The document is empty.");
  check_error("{\"type\": \"SEND_MSG\",}", ErrorCode::malformed_json,
              "event: parse error at offset 20: Missing a name for object member.");
  check_error("{\"type\":\"TYPING\"} x", ErrorCode::malformed_json,
              "event: parse error at offset 18: The document root must not be followed by other values.");
  SECTION("deep nesting is rejected or parsed without exhausting the call stack") {
    std::string deep = "{\"type\":\"TYPING\",\"x\":" + std::string(200000, '[');
    auto r = decode_event(deep);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::malformed_json);
  }
}

TEST_CASE("unknown fields are ignored", "[events]") {
  rapidjson::Document d = t::parse_doc(vendor_file("SEND_MSG"));
  d.AddMember("futureField", rapidjson::Value().SetObject(), d.GetAllocator());
  d.AddMember("priority", 3, d.GetAllocator());
  auto e = decode_as<ev::SendMsg>(t::to_text(d));
  CHECK(e.text == "Hello, world!");
  CHECK(e.message_id == kMsg);
}

TEST_CASE("an unknown type is tolerated and keeps what common fields it has", "[events]") {
  auto full = decode_as<ev::Unknown>(t::with_string(vendor_file("TYPING"), "type", "PIN_MSG"));
  CHECK(full.type == "PIN_MSG");
  check_common(full);
  auto bare = decode_as<ev::Unknown>(R"({"type":"FUTURE","chatId":7})");
  CHECK(bare.type == "FUTURE");
  CHECK(bare.chat_id.empty());
  CHECK(bare.recipient_id.empty());
  CHECK(bare.sender_id.empty());
  CHECK(whisp::event_type(Event{bare}) == "FUTURE");
  SECTION("it round-trips") {
    CHECK(encode_event(Event{full}) ==
          std::string(R"({"type":"PIN_MSG","chatId":")") + kChat + R"(","recipientId":")" +
              kRecipient + R"(","senderId":")" + kSender + R"("})");
    CHECK(decode_event(encode_event(Event{full})).value() == Event{full});
    CHECK(decode_event(encode_event(Event{bare})).value() == Event{bare});
  }
  SECTION("but the type must still be a string") {
    check_error(R"({"chatId":"x"})", ErrorCode::missing_field, "event.type: missing");
    check_error(R"({"type":null})", ErrorCode::wrong_type, "event.type: expected string, got null");
  }
}

TEST_CASE("strings are kept byte for byte", "[events]") {
  const std::string base = vendor_file("SEND_MSG");
  auto with_raw_message = [&](const std::string& raw_json_string) {
    std::string json = t::minify(base);
    const std::string needle = "\"Hello, world!\"";
    json.replace(json.find(needle), needle.size(), raw_json_string);
    return json;
  };
  SECTION("an escaped NUL inside a text survives decode and encode") {
    auto e = decode_as<ev::SendMsg>(with_raw_message(R"("a\u0000b")"));
    CHECK(e.text == std::string("a\0b", 3));
    const std::string out = encode_event(Event{e});
    CHECK(out.find(R"("message":"a\u0000b")") != std::string::npos);
    CHECK(std::get<ev::SendMsg>(decode_event(out).value()).text == std::string("a\0b", 3));
  }
  SECTION("a surrogate pair becomes the 4-byte UTF-8 sequence") {
    auto e = decode_as<ev::SendMsg>(with_raw_message(R"("ok \ud83d\udc4d")"));
    CHECK(e.text == "ok \xF0\x9F\x91\x8D");
  }
  SECTION("raw UTF-8 is kept as is, and written back raw") {
    const std::string text = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80";
    auto e = decode_as<ev::SendMsg>(with_raw_message("\"" + text + "\""));
    CHECK(e.text == text);
    CHECK(encode_event(Event{e}).find(text) != std::string::npos);
  }
  SECTION("control characters and quotes are escaped on the way out and restored") {
    ev::SendMsg e;
    e.chat_id = kChat;
    e.recipient_id = kRecipient;
    e.sender_id = kSender;
    e.message_id = kMsg;
    e.text = std::string("line1\nline2\t\"q\" \\ \x01", 20);
    e.time_stamp = whisp::parse_timestamp("2024-01-15T10:30:00Z").value();
    CHECK(decode_event(encode_event(Event{e})).value() == Event{e});
  }
  SECTION("invalid UTF-8 and lone surrogates in a kept string are rejected as malformed") {
    for (const std::string& raw :
         {std::string("\"bad \xFF byte\""), std::string("\"\xC3\""),
          std::string("\"overlong \xC0\xAF\""), std::string("\"surrogate \xED\xA0\x80\""),
          std::string("\"past U+10FFFF \xF4\x90\x80\x80\""), std::string(R"("\udc4d")"),
          std::string("\"truncated \xF0\x9F\x91\"")}) {
      auto r = decode_event(with_raw_message(raw));
      INFO(raw);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == ErrorCode::malformed_json);
      CHECK(r.error().message == "SEND_MSG.message: invalid UTF-8 (or a lone surrogate escape)");
    }
    auto high_alone = decode_event(with_raw_message(R"("\ud83d alone")"));
    REQUIRE_FALSE(high_alone.ok());
    CHECK(high_alone.error().code == ErrorCode::malformed_json);
  }
  SECTION("the largest code point and every UTF-8 length are accepted") {
    const std::string text = "A\xC2\x80\xE0\xA0\x80\xEF\xBF\xBD\xF4\x8F\xBF\xBF";
    CHECK(decode_as<ev::SendMsg>(with_raw_message("\"" + text + "\"")).text == text);
  }
  SECTION("bytes in members no decoder reads are not inspected") {
    std::string json = t::minify(base);
    json.insert(1, "\"ignored\":\"\xFF\",");
    CHECK(decode_as<ev::SendMsg>(json).text == "Hello, world!");
  }
  SECTION("a raw NUL byte anywhere is malformed") {
    std::string json = t::minify(base);
    json.push_back('\0');
    check_error(json, ErrorCode::malformed_json,
                "event: parse error at offset " + std::to_string(json.size() - 1) +
                    ": NUL byte in the document");
  }
  SECTION("a body larger than the inline buffer decodes the same") {
    const std::string big(100000, 'x');
    CHECK(decode_as<ev::SendMsg>(with_raw_message("\"" + big + "\"")).text == big);
  }
}

TEST_CASE("encoding is deterministic and follows the vendor field order", "[events]") {
  ev::React e;
  e.chat_id = "c";
  e.recipient_id = "r";
  e.sender_id = "s";
  e.reaction_id = "re";
  e.emoji = "\xF0\x9F\x91\x8D";
  e.parent_message_id = "p";
  e.time_stamp = whisp::parse_timestamp("2024-01-15T10:32:00.5+01:00").value();
  const std::string expected =
      "{\"type\":\"REACT\",\"messageId\":\"re\",\"message\":\"\xF0\x9F\x91\x8D\",\"chatId\":\"c\","
      "\"recipientId\":\"r\",\"senderId\":\"s\",\"parentMessageId\":\"p\","
      "\"timeStamp\":\"2024-01-15T10:32:00.5+01:00\"}";
  CHECK(encode_event(Event{e}) == expected);
  CHECK(encode_event(Event{e}) == encode_event(Event{e}));
  CHECK(whisp::event_common(Event{e}).sender_id == "s");
}
