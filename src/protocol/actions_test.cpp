#include "protocol/actions.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocol/json_test_util.hpp"

using whisp::Action;
using whisp::decode_action;
using whisp::encode_action;
using whisp::ErrorCode;
namespace act = whisp::action;
namespace t = whisp::test;

namespace {

const char* const kTs = "2024-01-15T10:30:00.123456Z";

// One of each action, with the wire text PROTOCOL.md section 5 gives it.
struct Sample {
  Action action;
  std::string json;
  std::vector<std::string> fields;  // required, wire order (type first, senderId last)
};

std::vector<Sample> samples() {
  const std::string ts = kTs;
  return {
      {act::SendMsg{"c1", "hi", ts},
       R"({"type":"SEND_MSG","chatId":"c1","message":"hi","timeStamp":")" + ts +
           R"(","senderId":"me"})",
       {"type", "chatId", "message", "timeStamp", "senderId"}},
      {act::EditMsg{"c1", "m1", "hi2", ts},
       R"({"type":"EDIT_MSG","chatId":"c1","messageId":"m1","message":"hi2","timeStamp":")" + ts +
           R"(","senderId":"me"})",
       {"type", "chatId", "messageId", "message", "timeStamp", "senderId"}},
      {act::DeleteMsg{"c1", "m1"},
       R"({"type":"DELETE_MSG","chatId":"c1","messageId":"m1","senderId":"me"})",
       {"type", "chatId", "messageId", "senderId"}},
      {act::Reply{"c1", "parent", "re", ts},
       R"({"type":"REPLY","chatId":"c1","messageId":"parent","message":"re","timeStamp":")" + ts +
           R"(","senderId":"me"})",
       {"type", "chatId", "messageId", "message", "timeStamp", "senderId"}},
      {act::Typing{"c1"}, R"({"type":"TYPING","chatId":"c1","senderId":"me"})",
       {"type", "chatId", "senderId"}},
      {act::React{"c1", "m1", "\xF0\x9F\x91\x8D", ts},
       "{\"type\":\"REACT\",\"chatId\":\"c1\",\"messageId\":\"m1\",\"reaction\":\"\xF0\x9F\x91\x8D\","
       "\"timeStamp\":\"" + ts + "\",\"senderId\":\"me\"}",
       {"type", "chatId", "messageId", "reaction", "timeStamp", "senderId"}},
      {act::DeleteReact{"r1"}, R"({"type":"DELETE_REACT","reactionId":"r1","senderId":"me"})",
       {"type", "reactionId", "senderId"}},
      {act::ReadMsg{"c1", "m1"},
       R"({"type":"READ_MSG","chatId":"c1","messageId":"m1","senderId":"me"})",
       {"type", "chatId", "messageId", "senderId"}},
  };
}

}  // namespace

TEST_CASE("each action encodes with type first and senderId last, as text", "[actions]") {
  for (const auto& s : samples()) {
    INFO(s.json);
    CHECK(encode_action(s.action, "me") == s.json);
    CHECK(t::member_names(s.json) == s.fields);
  }
}

TEST_CASE("each action decodes back to the same action and sender", "[actions]") {
  for (const auto& s : samples()) {
    auto r = decode_action(s.json);
    INFO(s.json);
    INFO((r ? std::string("ok") : r.error().describe()));
    REQUIRE(r.ok());
    CHECK(r->sender_id == "me");
    CHECK(r->action == s.action);
    CHECK(whisp::action_type(r->action) == t::parse_doc(s.json)["type"].GetString());
  }
}

TEST_CASE("the server side names each missing or mistyped action field", "[actions]") {
  using t::Kind;
  for (const auto& s : samples()) {
    const std::string type = std::string(whisp::action_type(s.action));
    for (const auto& field : s.fields) {
      const std::string prefix = field == "type" ? "action" : type;
      auto missing = decode_action(t::without_member(s.json, field));
      INFO(s.json << " without " << field);
      REQUIRE_FALSE(missing.ok());
      CHECK(missing.error().code == ErrorCode::missing_field);
      CHECK(missing.error().message == prefix + "." + field + ": missing");
      for (Kind k : {Kind::number, Kind::boolean, Kind::null, Kind::object, Kind::array}) {
        auto wrong = decode_action(t::with_member_as(s.json, field, k));
        REQUIRE_FALSE(wrong.ok());
        CHECK(wrong.error().code == ErrorCode::wrong_type);
        CHECK(wrong.error().message ==
              prefix + "." + field + ": expected string, got " + t::kind_name(k));
      }
    }
  }
}

TEST_CASE("an unknown action type or a bad client timestamp is an invalid value", "[actions]") {
  auto unknown = decode_action(R"({"type":"PIN_MSG","chatId":"c1","senderId":"me"})");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::invalid_value);
  CHECK(unknown.error().message == "action.type: unknown action 'PIN_MSG'");

  auto bad_ts = decode_action(
      R"({"type":"SEND_MSG","chatId":"c1","message":"hi","timeStamp":"now","senderId":"me"})");
  REQUIRE_FALSE(bad_ts.ok());
  CHECK(bad_ts.error().code == ErrorCode::invalid_value);
  CHECK(bad_ts.error().message == "SEND_MSG.timeStamp: invalid timestamp 'now'");

  auto not_object = decode_action("[]");
  REQUIRE_FALSE(not_object.ok());
  CHECK(not_object.error().message == "action: not a JSON object");
}

TEST_CASE("action texts keep NULs and non-ASCII bytes through a round trip", "[actions]") {
  const Action a = act::SendMsg{"c1", std::string("x\0y \xE2\x9C\x93", 7), kTs};
  const std::string json = encode_action(a, "me");
  CHECK(json.find(R"(x\u0000y)") != std::string::npos);
  auto r = decode_action(json);
  REQUIRE(r.ok());
  CHECK(r->action == a);
}
