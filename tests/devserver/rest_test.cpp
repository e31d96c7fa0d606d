// REST: every call of PROTOCOL.md sections 1-2, its success and its errors.
#include <catch2/catch.hpp>

#include "fixture.hpp"

namespace whisp::devserver::testing {
namespace {

void check_message_body(const HttpResult& r) {
  auto doc = parse_object(r.body);
  CHECK(doc.HasMember("message"));
}

void check_problem(const HttpResult& r) {
  CHECK(r.status == 401);
  auto doc = parse_object(r.body);
  CHECK(keys_of(doc) ==
        std::set<std::string>{"type", "title", "status", "detail", "instance", "code"});
  CHECK(doc["status"].GetInt() == 401);
}

}  // namespace

TEST_CASE("registration and sign-in need the API key and give a JWT in the Authorization header") {
  Fixture fx;
  const std::string body = R"({"username":"ann","email":"ann@x.org","password":"pw1"})";
  check_problem(http(fx.port(), "POST", "/api/user/registerUser", body));
  check_problem(http(fx.port(), "POST", "/api/user/registerUser", body, {{"x-api-key", "wrong"}}));
  REQUIRE(http(fx.port(), "POST", "/api/user/registerUser", body, fx.api_key()).status == 200);
  SECTION("a taken username is refused") {
    auto again = http(fx.port(), "POST", "/api/user/registerUser", body, fx.api_key());
    CHECK(again.status == 409);
    check_message_body(again);
  }
  SECTION("bad JSON is 400 with {message}") {
    auto bad = http(fx.port(), "POST", "/api/user/registerUser", "{not json", fx.api_key());
    CHECK(bad.status == 400);
    check_message_body(bad);
  }
  SECTION("sign-in returns the user and the JWT; a wrong password is 401") {
    auto in = http(fx.port(), "POST", "/api/user/signin", R"({"username":"ann","password":"pw1"})",
                   fx.api_key());
    REQUIRE(in.status == 200);
    CHECK(in.authorization.rfind("Bearer ", 0) == 0);
    auto doc = parse_object(in.body);
    CHECK(keys_of(doc) ==
          std::set<std::string>{"id", "username", "email", "refreshToken", "roles"});
    CHECK(doc["roles"].IsArray());
    check_problem(http(fx.port(), "POST", "/api/user/signin",
                       R"({"username":"ann","password":"nope"})", fx.api_key()));
    check_problem(http(fx.port(), "POST", "/api/user/signin",
                       R"({"username":"nobody","password":"pw1"})", fx.api_key()));
  }
}

TEST_CASE("getUser answers the caller; a missing or forged JWT is 401") {
  Fixture fx;
  auto ann = fx.user("ann");
  auto r = fx.get(ann, "/api/user/getUser");
  REQUIRE(r.status == 200);
  auto doc = parse_object(r.body);
  CHECK(std::string(doc["id"].GetString()) == ann.id);
  CHECK(std::string(doc["username"].GetString()) == "ann");
  CHECK(doc["role"].IsArray());
  check_problem(http(fx.port(), "GET", "/api/user/getUser"));
  auto forged = ann;
  forged.jwt.back() = forged.jwt.back() == 'A' ? 'B' : 'A';
  check_problem(fx.get(forged, "/api/user/getUser"));
}

TEST_CASE("an expired JWT is 401, refresh gives a new one, logout kills the refresh token") {
  auto o = test_options();
  o.jwt_ttl_seconds = 0;  // every JWT is born expired
  Fixture fx(o);
  auto ann = fx.user("ann");
  auto expired = fx.get(ann, "/api/user/getUser");
  check_problem(expired);
  CHECK(parse_object(expired.body)["code"].GetString() == std::string("TOKEN_EXPIRED"));
  const std::string refresh_body = R"({"expiredJwt":")" + ann.jwt + R"("})";
  auto refreshed = http(fx.port(), "POST", "/api/auth/refresh", refresh_body,
                        {{"Authorization", "Bearer " + ann.refresh_token}});
  REQUIRE(refreshed.status == 200);
  CHECK(refreshed.authorization.rfind("Bearer ", 0) == 0);
  check_problem(http(fx.port(), "POST", "/api/auth/refresh", refresh_body,
                     {{"Authorization", "Bearer not-a-refresh-token"}}));
}

TEST_CASE("refresh works while the refresh token lives and fails after logout or logoutAll") {
  Fixture fx;
  auto ann = fx.user("ann");
  auto refresh = [&](const std::string& token) {
    return http(fx.port(), "POST", "/api/auth/refresh", R"({"expiredJwt":")" + ann.jwt + R"("})",
                {{"Authorization", "Bearer " + token}});
  };
  REQUIRE(refresh(ann.refresh_token).status == 200);
  SECTION("logout") {
    REQUIRE(fx.post(ann, "/api/auth/logout",
                    R"({"refreshToken":")" + ann.refresh_token + R"("})").status == 200);
    check_problem(refresh(ann.refresh_token));
  }
  SECTION("logoutAll kills every refresh token of the user") {
    auto second = fx.user("bob");  // another user's token survives
    auto in = http(fx.port(), "POST", "/api/user/signin",
                   R"({"username":"ann","password":"ann-secret"})", fx.api_key());
    const std::string other = parse_object(in.body)["refreshToken"].GetString();
    REQUIRE(fx.post(ann, "/api/auth/logoutAll", "").status == 200);
    check_problem(refresh(ann.refresh_token));
    check_problem(refresh(other));
    CHECK(http(fx.port(), "POST", "/api/auth/refresh",
               R"({"expiredJwt":")" + second.jwt + R"("})",
               {{"Authorization", "Bearer " + second.refresh_token}}).status == 200);
  }
}

TEST_CASE("chats: create, list with paging, members, add, remove, rename, delete") {
  Fixture fx;
  auto ann = fx.user("ann");
  auto bob = fx.user("bob");
  auto eve = fx.user("eve");
  auto created = fx.post(ann, "/api/chat/createChat",
                         R"({"chatName":"first","userNames":["ann","bob"]})");
  REQUIRE(created.status == 200);
  auto details = parse_object(created.body);
  CHECK(keys_of(details) == std::set<std::string>{"chatId", "chatName", "lastMessageTimestamp",
                                                  "lastMessage", "createdAt", "creator",
                                                  "groupChat"});
  CHECK(details["lastMessage"].IsNull());
  CHECK(std::string(details["creator"].GetString()) == ann.id);
  const std::string chat = details["chatId"].GetString();

  SECTION("creating a chat without oneself or with unknown users fails") {
    CHECK(fx.post(ann, "/api/chat/createChat", R"({"chatName":"x","userNames":["bob"]})").status ==
          400);
    CHECK(fx.post(ann, "/api/chat/createChat",
                  R"({"chatName":"x","userNames":["ann","nobody"]})").status == 404);
    CHECK(fx.post(ann, "/api/chat/createChat", R"({"chatName":1})").status == 400);
  }
  SECTION("getChats pages") {
    for (int i = 0; i < 4; ++i) fx.chat(ann, {}, "c" + std::to_string(i));
    auto page0 = parse_object(fx.get(ann, "/api/chat/getChats?page=0&size=2").body);
    auto page2 = parse_object(fx.get(ann, "/api/chat/getChats?page=2&size=2").body);
    auto all = parse_object(fx.get(ann, "/api/chat/getChats").body);
    CHECK(page0["chats"].Size() == 2);
    CHECK(page2["chats"].Size() == 1);
    CHECK(all["chats"].Size() == 5);
    CHECK(parse_object(fx.get(bob, "/api/chat/getChats").body)["chats"].Size() == 1);
    CHECK(fx.get(ann, "/api/chat/getChats?size=x").status == 400);
  }
  SECTION("members, add, remove and the membership checks") {
    auto users = parse_object(fx.get(bob, "/api/chat/getUsers/" + chat).body);
    REQUIRE(users["users"].Size() == 2);
    CHECK(keys_of(users["users"][0]) ==
          std::set<std::string>{"userId", "username", "joinedChatAt", "lastSeenMessage"});
    CHECK(users["users"][0]["lastSeenMessage"].IsNull());
    CHECK(fx.get(eve, "/api/chat/getUsers/" + chat).status == 403);
    CHECK(fx.get(eve, "/api/chat/getUsers/no-such-chat").status == 404);
    const std::string add_eve = R"({"chatId":")" + chat + R"(","newUsername":"eve"})";
    CHECK(fx.post(eve, "/api/chat/addUser", add_eve).status == 403);
    CHECK(fx.post(bob, "/api/chat/addUser", add_eve).status == 200);
    CHECK(fx.post(bob, "/api/chat/addUser", add_eve).status == 409);
    CHECK(fx.post(bob, "/api/chat/addUser",
                  R"({"chatId":")" + chat + R"(","newUsername":"ghost"})").status == 404);
    CHECK(parse_object(fx.get(eve, "/api/chat/getUsers/" + chat).body)["users"].Size() == 3);
    CHECK(fx.post(eve, "/api/chat/removeUser",
                  R"({"chatId":")" + chat + R"(","removeUser":")" + eve.id + R"("})").status ==
          200);
    CHECK(fx.get(eve, "/api/chat/getUsers/" + chat).status == 403);
    CHECK(fx.post(ann, "/api/chat/removeUser", R"({"chatId":")" + chat + "\"}").status == 400);
  }
  SECTION("rename shows in getChats; only members may rename") {
    CHECK(fx.post(eve, "/api/chat/changeName",
                  R"({"chatId":")" + chat + R"(","newChatName":"x"})").status == 403);
    REQUIRE(fx.post(bob, "/api/chat/changeName",
                    R"({"chatId":")" + chat + R"(","newChatName":"renamed"})").status == 200);
    auto list = parse_object(fx.get(ann, "/api/chat/getChats").body);
    CHECK(std::string(list["chats"][0]["chatName"].GetString()) == "renamed");
  }
  SECTION("only the creator deletes a chat") {
    CHECK(fx.del(bob, "/api/chat/deleteChat?chatId=" + chat).status == 403);
    CHECK(fx.del(eve, "/api/chat/deleteChat?chatId=" + chat).status == 403);
    CHECK(fx.del(ann, "/api/chat/deleteChat").status == 400);
    CHECK(fx.del(ann, "/api/chat/deleteChat?chatId=" + chat).status == 200);
    CHECK(fx.del(ann, "/api/chat/deleteChat?chatId=" + chat).status == 404);
    CHECK(parse_object(fx.get(bob, "/api/chat/getChats").body)["chats"].Size() == 0);
  }
  SECTION("every chat call without a JWT is 401") {
    check_problem(http(fx.port(), "GET", "/api/chat/getChats"));
    check_problem(http(fx.port(), "POST", "/api/chat/createChat", "{}"));
    check_problem(http(fx.port(), "GET", "/api/messages/getMessages/" + chat));
  }
}

TEST_CASE("history pages backwards with size and lastMessage") {
  Fixture fx;
  auto ann = fx.user("ann");
  auto eve = fx.user("eve");
  const auto chat = fx.chat(ann, {});
  auto ws = fx.connect(ann);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(ws->send_frame(send_frame(
                   R"({"type":"SEND_MSG","chatId":")" + chat + R"(","message":"m)" +
                   std::to_string(i) + R"(","timeStamp":"2024-01-15T10:30:00Z","senderId":")" +
                   ann.id + "\"}")).ok());
    auto f = ws->next("MESSAGE");
    REQUIRE(f.ok());
    ids.push_back(parse_object(f->body)["messageId"].GetString());
  }
  auto page = [&](const std::string& q) {
    auto r = fx.get(ann, "/api/messages/getMessages/" + chat + q);
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    auto doc = parse_object(r.body);
    for (const auto& m : doc["messages"].GetArray()) {
      CHECK(keys_of(m) == std::set<std::string>{"chatId", "timeStamp", "messageId", "senderId",
                                                "content", "edited", "editedAt", "replyTo",
                                                "reactions"});
      out.push_back(m["messageId"].GetString());
    }
    return out;
  };
  CHECK(page("") == ids);
  CHECK(page("?size=2") == std::vector<std::string>{ids[3], ids[4]});
  CHECK(page("?size=2&lastMessage=" + ids[3]) == std::vector<std::string>{ids[1], ids[2]});
  CHECK(page("?size=2&lastMessage=" + ids[1]) == std::vector<std::string>{ids[0]});
  CHECK(fx.get(ann, "/api/messages/getMessages/" + chat + "?lastMessage=nope").status == 404);
  CHECK(fx.get(eve, "/api/messages/getMessages/" + chat).status == 403);
  CHECK(fx.get(ann, "/api/messages/getMessages/unknown").status == 404);
}

TEST_CASE("admin calls need the API key, and faults keep absent keys unchanged") {
  Fixture fx;
  check_problem(http(fx.port(), "POST", "/__admin/faults", R"({"dropEvery":3})"));
  auto r = http(fx.port(), "POST", "/__admin/faults", R"({"dropEvery":3,"rejectMode":"error"})",
                fx.api_key());
  REQUIRE(r.status == 200);
  r = http(fx.port(), "POST", "/__admin/faults", R"({"duplicate":0.5})", fx.api_key());
  auto doc = parse_object(r.body);
  CHECK(doc["dropEvery"].GetUint() == 3);
  CHECK(doc["duplicate"].GetDouble() == 0.5);
  CHECK(std::string(doc["rejectMode"].GetString()) == "error");
  CHECK(fx.server().faults().drop_every == 3);
  CHECK(http(fx.port(), "POST", "/__admin/faults", R"({"duplicate":2})", fx.api_key()).status ==
        400);
  CHECK(http(fx.port(), "POST", "/__admin/faults", R"({"bogus":1})", fx.api_key()).status == 400);
  CHECK(http(fx.port(), "POST", "/__admin/kick", R"({"username":"ghost"})", fx.api_key())
            .status == 404);
}

}  // namespace whisp::devserver::testing
