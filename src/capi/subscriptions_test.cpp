#include "capi/subscriptions.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "capi/chat_diff.hpp"

// ChatSubscriptions driven by plain std::threads and a fake Fetch, so that ThreadSanitizer sees
// every synchronization involved (CAF is not linked). The test's own bookkeeping shared between
// threads uses relaxed atomics only: it adds no happens-before edge of its own, so the
// per-subscription state the callbacks keep (plain members, touched on the subscriber's thread
// for the first delivery and on the "engine" thread afterwards) is ordered by the product's
// locking alone, and TSan reports it if that locking is missing.
namespace {

using whisp::Change;
using whisp::Error;
using whisp::ErrorCode;
using whisp::Result;
using whisp::capi::ChatSubscriptions;
constexpr auto relaxed = std::memory_order_relaxed;

/// Waits (yielding, never sleeping) until `done()` holds or two seconds passed.
template <typename Pred>
bool wait_until(Pred done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

/// The snapshot JSON of one chat as the engine produces it (`{"userId", "chats": [chat]}`),
/// a function of a commit counter `n`: the name carries `n` (every commit changes the chat), the
/// message count and the texts vary with it, so the diffs hold inserts, removals and updates.
std::string snapshot_of(const std::string& chat_id, long n) {
  std::string out = R"({"userId":"u","chats":[{"chatId":")" + chat_id + R"(","name":"v)" +
                    std::to_string(n) + R"(","unreadCount":)" + std::to_string(n % 3) +
                    R"(,"members":["u","w"],"typing":[],"messages":[)";
  long count = 1 + n % 6;
  for (long i = 0; i < count; ++i) {
    out += (i ? "," : "");
    out += R"({"messageId":"m)" + std::to_string(i) + R"(","localId":null,"senderId":"u","text":"t)" +
           std::to_string(n / (i + 1)) + R"(","status":"delivered"})";
  }
  return out + "]}]}";
}

std::string serialize(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

/// Violations seen inside callbacks (Catch2's assertions are not thread-safe: callbacks count,
/// the test thread checks after joining).
struct Stats {
  std::atomic<int> after_close{0};    // a callback ran after its unsubscribe returned
  std::atomic<int> overlapping{0};    // two deliveries of one subscription at once
  std::atomic<int> backwards{0};      // a snapshot or diff version older than the last one
  std::atomic<int> bad_diff{0};       // replaying the diff did not give the snapshot's messages
  std::atomic<int> deliveries{0};
  std::atomic<int> engine_deliveries{0};  // deliveries of a commit (diff version > 0)
};

/// One subscription's user_data.
struct Watch {
  explicit Watch(Stats& s) : stats(&s) {}
  Stats* stats;
  std::atomic<bool> closed{false};  // set right after unsubscribe (or a failed subscribe) returns
  std::atomic<int> inside{0};
  std::atomic<int> engine_deliveries{0};
  std::function<void(Watch&)> hook;  // runs inside the callback after the bookkeeping, if set
  // Touched only inside the callback: ordered by the product's locking.
  long last_snapshot = -1;
  long last_version = -1;
  std::string messages = "[]";  // the replay of every diff so far
  int deliveries = 0;
};

void on_chat(void* user_data, const char* snapshot_json, const char* diff_json) {
  auto& w = *static_cast<Watch*>(user_data);
  Stats& s = *w.stats;
  if (w.closed.load(relaxed)) s.after_close.fetch_add(1, relaxed);
  if (w.inside.fetch_add(1, relaxed) != 0) s.overlapping.fetch_add(1, relaxed);

  rapidjson::Document snap, diff;
  snap.Parse(snapshot_json);
  diff.Parse(diff_json);
  long n = -1;
  std::string now_messages;
  if (!snap.HasParseError() && snap["chats"].Size() == 1) {
    n = std::stol(std::string(snap["chats"][0]["name"].GetString()).substr(1));
    now_messages = serialize(snap["chats"][0]["messages"]);
  }
  long version = diff.HasParseError() ? -1 : diff["version"].GetInt64();
  if (n <= w.last_snapshot || version < w.last_version) s.backwards.fetch_add(1, relaxed);
  auto replayed = whisp::capi::apply_chat_diff(w.messages, diff_json);
  if (!replayed || *replayed != now_messages) s.bad_diff.fetch_add(1, relaxed);
  if (replayed) w.messages = *replayed;
  w.last_snapshot = n;
  w.last_version = version;
  ++w.deliveries;
  s.deliveries.fetch_add(1, relaxed);
  if (version > 0) {
    s.engine_deliveries.fetch_add(1, relaxed);
    w.engine_deliveries.fetch_add(1, relaxed);
  }
  if (w.hook) w.hook(w);
  w.inside.fetch_sub(1, relaxed);
}

/// The fake engine state behind Fetch: a commit counter; reads fail while `failing` holds.
struct FakeChats {
  std::atomic<long> counter{0};
  std::function<bool(long n)> failing = [](long) { return false; };
  std::atomic<int> failed_reads{0};

  ChatSubscriptions::Fetch fetch() {
    return [this](const std::string& chat_id) -> Result<std::string> {
      long n = counter.load(relaxed);
      if (failing(n)) {
        failed_reads.fetch_add(1, relaxed);
        return Error{ErrorCode::storage_error, "snapshot: store unavailable (test)"};
      }
      return snapshot_of(chat_id, n);
    };
  }
  /// One commit touching `chat_ids` (by default a mix that varies with the commit): bumps the
  /// counter and tells the subscriptions.
  void commit(ChatSubscriptions& subs, std::vector<std::string> chat_ids = {}) {
    long seq = counter.fetch_add(1, relaxed) + 1;
    Change change;
    change.seq = seq;
    change.chat_ids = std::move(chat_ids);
    if (change.chat_ids.empty()) {
      switch (seq % 4) {
        case 0: change.chat_ids = {"a", "b"}; break;
        case 1: change.chat_ids = {"c"}; break;
        case 2: change.chat_list_changed = true; break;
        default: change.chat_ids = {"b", "c", "x"}; break;
      }
    }
    subs.on_change(change);
  }
};

/// Makes `n` commits touching `chat_ids` on a thread of their own, as the engine's callback
/// thread would, and fails the test if they have not returned within 2 s (`why`: what hung).
void commit_on_engine_thread(FakeChats& chats, ChatSubscriptions& subs, int n,
                             const std::vector<std::string>& chat_ids, const char* why) {
  auto done = std::make_shared<std::atomic<bool>>(false);  // outlives a detached thread
  std::thread engine([&chats, &subs, n, chat_ids, done] {
    for (int i = 0; i < n; ++i) chats.commit(subs, chat_ids);
    done->store(true, relaxed);
  });
  if (!wait_until([&] { return done->load(relaxed); })) {
    engine.detach();  // deadlocked inside on_change: nothing left to join
    FAIL("on_change did not return within 2 s: " << why);
  }
  engine.join();
}

void check_clean(const Stats& s) {
  CHECK(s.after_close.load() == 0);
  CHECK(s.overlapping.load() == 0);
  CHECK(s.backwards.load() == 0);
  CHECK(s.bad_diff.load() == 0);
}

}  // namespace

TEST_CASE("no callback runs after its unsubscribe returns, and deliveries of one subscription "
          "come one at a time in version order, while subscribers churn beside the engine thread") {
  FakeChats chats;
  ChatSubscriptions subs(chats.fetch());
  Stats stats;
  constexpr int kSubscribers = 3;
  constexpr int kRounds = 60;
  std::atomic<int> subscribers_left{kSubscribers};
  std::atomic<int> subscribe_errors{0};
  std::atomic<int> starved{0};  // waited two seconds for a commit's delivery in vain

  std::thread engine([&] {
    while (subscribers_left.load(relaxed) > 0) chats.commit(subs);
  });
  std::vector<std::deque<Watch>> watches(kSubscribers);  // user_data outlives the test's threads
  std::vector<std::thread> subscribers;
  for (int t = 0; t < kSubscribers; ++t) {
    subscribers.emplace_back([&, t] {
      const char* ids[] = {"a", "b", "c"};
      for (int i = 0; i < kRounds; ++i) {
        // Threads 0 and 1 subscribe to the same chat each round, thread 2 to another one.
        Watch& w = watches[t].emplace_back(stats);
        auto id = subs.subscribe(ids[(i + (t == 2 ? 1 : 0)) % 3], on_chat, &w);
        if (!id) {
          subscribe_errors.fetch_add(1, relaxed);
          continue;
        }
        if (i % 3 == 0) {
          // Stay until a commit was delivered, so unsubscribe also meets deliveries in flight.
          if (!wait_until([&] { return w.engine_deliveries.load(relaxed) > 0; })) {
            starved.fetch_add(1, relaxed);
          }
        } else {
          for (int k = 0; k < i % 7; ++k) std::this_thread::yield();
        }
        subs.unsubscribe(*id);
        w.closed.store(true, relaxed);
      }
      subscribers_left.fetch_sub(1, relaxed);
    });
  }
  for (auto& s : subscribers) s.join();
  engine.join();

  check_clean(stats);
  CHECK(subscribe_errors.load() == 0);
  CHECK(starved.load() == 0);
  // Every subscription got its first snapshot; at least one in three also got a commit.
  for (const auto& per_thread : watches) {
    for (const auto& w : per_thread) CHECK(w.deliveries >= 1);
  }
  CHECK(stats.engine_deliveries.load() >= kSubscribers * kRounds / 3);
  CHECK(stats.deliveries.load() > stats.engine_deliveries.load());
}

// whisp.h forbids calling whisp_unsubscribe from inside that subscription's own callback (it
// would wait for itself); unsubscribing another subscription from a callback is allowed.
TEST_CASE("a callback may unsubscribe another subscription, which then never runs again, not even "
          "for the commit being delivered") {
  FakeChats chats;
  ChatSubscriptions subs(chats.fetch());
  Stats stats;
  Watch a(stats), b(stats);
  auto id_a = subs.subscribe("a", on_chat, &a);  // the older one: delivered first in a commit
  auto id_b = subs.subscribe("b", on_chat, &b);
  REQUIRE(id_a);
  REQUIRE(id_b);
  bool unsubscribed = false;  // touched inside a's callback only
  a.hook = [&](Watch& w) {
    if (w.last_version > 0 && !unsubscribed) {
      subs.unsubscribe(*id_b);
      b.closed.store(true, relaxed);
      unsubscribed = true;
    }
  };
  commit_on_engine_thread(chats, subs, 3, {"a", "b"},
                          "unsubscribe from a callback deadlocked");

  CHECK(unsubscribed);
  CHECK(a.deliveries == 4);  // the first snapshot and three commits
  CHECK(b.deliveries == 1);  // the first snapshot only: the first commit was already skipped
  check_clean(stats);
  subs.unsubscribe(*id_a);
}

TEST_CASE("a callback may end its own subscription: it returns at once and is never called "
          "again") {
  FakeChats chats;
  ChatSubscriptions subs(chats.fetch());
  Stats stats;
  Watch a(stats), b(stats);
  auto id_a = subs.subscribe("a", on_chat, &a);
  auto id_b = subs.subscribe("a", on_chat, &b);  // same chat: keeps being delivered
  REQUIRE(id_a);
  REQUIRE(id_b);
  a.hook = [&](Watch& w) {
    if (w.last_version > 0) {
      subs.unsubscribe(*id_a);  // waiting for its own delivery would never return
      w.closed.store(true, relaxed);
    }
  };
  commit_on_engine_thread(chats, subs, 3, {"a"},
                          "a callback ending its own subscription hung");

  CHECK(a.deliveries == 2);  // the first snapshot and the first commit, in which it ended
  CHECK(b.deliveries == 4);
  check_clean(stats);
  subs.unsubscribe(*id_a);  // already gone: ignored
  subs.unsubscribe(*id_b);
}

TEST_CASE("while Fetch fails nothing is delivered and subscribe reports the error, then "
          "deliveries resume with a diff from the last snapshot delivered") {
  FakeChats chats;
  chats.failing = [](long n) { return n > 30 && n <= 60; };  // commits 31..60 cannot be read
  ChatSubscriptions subs(chats.fetch());
  Stats stats;
  int read_while_failing = 0;  // touched inside a's and b's callbacks, on one thread at a time
  auto in_window = [&](Watch& w) { read_while_failing += (w.last_snapshot > 30 && w.last_snapshot <= 60); };
  Watch a(stats), b(stats);
  a.hook = in_window;
  b.hook = in_window;
  auto id_a = subs.subscribe("a", on_chat, &a);
  auto id_b = subs.subscribe("b", on_chat, &b);
  REQUIRE(id_a);
  REQUIRE(id_b);

  std::atomic<bool> engine_done{false};
  std::atomic<int> churn_ok{0}, churn_errors{0};
  std::atomic<bool> engine_waited_in_vain{false};
  std::deque<Watch> churn;             // user_data of the churning subscriber's subscriptions
  std::vector<const Watch*> refused;   // those whose subscribe failed
  std::thread subscriber([&] {
    while (!engine_done.load(relaxed)) {
      Watch& w = churn.emplace_back(stats);
      auto id = subs.subscribe("a", on_chat, &w);
      if (!id) {
        w.closed.store(true, relaxed);
        refused.push_back(&w);
        churn_errors.fetch_add(1, relaxed);
        continue;
      }
      churn_ok.fetch_add(1, relaxed);
      subs.unsubscribe(*id);
      w.closed.store(true, relaxed);
    }
  });
  std::thread engine([&] {
    for (int i = 1; i <= 90; ++i) {
      chats.commit(subs, {"a", "b"});
      // Halfway through the failure, let the subscriber meet it.
      if (i == 45 && !wait_until([&] { return churn_errors.load(relaxed) > 0; })) {
        engine_waited_in_vain.store(true, relaxed);
      }
    }
    engine_done.store(true, relaxed);
  });
  engine.join();
  subscriber.join();

  CHECK_FALSE(engine_waited_in_vain.load());
  CHECK(churn_errors.load() > 0);
  CHECK(chats.failed_reads.load() >= 30 * 2);  // a's and b's reads of commits 31..60
  CHECK(read_while_failing == 0);
  // The first snapshot, commits 1..30, then 61..90: the first good commit delivers again.
  CHECK(a.deliveries == 61);
  CHECK(b.deliveries == 61);
  CHECK(a.last_snapshot == 90);
  CHECK(b.last_snapshot == 90);
  for (const Watch* w : refused) CHECK(w->deliveries == 0);
  check_clean(stats);  // includes: each diff across the gap replays onto the last delivered list
  subs.unsubscribe(*id_a);
  subs.unsubscribe(*id_b);
}

// The window between a subscribe that registered its subscription and its failed first read:
// a commit delivered on the engine thread in that window already holds the subscription.
TEST_CASE("a subscription whose first Fetch fails is never called back, not even by the commit "
          "that was being delivered meanwhile") {
  std::atomic<int> a_reads{0}, b_reads{0};
  std::atomic<long> n{0};
  std::atomic<bool> go{false}, timed_out{false};
  ChatSubscriptions subs([&](const std::string& chat_id) -> Result<std::string> {
    if (chat_id == "a") {
      a_reads.fetch_add(1, relaxed);
      return snapshot_of(chat_id, n.load(relaxed));
    }
    if (b_reads.fetch_add(1, relaxed) == 0) {  // subscribe's first read of "b", on its thread
      go.store(true, relaxed);                 // let the engine commit now…
      if (!wait_until([&] { return a_reads.load(relaxed) >= 2; })) timed_out.store(true, relaxed);
      return Error{ErrorCode::storage_error, "snapshot: store unavailable (test)"};  // …then fail
    }
    return snapshot_of(chat_id, n.load(relaxed));
  });
  Stats stats;
  Watch a(stats), b(stats);
  auto id_a = subs.subscribe("a", on_chat, &a);
  REQUIRE(id_a);
  n.store(1, relaxed);
  std::thread engine([&] {
    if (!wait_until([&] { return go.load(relaxed); })) timed_out.store(true, relaxed);
    Change change;
    change.seq = 1;
    change.chat_ids = {"a", "b"};
    subs.on_change(change);  // holds a and b; delivers a, which lets b's subscribe fail
  });
  auto id_b = subs.subscribe("b", on_chat, &b);
  b.closed.store(true, relaxed);
  engine.join();

  CHECK_FALSE(timed_out.load());
  REQUIRE_FALSE(id_b);
  CHECK(id_b.error().code == ErrorCode::storage_error);
  CHECK(a.deliveries == 2);
  CHECK(b.deliveries == 0);
  check_clean(stats);
  subs.unsubscribe(*id_a);
}
