// History pages reconcile, chat lists and member lists, and the envelope round trip.
#include "store/envelope.hpp"

#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {



std::vector<std::string> ids(const Snapshot& s) {
  std::vector<std::string> out;
  for (const auto& m : find_chat(s, "c1")->messages) out.push_back(m.message_id.value_or("-"));
  return out;
}

}  // namespace

TEST_CASE("a history page sets texts, edit flags and reactions to what it says", "[pages]") {
  auto store = memory_store();
  REQUIRE(store->commit({send("c1", "u-a", "m1", "old", 1), react("c1", "u-b", "r1", "+1", "m1"),
                         react("c1", "u-b", "r2", "ok", "m1")})
              .ok());
  auto m1 = page_msg("m1", "u-a", "new", 1);
  m1.edited = true;
  m1.edited_at = at(9);
  rest::Reaction r;
  r.reaction_id = "r2";
  r.chat_id = "c1";
  r.message_id = "m1";
  r.sender_id = "u-b";
  r.reaction = "ok";
  r.created_at = at(2);
  m1.reactions.push_back(r);
  r.reaction_id = "r3";
  r.reaction = "wow";
  m1.reactions.push_back(r);
  REQUIRE(store->commit({page({m1}, 50)}).ok());
  auto s = snapshot_of(*store);
  const auto& m = find_chat(s, "c1")->messages.at(0);
  CHECK(m.text == "new");
  CHECK(m.edited);
  CHECK(*m.edited_at == at(9).text);
  REQUIRE(m.reactions.size() == 2);
  CHECK(*m.reactions[0].reaction_id == "r2");
  CHECK(*m.reactions[1].reaction_id == "r3");
}

TEST_CASE("a known message inside a page's range but absent from it is deleted", "[pages]") {
  auto store = memory_store();
  std::vector<LogEntry> events;
  for (int i = 1; i <= 6; ++i) {
    events.push_back(send("c1", "u-a", "m" + std::to_string(i), "t", i * 10));
  }
  REQUIRE(store->commit(events).ok());
  SECTION("newest page: between its oldest and newest") {
    // The server lost m4 (deleted while we were offline); m6 is newer than the page: kept.
    REQUIRE(store->commit({page({page_msg("m3", "u-a", "t", 30), page_msg("m5", "u-a", "t", 50)},
                                2)})
                .ok());
    CHECK(ids(snapshot_of(*store)) == std::vector<std::string>{"m1", "m2", "m3", "m5", "m6"});
    auto segs = store->segments("c1");
    REQUIRE(segs->size() == 1);
    CHECK((*segs)[0].lo_message_id == "m3");
    CHECK((*segs)[0].hi_message_id == "m5");
    CHECK(!(*segs)[0].from_start);
  }
  SECTION("newest page with afterSeq: also above its newest, for what was known before it") {
    // m5 and m6 were deleted while we were away: the server's newest are now m3, m4. A live
    // m7 arrived after the request went out, so the page cannot speak of it.
    const std::int64_t requested = store->last_seq();
    REQUIRE(store->commit({send("c1", "u-a", "m7", "t", 70)}).ok());
    auto h = page({page_msg("m3", "u-a", "t", 30), page_msg("m4", "u-a", "t", 40)}, 2);
    h.after_seq = requested;
    REQUIRE(store->commit({h}).ok());
    CHECK(ids(snapshot_of(*store)) == std::vector<std::string>{"m1", "m2", "m3", "m4", "m7"});
    SECTION("an empty newest page removes what was known before it, and keeps what came after") {
      auto empty = page({}, 2);
      empty.after_seq = requested;
      REQUIRE(store->commit({empty}).ok());
      CHECK(ids(snapshot_of(*store)) == std::vector<std::string>{"m7"});
    }
  }
  SECTION("an older page: from its oldest to the cursor; a short page reaches the start") {
    REQUIRE(store->commit({page({page_msg("m2", "u-a", "t", 20)}, 10, "m4")}).ok());
    CHECK(ids(snapshot_of(*store)) == std::vector<std::string>{"m2", "m4", "m5", "m6"});
    auto segs = store->segments("c1");
    REQUIRE(segs->size() == 1);
    CHECK((*segs)[0].from_start);
    CHECK((*segs)[0].hi_message_id == "m4");
  }
  SECTION("segments merge when pages touch, and a page revives what another hid") {
    REQUIRE(store->commit({page({page_msg("m5", "u-a", "t", 50), page_msg("m6", "u-a", "t", 60)},
                                2)})
                .ok());
    REQUIRE(store->commit({page({page_msg("m3", "u-a", "t", 30), page_msg("m4", "u-a", "t", 40)},
                                2, "m5")})
                .ok());
    auto segs = store->segments("c1");
    REQUIRE(segs->size() == 1);
    CHECK((*segs)[0].lo_message_id == "m3");
    CHECK((*segs)[0].hi_message_id == "m6");
    REQUIRE(store->commit({page({page_msg("m4", "u-a", "t", 40), page_msg("m6", "u-a", "t", 60)},
                                2)})
                .ok());
    CHECK(ids(snapshot_of(*store)) == std::vector<std::string>{"m1", "m2", "m3", "m4", "m6"});
    REQUIRE(store->commit({page({page_msg("m5", "u-a", "t", 50), page_msg("m6", "u-a", "t", 60)},
                                2)})
                .ok());
    CHECK(ids(snapshot_of(*store)).size() == 6);
  }
  SECTION("a deleted message is not revived by a page") {
    REQUIRE(store->commit({del("c1", "u-a", "m6"),
                           page({page_msg("m5", "u-a", "t", 50), page_msg("m6", "u-a", "t", 60)},
                                2)})
                .ok());
    CHECK(ids(snapshot_of(*store)).back() == "m5");
  }
}

TEST_CASE("a chat list names chats and a complete pass removes vanished ones", "[pages]") {
  auto store = memory_store();
  REQUIRE(store->commit({send("c1", "u-a", "m1", "x", 1), send("c2", "u-a", "m2", "y", 1),
                         new_chat("c1", "Old")})
              .ok());
  ChatsPage p;
  p.complete = true;
  p.chats.chats.push_back(chat_details("c1", "Renamed"));
  p.pass_chat_ids = {"c1"};
  auto info = store->commit({p});
  REQUIRE(info.ok());
  CHECK(info->chat_list_changed);
  auto s = snapshot_of(*store);
  REQUIRE(s.chats.size() == 1);
  CHECK(*s.chats[0].name == "Renamed");
  // A late NEW_CHAT does not undo the listing's name; joining again brings c2 back.
  REQUIRE(store->commit({new_chat("c1", "Old"), join("c2", kSelf, "me")}).ok());
  s = snapshot_of(*store);
  REQUIRE(s.chats.size() == 2);
  CHECK(*s.chats[0].name == "Renamed");
}

TEST_CASE("a member list replaces the members and their read pointers", "[pages]") {
  auto store = memory_store();
  REQUIRE(store->commit({join("c1", "u-x", "gone"), send("c1", "u-a", "m1", "x", 1),
                         send("c1", "u-a", "m2", "y", 2)})
              .ok());
  MembersPage mp;
  mp.chat_id = "c1";
  rest::ChatUserInfo u;
  u.user_id = "u-a";
  u.username = "alice";
  u.joined_chat_at = at(0);
  u.last_seen_message = "m2";
  mp.users.users.push_back(u);
  u.user_id = kSelf;
  u.username = "me";
  u.last_seen_message = "m1";
  mp.users.users.push_back(u);
  REQUIRE(store->commit({mp}).ok());
  auto s = snapshot_of(*store);
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c->members.size() == 2);
  CHECK(c->members[0].user_id == "u-a");
  CHECK(*c->members[0].last_read_message_id == "m2");
  CHECK(*c->members[1].last_read_message_id == "m1");
  CHECK(c->unread_count == 1);
}

TEST_CASE("every entry kind survives its envelope unchanged", "[envelope]") {
  LocalIntent li;
  li.local_id = "L1";
  li.made_at = at(3);
  li.what = intent::Reply{"c1", Target{std::nullopt, "L0"}, "t\"ext\n"};
  ChatsPage cp;
  cp.page = 2;
  cp.after_seq = 41;
  cp.complete = true;
  cp.pass_chat_ids = {"a", "b"};
  MembersPage mp;
  mp.chat_id = "c1";
  std::vector<LogEntry> entries = {page({page_msg("m1", "u", "x", 1)}, 5, "m9"), cp, mp, li,
                                   OutboxTransition{"L1", OutboxTransition::State::failed, "no"},
                                   send("c1", "u-a", "m1", "x", 1)};
  for (const auto& e : entries) {
    std::string line = encode_entry(e);
    auto back = decode_entry(line);
    INFO(line);
    REQUIRE(back.ok());
    CHECK(back->index() == e.index());
    CHECK(encode_entry(*back) == line);
  }
  SECTION("a bare event keeps its bytes exactly") {
    std::string raw = R"({ "type":"SEND_MSG","chatId":"c","recipientId":"s","senderId":"u",)"
                      R"("messageId":"m","message":"\u00e9","timeStamp":"2024-01-15T10:30:00Z"})";
    auto e = decode_entry(raw);
    REQUIRE(e.ok());
    CHECK(std::get<LiveEvent>(*e).json == raw);
    CHECK(encode_entry(*e) == raw);
  }
  SECTION("bad envelopes name the field") {
    CHECK(decode_entry(R"({"entry":"intent","localId":"x"})").error().message ==
          "intent.madeAt: missing");
    CHECK(decode_entry(R"({"entry":"outbox","localId":1,"state":"sent"})").error().message ==
          "outbox.localId: expected string");
    CHECK(decode_entry(R"({"entry":"bogus"})").error().code == ErrorCode::invalid_value);
    CHECK(decode_entry("{nope").error().code == ErrorCode::malformed_json);
  }
}

TEST_CASE("a REST result requested before a live event does not undo it", "[pages]") {
  auto store = memory_store();
  REQUIRE(store->commit({send("c1", "u-a", "m1", "x", 1), join("c1", "u-a", "alice")}).ok());
  const std::int64_t requested = store->last_seq();  // the requests go out here
  // Then, live: a reaction, a member leaving, a new chat, a join of another.
  REQUIRE(store->commit({react("c1", "u-a", "r1", "+1", "m1"), leave("c1", "u-a"),
                         new_chat("c2", "Brand new"), join("c1", "u-b", "bob")})
              .ok());
  // The results, which predate all of that, arrive.
  auto h = page({page_msg("m1", "u-a", "x", 1)}, 50);
  h.after_seq = requested;
  MembersPage mp;
  mp.after_seq = requested;
  mp.chat_id = "c1";
  rest::ChatUserInfo u;
  u.user_id = "u-a";
  u.username = "alice";
  u.joined_chat_at = at(0);
  mp.users.users.push_back(u);
  ChatsPage cp;
  cp.after_seq = requested;
  cp.complete = true;
  rest::ChatDetails d;
  d.chat_id = "c1";
  d.chat_name = "One";
  d.created_at = at(0);
  d.creator = "u-a";
  cp.chats.chats.push_back(d);
  cp.pass_chat_ids = {"c1"};
  REQUIRE(store->commit({h, mp, cp}).ok());
  auto s = snapshot_of(*store);
  REQUIRE(s.chats.size() == 2);  // c2 did not vanish
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c);
  REQUIRE(c->messages.size() == 1);
  CHECK(c->messages[0].reactions.size() == 1);  // r1 stays
  REQUIRE(c->members.size() == 1);               // alice stays gone, bob stays in
  CHECK(c->members[0].user_id == "u-b");

  SECTION("the same results requested after the events do undo them") {
    h.after_seq = store->last_seq();
    mp.after_seq = h.after_seq;
    cp.after_seq = h.after_seq;
    REQUIRE(store->commit({h, mp, cp}).ok());
    auto later = snapshot_of(*store);
    REQUIRE(later.chats.size() == 1);
    const ChatView* c1 = find_chat(later, "c1");
    CHECK(c1->messages[0].reactions.empty());
    REQUIRE(c1->members.size() == 1);
    CHECK(c1->members[0].user_id == "u-a");
  }
}

namespace {

MembersPage members_pointing(const std::string& user, std::optional<std::string> last_seen,
                             std::optional<std::int64_t> after_seq) {
  MembersPage mp;
  mp.chat_id = "c1";
  mp.after_seq = after_seq;
  rest::ChatUserInfo u;
  u.user_id = user;
  u.username = "bob";
  u.joined_chat_at = at(0);
  u.last_seen_message = last_seen;
  mp.users.users.push_back(u);
  return mp;
}

std::optional<std::string> pointer_of(Store& store, const std::string& user) {
  const Snapshot s = snapshot_of(store);
  for (const auto& m : find_chat(s, "c1")->members) {
    if (m.user_id == user) return m.last_read_message_id;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("a member list's read pointer at a message this store never saw is shown as listed",
          "[pages][reads]") {
  // bob read m2, which was then deleted before this engine saw it: no history page will ever
  // list it, yet the server's member list points at it.
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "one", 1),
                  read("c1", "u-b", "m1")});
  REQUIRE(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
  commit(*store, {members_pointing("u-b", "m2", store->last_seq())});
  CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m2"));

  SECTION("a later message bob reads takes over") {
    commit(*store, {send("c1", "u-a", "m3", "three", 3), read("c1", "u-b", "m3")});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m3"));
  }
  SECTION("a read of a message known before the list does not hide the listed one") {
    commit(*store, {send("c1", "u-a", "m0", "zero", 0), read("c1", "u-b", "m0"),
                    read("c1", "u-b", "m1")});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m2"));
  }
  SECTION("once m2 turns up, the pointer is at it by position") {
    commit(*store, {send("c1", "u-a", "m2", "two", 2)});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m2"));
    commit(*store, {send("c1", "u-a", "m3", "three", 3), read("c1", "u-b", "m3")});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m3"));
  }
  SECTION("a newer list at a known message replaces it") {
    commit(*store, {send("c1", "u-a", "m4", "four", 4)});
    commit(*store, {members_pointing("u-b", "m4", store->last_seq())});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m4"));
  }
}

TEST_CASE("a member list requested before a live read does not undo it, even pointing at an "
          "unknown message", "[pages][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "one", 1)});
  const std::int64_t requested = store->last_seq();
  commit(*store, {send("c1", "u-a", "m3", "three", 3), read("c1", "u-b", "m3")});
  commit(*store, {members_pointing("u-b", "m2", requested)});
  CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m3"));
}

TEST_CASE("a member list pointing at an unknown message, with no pointer before, shows it",
          "[pages][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "one", 1)});
  commit(*store, {members_pointing("u-b", "m2", store->last_seq())});
  CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m2"));
  commit(*store, {read("c1", "u-b", "m1")});  // known before the list: m2 may be newer
  CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m2"));
  commit(*store, {send("c1", "u-a", "m5", "five", 5), read("c1", "u-b", "m5")});
  CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m5"));
}

TEST_CASE("after a listed read pointer, live reads give the same pointer in any order",
          "[pages][reads]") {
  // A known at the list's time; C said and read after it. Reading A (older, known before the
  // list) in between must not change which read clears the listed id.
  const std::vector<std::vector<LogEntry>> orders = {
      {read("c1", "u-b", "mA"), send("c1", "u-a", "mC", "c", 3), read("c1", "u-b", "mC")},
      {send("c1", "u-a", "mC", "c", 3), read("c1", "u-b", "mA"), read("c1", "u-b", "mC")},
      {send("c1", "u-a", "mC", "c", 3), read("c1", "u-b", "mC"), read("c1", "u-b", "mA")},
  };
  for (std::size_t i = 0; i < orders.size(); ++i) {
    INFO("order " << i);
    auto store = memory_store();
    commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "mA", "a", 1)});
    commit(*store, {members_pointing("u-b", "mX", store->last_seq())});
    REQUIRE(pointer_of(*store, "u-b") == std::optional<std::string>("mX"));
    commit(*store, orders[i]);
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("mC"));
  }
}

TEST_CASE("a member list requested before another does not clear the newer one's listed pointer",
          "[pages][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "mA", "a", 1)});
  const std::int64_t first_request = store->last_seq();
  commit(*store, {members_pointing("u-b", "mX", store->last_seq())});  // the newer list
  commit(*store, {members_pointing("u-b", "mA", first_request)});      // the older one, late
  CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("mX"));
}

TEST_CASE("a page does not mark gone a message inside its range that arrived after its request",
          "[pages]") {
  // The server reads its clock when an action arrives, not when it stores it: m2 got an
  // earlier time than m3 but was stored after the page was answered; this engine heard of it
  // live before the page was applied.
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "one", 1), send("c1", "u-a", "m3", "three", 3)});
  const std::int64_t requested = store->last_seq();
  commit(*store, {send("c1", "u-a", "m2", "two", 2)});
  auto h = page({page_msg("m1", "u-a", "one", 1), page_msg("m3", "u-a", "three", 3)}, 50);
  h.after_seq = requested;
  commit(*store, {h});
  const Snapshot s = snapshot_of(*store);
  CHECK(find_message(*find_chat(s, "c1"), "m2") != nullptr);
  // Without the stamp (a page of unknown age), the page is the whole truth: m2 goes.
  auto old = page({page_msg("m1", "u-a", "one", 1), page_msg("m3", "u-a", "three", 3)}, 50);
  commit(*store, {old});
  const Snapshot after = snapshot_of(*store);
  CHECK(find_message(*find_chat(after, "c1"), "m2") == nullptr);
}

// A page answered before an own delete or unreact reached the server cannot confirm it: a
// message or reaction the engine learned after the request may be newer than the page. Found
// by the own-actions property test: such a page delivered the delete, so its failure later left
// the message hidden although the server holds it.
TEST_CASE("a history page requested before a message or reaction was known confirms no removal of it",
          "[pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m0", "theirs", 1)});
  const std::int64_t requested = store->last_seq();
  commit(*store, {send("c1", kSelf, "m1", "mine", 2), react("c1", kSelf, "r1", "+1", "m0"),
                  intent_of("L1", intent::Delete{"c1", server("m1")}),
                  intent_of("L2", intent::Unreact{"c1", server("r1")}),
                  moved("L1", OutboxTransition::State::sent),
                  moved("L2", OutboxTransition::State::sent)});
  bool m0_listed = true;
  SECTION("the newest page") {
    HistoryPage h = page({page_msg("m0", "u-a", "theirs", 1)}, 50);
    h.after_seq = requested;
    commit(*store, {h});
  }
  SECTION("an empty newest page (m0, known before the request, is gone)") {
    HistoryPage h = page({}, 50);
    h.after_seq = requested;
    commit(*store, {h});
    m0_listed = false;
  }
  // Both still wait for the server: when they fail, what they hid shows again.
  commit(*store, {moved("L1", OutboxTransition::State::unconfirmed, "not confirmed"),
                  moved("L2", OutboxTransition::State::unconfirmed, "not confirmed")});
  auto s = snapshot_of(*store);
  const ChatView* c = find_chat(s, "c1");
  REQUIRE(c != nullptr);
  const MessageView* m1 = find_message(*c, "m1");
  CHECK(m1 != nullptr);
  const MessageView* m0 = find_message(*c, "m0");
  CHECK((m0 != nullptr) == m0_listed);
  if (m0) CHECK(m0->reactions.size() == 1);
}

// The server keeps a read pointer per membership: a member removed and added back has none until
// they read again, and its member list says so (lastSeenMessage null). Here the engine missed
// the removal and the adding back (offline); seen live, the join ends the old pointer itself.
TEST_CASE("a member list with no read pointer for a member clears the one held", "[pages][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "one", 1),
                  read("c1", "u-b", "m1")});
  REQUIRE(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
  SECTION("a list requested after the read clears it") {
    commit(*store, {members_pointing("u-b", std::nullopt, store->last_seq())});
    CHECK(pointer_of(*store, "u-b") == std::nullopt);
    commit(*store, {read("c1", "u-b", "m1")});  // and a new read sets it again
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
  }
  SECTION("a list requested before a live read keeps that read") {
    const std::int64_t requested = store->last_seq();
    commit(*store, {send("c1", "u-a", "m2", "two", 2), read("c1", "u-b", "m2")});
    commit(*store, {members_pointing("u-b", std::nullopt, requested)});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m2"));
  }
}

// A read of a message not known yet waits for it (held_reads). A member list requested after
// that read holds the server's pointer as it was then: the held read is part of it, or a
// removal undid it, so it must not move the pointer when the message arrives. (The engine
// missed the removal and the adding back, offline: seen live, the join drops the held read.)
TEST_CASE("a member list supersedes the member's reads held before its request",
          "[pages][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "one", 1),
                  read("c1", "u-b", "m9")});
  SECTION("a list with no pointer: the member was added back") {
    commit(*store, {members_pointing("u-b", std::nullopt, store->last_seq())});
    commit(*store, {send("c1", "u-a", "m9", "nine", 9)});
    CHECK(pointer_of(*store, "u-b") == std::nullopt);
  }
  SECTION("a list pointing at an older message") {
    commit(*store, {members_pointing("u-b", "m1", store->last_seq())});
    commit(*store, {send("c1", "u-a", "m9", "nine", 9)});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
  }
  SECTION("a read held after the request stays held") {
    const std::int64_t requested = store->last_seq();
    commit(*store, {read("c1", "u-b", "m8")});
    commit(*store, {members_pointing("u-b", std::nullopt, requested)});
    commit(*store, {send("c1", "u-a", "m8", "eight", 8), send("c1", "u-a", "m9", "nine", 9)});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m8"));
  }
}

// The server keeps a read pointer per membership and moves it forward only. A member who read m9,
// was removed and added back, then read m1, points at m1: live, the join ends the old pointer;
// offline, the member list's word replaces what was set before its request.
TEST_CASE("a member added back points where the new membership read, not further",
          "[pages][reads]") {
  auto store = memory_store();
  commit(*store, {join("c1", "u-b", "bob"), send("c1", "u-a", "m1", "one", 1),
                  send("c1", "u-a", "m9", "nine", 9), read("c1", "u-b", "m9")});
  REQUIRE(pointer_of(*store, "u-b") == std::optional<std::string>("m9"));
  SECTION("live: leave, join, read") {
    commit(*store, {read("c1", "u-b", "m20"),  // held: m20 is not known yet
                    leave("c1", "u-b"), join("c1", "u-b", "bob")});
    CHECK(pointer_of(*store, "u-b") == std::nullopt);
    commit(*store, {send("c1", "u-a", "m20", "twenty", 20)});  // the old membership's read
    CHECK(pointer_of(*store, "u-b") == std::nullopt);
    commit(*store, {read("c1", "u-b", "m1")});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
    commit(*store, {join("c1", "u-b", "bob")});  // a duplicate join ends nothing
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
  }
  SECTION("offline: the member list says m1") {
    commit(*store, {members_pointing("u-b", "m1", store->last_seq())});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m1"));
  }
  SECTION("a read after the list's request still counts") {
    const std::int64_t requested = store->last_seq();
    commit(*store, {send("c1", "u-a", "m10", "ten", 10), read("c1", "u-b", "m10")});
    commit(*store, {members_pointing("u-b", "m1", requested)});
    CHECK(pointer_of(*store, "u-b") == std::optional<std::string>("m10"));
  }
}

// Another device of the user took the reaction back while this one's unreact waited: the page
// lacks it, so the reaction is gone for good, even if this unreact then fails.
TEST_CASE("a history page lacking a reaction an own unreact hides removes it for good",
          "[pages]") {
  auto store = memory_store();
  commit(*store, {send("c1", "u-a", "m1", "one", 1), react("c1", kSelf, "r1", "+1", "m1"),
                  intent_of("L1", intent::Unreact{"c1", server("r1")})});
  HistoryPage h = page({page_msg("m1", "u-a", "one", 1)}, 50);
  h.after_seq = store->last_seq();
  commit(*store, {h});
  commit(*store, {moved("L1", OutboxTransition::State::failed, "refused")});
  auto s = snapshot_of(*store);
  REQUIRE(find_chat(s, "c1")->messages.size() == 1);
  CHECK(find_chat(s, "c1")->messages[0].reactions.empty());
}
