// Live views against the dev server: alice's chat subscription delivers a diff per commit while
// bob sends, edits, reacts, types and deletes and alice sends her own message; the diff stream,
// replayed onto the first snapshot, equals the last snapshot.
#include "whisp/live.hpp"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "harness.hpp"

using namespace whisp;
using namespace whisp::test;

namespace {

// Everything a chat subscription delivered, with a wait on a condition (never a sleep).
class Recorder {
 public:
  void add(const ChatUpdate& u) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      updates_.push_back(u);
    }
    changed_.notify_all();
  }
  void add_list(std::shared_ptr<const ChatListSnapshot> l) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lists_.push_back(std::move(l));
    }
    changed_.notify_all();
  }
  // Waits until `pred(latest snapshot)` holds; false after the timeout.
  bool wait(ChatSubscription& sub, const std::function<bool(const ChatSnapshot&)>& pred,
            std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return pred(*sub.current()); });
  }
  bool wait_list(const std::function<bool(const ChatListSnapshot&)>& pred,
                 std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return !lists_.empty() && pred(*lists_.back()); });
  }
  std::vector<ChatUpdate> updates() {
    std::lock_guard<std::mutex> lock(mutex_);
    return updates_;
  }
  // The subscription sets current() before its callback hands the update to add(): after a wait
  // on current(), the last update may not be recorded yet. Waits until it is (the last update
  // recorded carries current()), then returns every update so far.
  bool caught_up(ChatSubscription& sub, std::vector<ChatUpdate>& out,
                 std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::unique_lock<std::mutex> lock(mutex_);
    bool ok = changed_.wait_for(lock, timeout, [&] {
      return !updates_.empty() && updates_.back().snapshot == sub.current();
    });
    out = updates_;
    return ok;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ChatUpdate> updates_;
  std::vector<std::shared_ptr<const ChatListSnapshot>> lists_;
};

const Message* by_text(const ChatSnapshot& s, const std::string& text) {
  for (const auto& m : s.messages) {
    if (m.text == text) return &m;
  }
  return nullptr;
}

bool has_key(const std::vector<std::string>& keys, const std::string& key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::string normalized(ChatSnapshot s) {
  s.seq = 0;
  return s.to_json();
}

}  // namespace

TEST_CASE("a chat's diff stream replayed onto its first snapshot equals its last snapshot") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  auto bob = TestEngine::start(*server, "bob", dir.file("bob.db"));
  REQUIRE(alice->engine().wait_idle(std::chrono::seconds(15)));
  REQUIRE(bob->engine().wait_idle(std::chrono::seconds(15)));
  const std::string chat = server->seeded_chat_id();
  const std::string bob_id = bob->engine().user_id();

  Recorder rec;
  auto sub = ChatSubscription::open(alice->engine(), chat, {50},
                                    [&](const ChatUpdate& u) { rec.add(u); });
  REQUIRE(sub.ok());
  auto list = ChatListSubscription::open(
      alice->engine(), [&](std::shared_ptr<const ChatListSnapshot> l) { rec.add_list(std::move(l)); });
  REQUIRE(list.ok());
  const auto first = (*sub)->current();
  REQUIRE(first->exists);
  REQUIRE(first->name == std::optional<std::string>("Welcome to Whisp"));
  REQUIRE(by_text(*first, "Hey alice, glad to be here"));

  // Bob: a message, an edit of it, a reaction to it, typing, a second message, a deletion.
  auto& b = bob->engine();
  REQUIRE(b.send_message(chat, "one from bob").ok());
  REQUIRE(rec.wait(**sub, [](const ChatSnapshot& s) { return by_text(s, "one from bob"); }));
  const std::string bob_msg = *by_text(*(*sub)->current(), "one from bob")->message_id;
  REQUIRE(b.edit_message(chat, ItemRef::server(bob_msg), "one from bob, edited").ok());
  REQUIRE(b.react(chat, ItemRef::server(bob_msg), "\xF0\x9F\x8E\x89").ok());
  REQUIRE(rec.wait(**sub, [](const ChatSnapshot& s) {
    auto* m = by_text(s, "one from bob, edited");
    return m && m->edited && m->reactions.size() == 1;
  }));
  REQUIRE(b.typing(chat).ok());
  REQUIRE(rec.wait(**sub, [&](const ChatSnapshot& s) { return s.typing == std::vector<std::string>{bob_id}; }));
  REQUIRE(b.send_message(chat, "two from bob").ok());
  REQUIRE(rec.wait(**sub, [](const ChatSnapshot& s) {
    return by_text(s, "two from bob") && s.typing.empty();  // his message ends his typing
  }));
  REQUIRE(b.delete_message(chat, ItemRef::server(bob_msg)).ok());
  REQUIRE(rec.wait(**sub, [](const ChatSnapshot& s) { return !by_text(s, "one from bob, edited"); }));

  // Alice's own message: pending (or sent) first, then delivered under the same key.
  auto local = alice->engine().send_message(chat, "alice here");
  REQUIRE(local.ok());
  REQUIRE(rec.wait(**sub, [](const ChatSnapshot& s) {
    auto* m = by_text(s, "alice here");
    return m && m->status == MessageStatus::delivered;
  }));
  REQUIRE(alice->engine().wait_idle(std::chrono::seconds(15)));

  // Each wait above saw a state the one before it did not have, so there is at least one update
  // per wait; more when commits are not coalesced (alice's pending and sent states, bob's edit
  // and reaction arriving apart).
  std::vector<ChatUpdate> updates;
  REQUIRE(rec.caught_up(**sub, updates));
  REQUIRE(updates.size() >= 6);
  const auto last = updates.back().snapshot;  // current() when the updates were taken

  SECTION("replaying every diff onto the first snapshot gives each snapshot and the last one") {
    ChatSnapshot replayed = *first;
    for (std::size_t i = 0; i < updates.size(); ++i) {
      INFO("update " << i << ": " << updates[i].diff.to_json());
      REQUIRE(updates[i].diff.from_seq == replayed.seq);
      auto next = apply(replayed, updates[i].diff);
      REQUIRE(next.ok());
      replayed = std::move(next).value();
      REQUIRE(same(replayed, *updates[i].snapshot));
      REQUIRE(updates[i].snapshot->seq >= (i ? updates[i - 1].snapshot->seq : first->seq));
    }
    REQUIRE(same(replayed, *last));
    // And the last snapshot is what a fresh read of the store shows.
    auto fresh = chat_snapshot(alice->engine(), chat, 50);
    REQUIRE(fresh.ok());
    CHECK(normalized(replayed) == normalized(*fresh));
  }

  SECTION("the own message keeps its key from pending to delivered: updates, never remove+insert") {
    const std::string key = *local;
    int inserted = 0, updated = 0;
    bool inserted_delivered = false;  // the intent's and the echo's commits reached it as one
    for (const auto& u : updates) {
      REQUIRE_FALSE(has_key(u.diff.removed, key));
      for (const auto& ins : u.diff.inserted) {
        if (ins.message.key != key) continue;
        ++inserted;
        inserted_delivered = ins.message.status == MessageStatus::delivered;
      }
      for (const auto& up : u.diff.updated) updated += up.message.key == key;
    }
    CHECK(inserted == 1);
    if (!inserted_delivered) CHECK(updated >= 1);
    const auto* m = by_text(*last, "alice here");
    REQUIRE(m);
    CHECK(m->key == key);
    CHECK(m->message_id.has_value());
  }

  SECTION("bob's deletion is a removal of his message's key, his edit and reaction updates") {
    bool removed = false, edited = false, reacted = false;
    for (const auto& u : updates) {
      removed |= has_key(u.diff.removed, bob_msg);
      for (const auto& up : u.diff.updated) {
        if (up.message.key != bob_msg) continue;
        edited |= up.message.edited;
        reacted |= !up.message.reactions.empty();
      }
    }
    CHECK(removed);
    CHECK(edited);
    CHECK(reacted);
  }

  SECTION("the chat list shows the last message first, with typing and unread counts") {
    REQUIRE(rec.wait_list([&](const ChatListSnapshot& l) {
      return !l.chats.empty() && l.chats.front().chat_id == chat && l.chats.front().last_message &&
             l.chats.front().last_message->text == "alice here";
    }));
    auto now = chat_list(alice->engine());
    REQUIRE(now.ok());
    REQUIRE_FALSE(now->chats.empty());
    CHECK(now->chats.front().name == std::optional<std::string>("Welcome to Whisp"));
    CHECK(now->to_json().find("\"typing\":[]") != std::string::npos);
  }
}

TEST_CASE("a chat window shows the newest messages and loads older ones from the store first") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  REQUIRE(alice->engine().wait_idle(std::chrono::seconds(15)));
  const std::string chat = server->seeded_chat_id();
  auto all = chat_snapshot(alice->engine(), chat, 0);
  REQUIRE(all.ok());
  const auto total = all->messages.size();
  REQUIRE(total >= 3);

  Recorder rec;
  auto sub = ChatSubscription::open(alice->engine(), chat, {2}, [&](const ChatUpdate& u) { rec.add(u); });
  REQUIRE(sub.ok());
  auto first = (*sub)->current();
  REQUIRE(first->messages.size() == 2);
  CHECK(first->has_older);
  CHECK(first->messages.back().key == all->messages.back().key);

  auto one = (*sub)->load_older(1);
  REQUIRE(one.ok());
  CHECK(*one == 1);
  auto updates = rec.updates();
  REQUIRE(updates.size() == 1);
  REQUIRE(updates[0].diff.inserted.size() == 1);
  CHECK(updates[0].diff.inserted[0].index == 0);
  CHECK(updates[0].diff.inserted[0].message.key == all->messages[total - 3].key);

  // Everything the store holds, then the server: the seeded chat has nothing older.
  auto rest = (*sub)->load_older(100);
  REQUIRE(rest.ok());
  CHECK(*rest == static_cast<int>(total - 3));
  CHECK((*sub)->current()->messages.size() == total);
  CHECK_FALSE((*sub)->current()->has_older);

  auto page = latest_messages(alice->engine(), chat, 2);
  REQUIRE(page.ok());
  REQUIRE(page->messages.size() == 2);
  auto older = messages_before(alice->engine(), chat, *page->messages.front().message_id, 10);
  REQUIRE(older.ok());
  CHECK(older->messages.size() == total - 2);
  CHECK_FALSE(older->has_older);
}

TEST_CASE("a subscription to a chat that does not exist reports it as absent, and bad options fail") {
  auto server = start_server();
  TempDir dir;
  auto alice = TestEngine::start(*server, "alice", dir.file("alice.db"));
  auto sub = ChatSubscription::open(alice->engine(), "no-such-chat", {}, {});
  REQUIRE(sub.ok());
  CHECK_FALSE((*sub)->current()->exists);
  CHECK((*sub)->current()->messages.empty());
  auto bad = ChatSubscription::open(alice->engine(), "", {}, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  auto zero = ChatSubscription::open(alice->engine(), "x", {0}, {});
  REQUIRE_FALSE(zero.ok());
}
