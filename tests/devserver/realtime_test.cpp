// Realtime: each of the eight actions (and the REST-driven events) reaches every connected
// member, the sender included, with exactly the vendor page's fields and JSON types.
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "protocol/actions.hpp"
#include "protocol/timestamp.hpp"

namespace whisp::devserver::testing {
namespace {

using Keys = std::set<std::string>;

const Keys kSendMsg{"type", "timeStamp", "chatId", "message", "messageId", "recipientId",
                    "senderId"};
const Keys kEditMsg{"type", "chatId", "message", "messageId", "recipientId", "senderId",
                    "editedAt"};
const Keys kDeleteMsg{"type", "chatId", "messageId", "recipientId", "senderId", "timeStamp"};
const Keys kReply{"type",     "messageId", "message", "chatId", "recipientId",
                  "senderId", "replyTo",   "timeStamp"};
const Keys kReplyTo{"chatId", "timeStamp", "messageId", "senderId", "content", "edited",
                    "editedAt"};
const Keys kTyping{"type", "chatId", "recipientId", "senderId"};
const Keys kReact{"type",     "messageId",       "message",  "chatId", "recipientId",
                  "senderId", "parentMessageId", "timeStamp"};
const Keys kDeleteReact{"type", "messageId", "chatId", "recipientId", "senderId"};
const Keys kReadMsg{"type", "chatId", "recipientId", "senderId", "messageId"};
const Keys kUserJoin{"type", "chatId", "message", "username", "recipientId", "senderId"};
const Keys kUserLeave{"type", "chatId", "message", "recipientId", "timeStamp", "senderId"};
const Keys kNewChat{"type", "timeStamp", "chatId", "recipientId", "senderId", "message"};
const Keys kDeleteChat{"type", "chatId", "recipientId", "senderId"};

/// The next MESSAGE at `ws`: a `type` event with exactly `keys`, every one a string except
/// replyTo; recipientId is `me`. Returns the parsed body.
rapidjson::Document expect_event(WsClient& ws, const TestUser& me, const std::string& type,
                                 const Keys& keys) {
  auto f = ws.next("MESSAGE");
  if (!f) FAIL(me.username << " waiting for " << type << ": " << f.error().describe());
  CHECK(f->header("destination") == std::optional<std::string_view>("/user/" + me.id +
                                                                    "/queue/messages"));
  CHECK(f->header("subscription") == std::optional<std::string_view>("sub-0"));
  CHECK(f->header("content-length").has_value());
  auto doc = parse_object(f->body);
  INFO(me.username << " got " << f->body);
  REQUIRE(std::string(doc["type"].GetString()) == type);
  CHECK(keys_of(doc) == keys);
  for (const auto& m : doc.GetObject()) {
    if (std::string(m.name.GetString()) == "replyTo") continue;
    CHECK(m.value.IsString());
  }
  CHECK(std::string(doc["recipientId"].GetString()) == me.id);
  return doc;
}

struct Trio {
  Fixture fx;
  TestUser alice = fx.user("alice"), bob = fx.user("bob"), carol = fx.user("carol");
  std::string chat = fx.chat(alice, {"bob", "carol"}, "trio");
  std::unique_ptr<WsClient> a = fx.connect(alice), b = fx.connect(bob), c = fx.connect(carol);

  Status send(WsClient& ws, const TestUser& from, const Action& act) {
    return ws.send_frame(send_frame(encode_action(act, from.id)));
  }
  /// Expects the event at all three; returns alice's copy.
  rapidjson::Document everyone(const std::string& type, const Keys& keys) {
    expect_event(*b, bob, type, keys);
    expect_event(*c, carol, type, keys);
    return expect_event(*a, alice, type, keys);
  }
};

}  // namespace

TEST_CASE("each of the eight actions reaches every member, the sender included, with the vendor's fields") {
  Trio t;
  REQUIRE(t.send(*t.a, t.alice, action::SendMsg{t.chat, "hello", "2024-01-15T10:30:00Z"}).ok());
  auto sent = t.everyone("SEND_MSG", kSendMsg);
  const std::string msg = sent["messageId"].GetString();
  CHECK(std::string(sent["message"].GetString()) == "hello");
  CHECK(std::string(sent["senderId"].GetString()) == t.alice.id);
  CHECK(std::string(sent["chatId"].GetString()) == t.chat);
  CHECK(parse_timestamp(sent["timeStamp"].GetString()).ok());

  REQUIRE(t.send(*t.a, t.alice, action::EditMsg{t.chat, msg, "hello!", "2024-01-15T10:31:00Z"}).ok());
  auto edited = t.everyone("EDIT_MSG", kEditMsg);
  CHECK(std::string(edited["messageId"].GetString()) == msg);
  CHECK(std::string(edited["message"].GetString()) == "hello!");

  REQUIRE(t.send(*t.b, t.bob, action::Reply{t.chat, msg, "hi back", "2024-01-15T10:32:00Z"}).ok());
  auto reply = t.everyone("REPLY", kReply);
  CHECK(std::string(reply["senderId"].GetString()) == t.bob.id);
  CHECK(std::string(reply["messageId"].GetString()) != msg);
  const auto& parent = reply["replyTo"];
  REQUIRE(parent.IsObject());
  CHECK(keys_of(parent) == kReplyTo);
  CHECK(std::string(parent["messageId"].GetString()) == msg);
  CHECK(std::string(parent["content"].GetString()) == "hello!");
  CHECK(parent["edited"].IsBool());
  CHECK(parent["edited"].GetBool());
  CHECK(parent["editedAt"].IsString());

  REQUIRE(t.send(*t.c, t.carol, action::Typing{t.chat}).ok());
  auto typing = t.everyone("TYPING", kTyping);
  CHECK(std::string(typing["senderId"].GetString()) == t.carol.id);

  REQUIRE(t.send(*t.c, t.carol, action::React{t.chat, msg, "\xF0\x9F\x91\x8D", "2024-01-15T10:33:00Z"}).ok());
  auto react = t.everyone("REACT", kReact);
  const std::string reaction = react["messageId"].GetString();
  CHECK(reaction != msg);
  CHECK(std::string(react["parentMessageId"].GetString()) == msg);
  CHECK(std::string(react["message"].GetString()) == "\xF0\x9F\x91\x8D");

  REQUIRE(t.send(*t.c, t.carol, action::DeleteReact{reaction}).ok());
  auto unreact = t.everyone("DELETE_REACT", kDeleteReact);
  CHECK(std::string(unreact["messageId"].GetString()) == reaction);
  CHECK(std::string(unreact["chatId"].GetString()) == t.chat);

  REQUIRE(t.send(*t.b, t.bob, action::ReadMsg{t.chat, msg}).ok());
  auto read = t.everyone("READ_MSG", kReadMsg);
  CHECK(std::string(read["messageId"].GetString()) == msg);
  CHECK(std::string(read["senderId"].GetString()) == t.bob.id);

  REQUIRE(t.send(*t.a, t.alice, action::DeleteMsg{t.chat, msg}).ok());
  auto deleted = t.everyone("DELETE_MSG", kDeleteMsg);
  CHECK(std::string(deleted["messageId"].GetString()) == msg);

  SECTION("the server's truth matches: the deleted message is gone, the reply stays") {
    const auto h = t.fx.get(t.bob, "/api/messages/getMessages/" + t.chat);
    REQUIRE(h.status == 200);
    auto doc = parse_object(h.body);
    REQUIRE(doc["messages"].Size() == 1);
    CHECK(std::string(doc["messages"][0]["content"].GetString()) == "hi back");
  }
}

TEST_CASE("member and chat changes made over REST reach every member with the vendor's fields") {
  Trio t;
  auto dave = t.fx.user("dave");
  auto d = t.fx.connect(dave);

  REQUIRE(t.fx.post(t.alice, "/api/chat/addUser",
                    R"({"chatId":")" + t.chat + R"(","newUsername":"dave"})").status == 200);
  auto join = t.everyone("USER_JOIN", kUserJoin);
  expect_event(*d, dave, "USER_JOIN", kUserJoin);
  CHECK(std::string(join["message"].GetString()) == dave.id);
  CHECK(std::string(join["username"].GetString()) == "dave");
  CHECK(std::string(join["senderId"].GetString()) == t.alice.id);

  REQUIRE(t.fx.post(t.carol, "/api/chat/removeUser",
                    R"({"chatId":")" + t.chat + R"(","removeUser":")" + t.carol.id + R"("})")
              .status == 200);
  auto leave = t.everyone("USER_LEAVE", kUserLeave);
  expect_event(*d, dave, "USER_LEAVE", kUserLeave);
  CHECK(std::string(leave["senderId"].GetString()) == t.carol.id);

  SECTION("a removed member stops receiving the chat's events") {
    // carol shares a second chat with alice; the first thing she sees after alice speaks in
    // both is the second chat's message.
    const auto other = t.fx.chat(t.alice, {"carol"}, "pair");
    expect_event(*t.c, t.carol, "NEW_CHAT", kNewChat);
    expect_event(*t.a, t.alice, "NEW_CHAT", kNewChat);
    REQUIRE(t.send(*t.a, t.alice, action::SendMsg{t.chat, "carol cannot see this", kTs}).ok());
    REQUIRE(t.send(*t.a, t.alice, action::SendMsg{other, "carol sees this", kTs}).ok());
    auto first = expect_event(*t.c, t.carol, "SEND_MSG", kSendMsg);
    CHECK(std::string(first["chatId"].GetString()) == other);
    CHECK(std::string(first["message"].GetString()) == "carol sees this");
  }

  SECTION("NEW_CHAT and DELETE_CHAT reach every member") {
    const auto chat2 = t.fx.chat(t.bob, {"alice", "dave"}, "Project Discussion");
    auto created = expect_event(*t.a, t.alice, "NEW_CHAT", kNewChat);
    expect_event(*t.b, t.bob, "NEW_CHAT", kNewChat);
    expect_event(*d, dave, "NEW_CHAT", kNewChat);
    CHECK(std::string(created["message"].GetString()) == "Project Discussion");
    CHECK(std::string(created["senderId"].GetString()) == t.bob.id);
    REQUIRE(t.fx.del(t.bob, "/api/chat/deleteChat?chatId=" + chat2).status == 200);
    auto gone = expect_event(*t.a, t.alice, "DELETE_CHAT", kDeleteChat);
    expect_event(*t.b, t.bob, "DELETE_CHAT", kDeleteChat);
    expect_event(*d, dave, "DELETE_CHAT", kDeleteChat);
    CHECK(std::string(gone["chatId"].GetString()) == chat2);
  }
}

TEST_CASE("getMessages records a read of the newest returned message and emits READ_MSG") {
  Trio t;
  REQUIRE(t.send(*t.a, t.alice, action::SendMsg{t.chat, "one", kTs}).ok());
  auto one = t.everyone("SEND_MSG", kSendMsg);
  const auto h = t.fx.get(t.bob, "/api/messages/getMessages/" + t.chat + "?size=10");
  REQUIRE(h.status == 200);
  auto read = t.everyone("READ_MSG", kReadMsg);
  CHECK(std::string(read["senderId"].GetString()) == t.bob.id);
  CHECK(std::string(read["messageId"].GetString()) == one["messageId"].GetString());
  auto users = parse_object(t.fx.get(t.alice, "/api/chat/getUsers/" + t.chat).body);
  bool found = false;
  for (const auto& u : users["users"].GetArray()) {
    if (std::string(u["userId"].GetString()) == t.bob.id) {
      found = true;
      CHECK(std::string(u["lastSeenMessage"].GetString()) == one["messageId"].GetString());
    }
  }
  CHECK(found);
}

}  // namespace whisp::devserver::testing
