#include "pretty.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

const char* kSnapshot = R"({"userId":"u1","chats":[
 {"chatId":"c1","name":"Team","unreadCount":1,
  "members":[{"userId":"u1","username":"ann","lastReadMessageId":"m1"},
             {"userId":"u2","username":"bob","lastReadMessageId":"m2"}],
  "messages":[
   {"messageId":"m1","localId":null,"senderId":"u1","text":"hello","timeStamp":"2024-01-15T10:30:00Z",
    "edited":false,"editedAt":null,"replyTo":null,
    "reactions":[{"reactionId":"r1","senderId":"u2","emoji":"+1"}],"status":"delivered"},
   {"messageId":"m2","localId":null,"senderId":"u2","text":"hi there","timeStamp":"2024-01-15T10:31:00.5Z",
    "edited":true,"editedAt":"2024-01-15T10:32:00Z",
    "replyTo":{"messageId":"m1","senderId":"u1","text":"hello"},"reactions":[],"status":"delivered"},
   {"messageId":null,"localId":"L7","senderId":"u1","text":"offline note","timeStamp":"2024-01-15T10:33:00Z",
    "edited":false,"editedAt":null,"replyTo":null,"reactions":[],"status":"pending"},
   {"messageId":null,"localId":"L8","senderId":"u1","text":"doomed","timeStamp":"2024-01-15T10:34:00Z",
    "edited":false,"editedAt":null,"replyTo":null,"reactions":[],"status":"failed","error":"chat deleted"}],
  "typing":["u2"]},
 {"chatId":"c2","name":null,"unreadCount":0,"members":[],"messages":[]}]})";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a snapshot renders names, edits, replies, reactions, read markers and status marks") {
  auto r = whisp::cli::render_snapshot(kSnapshot);
  REQUIRE(r.ok());
  const std::string& out = *r;
  INFO(out);
  CHECK(contains(out, "user u1, 2 chat(s)"));
  CHECK(contains(out, "== Team  [c1]  1 unread"));
  CHECK(contains(out, "members: you bob"));
  CHECK(contains(out, "10:30:00 you: hello [delivered]"));
  CHECK(contains(out, "10:31:00 bob: hi there (edited)\n"));
  CHECK(contains(out, "> reply to you: \"hello\""));
  CHECK(contains(out, "reactions: +1 bob"));
  CHECK(contains(out, "-- read by you"));
  CHECK(contains(out, "-- read by bob"));
  CHECK(contains(out, "you: offline note [pending]"));
  CHECK(contains(out, "you: doomed [failed: chat deleted]"));
  CHECK(contains(out, "bob is typing..."));
  CHECK(contains(out, "== (unnamed)  [c2]"));
  CHECK(contains(out, "(no messages)"));
  // Colours only when asked for.
  CHECK_FALSE(contains(out, "\x1b["));
  whisp::cli::PrettyOptions color;
  color.color = true;
  CHECK(contains(*whisp::cli::render_snapshot(kSnapshot, color), "\x1b["));
}

TEST_CASE("one chat renders alone, and a window hides older messages with a count") {
  whisp::cli::PrettyOptions o;
  o.last_messages = 2;
  auto r = whisp::cli::render_chat(kSnapshot, "c1", o);
  REQUIRE(r.ok());
  CHECK(contains(*r, "... 2 older message(s)"));
  CHECK_FALSE(contains(*r, "hello [delivered]"));
  CHECK(contains(*r, "offline note"));
  CHECK_FALSE(contains(*r, "[c2]"));
  auto missing = whisp::cli::render_chat(kSnapshot, "nope");
  REQUIRE(missing.ok());
  CHECK(contains(*missing, "chat nope is not in the store"));
}

TEST_CASE("counts add up messages by status, reactions and unread") {
  auto c = whisp::cli::count_snapshot(kSnapshot);
  REQUIRE(c.ok());
  CHECK(c->chats == 2);
  CHECK(c->messages == 4);
  CHECK(c->delivered == 2);
  CHECK(c->pending == 1);
  CHECK(c->failed == 1);
  CHECK(c->sent == 0);
  CHECK(c->reactions == 1);
  CHECK(c->unread == 1);
}

TEST_CASE("input that is not the contract's shape is refused with the field named") {
  auto not_json = whisp::cli::render_snapshot("{");
  REQUIRE_FALSE(not_json.ok());
  CHECK(not_json.error().code == whisp::ErrorCode::malformed_json);
  auto no_chats = whisp::cli::render_snapshot(R"({"userId":"u"})");
  REQUIRE_FALSE(no_chats.ok());
  CHECK(contains(no_chats.error().message, "snapshot.chats"));
  auto bad_message = whisp::cli::count_snapshot(
      R"({"userId":"u","chats":[{"chatId":"c","members":[],"messages":[{"senderId":1}]}]})");
  REQUIRE_FALSE(bad_message.ok());
  CHECK(contains(bad_message.error().message, "message.senderId"));
}
