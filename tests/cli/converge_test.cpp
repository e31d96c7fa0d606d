#include "converge.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {
std::string chat_of(const std::string& user, const std::string& unread, const std::string& status,
                    const std::string& local_id, const std::string& text) {
  return R"({"userId":")" + user + R"(","chats":[{"chatId":"c","name":"n","unreadCount":)" + unread +
         R"(,"members":[{"userId":"a","username":"ann","lastReadMessageId":"m1"}],
         "messages":[{"messageId":"m1","localId":)" + local_id + R"(,"senderId":"a","text":")" + text +
         R"(","timeStamp":"t","edited":false,"editedAt":null,"replyTo":null,
         "reactions":[{"reactionId":"r1","senderId":"b","emoji":"x"}],"status":")" + status +
         R"("}],"typing":["b"]}]})";
}
}  // namespace

TEST_CASE("the shared view ignores what differs per user and device, and nothing else") {
  auto ann = whisp::cli::shared_view(chat_of("a", "0", "delivered", "\"L1\"", "hi"), "c");
  auto bob = whisp::cli::shared_view(chat_of("b", "3", "delivered", "null", "hi"), "c");
  REQUIRE(ann.ok());
  REQUIRE(bob.ok());
  CHECK(*ann == *bob);
  CHECK(ann->find("\"reactionId\":\"r1\"") != std::string::npos);

  auto other_text = whisp::cli::shared_view(chat_of("b", "3", "delivered", "null", "ho"), "c");
  REQUIRE(other_text.ok());
  CHECK(*other_text != *ann);

  CHECK(*whisp::cli::shared_view(chat_of("a", "0", "delivered", "null", "hi"), "zz") == "null");
  CHECK_FALSE(whisp::cli::shared_view("{", "c").ok());
}
