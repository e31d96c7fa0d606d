// Live-view benchmark (issue 7): commit-to-callback latency of a chat's diff stream.
// Run by hand: DIR/bin/live_bench [EVENTS] [PREFILL_PER_CHAT] [WINDOW] (defaults 3000 / 200 / 50).
//
// The engine's path after a commit is: the writer commits, the notifier thread gets the Change,
// each chat subscription re-reads its chat on the Reader (own connection, WAL), cuts its window,
// diffs it against the last one delivered, converts the diff and snapshot to the public values
// (whisp/live.hpp) and calls back. This benchmark runs exactly those functions on a real store
// file, with a writer thread committing one live event per transaction (sends, edits, reactions,
// deletions in 10 chats, each chat prefilled) and a notifier thread delivering, and reports:
//   - baseline: the raw store commit alone (same events, same store), p50/p99;
//   - live: commit start -> diff delivered to the callback, p50/p99 (commit included);
//   - the parts of the notifier's work: read, diff, conversion.
// Events are paced one at a time (the next commit starts after the delivery), so the figures
// are latencies without queueing.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "actors/live_convert.hpp"
#include "actors/live_window.hpp"
#include "protocol/events.hpp"
#include "protocol/timestamp.hpp"
#include "store/reader.hpp"
#include "store/snapshot_diff.hpp"
#include "store/store.hpp"

using namespace whisp;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kSelf = "5f0c6d7e-0000-4000-8000-000000000000";

std::string uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s(36, '-');
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    s[static_cast<size_t>(i)] = hex[rng() & 15];
  }
  return s;
}

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Stats {
  std::vector<double> v;
  double pct(double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  }
};

// Generates live events for a set of chats: 70% sends, 10% edits, 10% reactions, 10% deletes.
class Events {
 public:
  Events(int chats, std::uint64_t seed) : rng_(seed), known_(static_cast<size_t>(chats)) {
    for (int i = 0; i < chats; ++i) chat_ids_.push_back(uuid(rng_));
    for (int i = 0; i < 20; ++i) users_.push_back(uuid(rng_));
  }
  const std::vector<std::string>& chat_ids() const { return chat_ids_; }

  store::LiveEvent next(std::size_t chat, bool sends_only) {
    now_ += 1000;
    auto& known = known_[chat];
    int roll = static_cast<int>(rng_() % 100);
    if (sends_only || known.size() < 5) roll = 0;
    Event ev;
    auto fill = [&](auto& e) {
      e.chat_id = chat_ids_[chat];
      e.recipient_id = kSelf;
      e.sender_id = users_[rng_() % users_.size()];
    };
    const Timestamp ts{format_timestamp(now_), now_};
    auto target = [&] { return known[known.size() - 1 - rng_() % std::min<size_t>(known.size(), 20)]; };
    if (roll < 70) {
      event::SendMsg e;
      fill(e);
      e.message_id = uuid(rng_);
      e.text = "message " + std::to_string(now_);
      e.time_stamp = ts;
      known.push_back(e.message_id);
      ev = e;
    } else if (roll < 80) {
      event::EditMsg e;
      fill(e);
      e.message_id = target();
      e.text = "edited " + std::to_string(now_);
      e.edited_at = ts;
      ev = e;
    } else if (roll < 90) {
      event::React e;
      fill(e);
      e.reaction_id = uuid(rng_);
      e.emoji = "\xF0\x9F\x91\x8D";
      e.parent_message_id = target();
      e.time_stamp = ts;
      ev = e;
    } else {
      event::DeleteMsg e;
      fill(e);
      auto i = known.size() - 1 - rng_() % std::min<size_t>(known.size(), 20);
      e.message_id = known[i];
      known.erase(known.begin() + static_cast<std::ptrdiff_t>(i));
      e.time_stamp = ts;
      ev = e;
    }
    auto json = encode_event(ev);
    return store::LiveEvent{std::move(json), std::move(ev)};
  }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> chat_ids_, users_;
  std::vector<std::vector<std::string>> known_;
  std::int64_t now_ = 1705312800000000;
};

// One chat subscription as live_view.cpp keeps it, on a Reader instead of an Engine.
struct Sub {
  std::string chat_id;
  live::ChatWindow window;
  store::ChatView shown;
  std::int64_t seq = 0;
};

struct Parts {
  Stats read, diff, convert;
};

// The notifier's work for one subscription after a commit; returns the diff delivered.
ChatDiff refresh(store::Reader& reader, Sub& sub, Parts& parts) {
  auto t0 = Clock::now();
  auto snap = reader.snapshot(sub.chat_id);
  if (!snap.ok() || snap->chats.empty()) {
    std::fprintf(stderr, "read failed\n");
    std::exit(1);
  }
  store::ChatView view = std::move(snap->chats.front());
  auto first = sub.window.start(view.messages);
  view.messages.erase(view.messages.begin(), view.messages.begin() + static_cast<std::ptrdiff_t>(first));
  auto t1 = Clock::now();
  auto d = store::diff_chats(sub.shown, view);
  auto t2 = Clock::now();
  auto pub = live::to_public(d);
  pub.from_seq = sub.seq;
  pub.to_seq = snap->seq;
  auto snapshot = std::make_shared<const ChatSnapshot>(
      live::to_public(&view, sub.chat_id, snap->seq, first > 0, {}));
  auto t3 = Clock::now();
  parts.read.v.push_back(micros(t1 - t0));
  parts.diff.v.push_back(micros(t2 - t1));
  parts.convert.v.push_back(micros(t3 - t2));
  sub.shown = std::move(view);
  sub.seq = snap->seq;
  return pub;
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 3000;
  const long prefill = argc > 2 ? std::atol(argv[2]) : 200;
  const int window = argc > 3 ? std::atoi(argv[3]) : 50;
  const int chats = 10;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("whisp-live-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "live.db").string();

  auto store = store::Store::open(path, store::OpenOptions{kSelf, true});
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.error().describe().c_str());
    return 1;
  }
  Events gen(chats, 42);
  {
    std::vector<store::LogEntry> batch;
    for (long i = 0; i < prefill * chats; ++i) {
      batch.push_back(gen.next(static_cast<std::size_t>(i % chats), true));
      if (batch.size() == 1000) {
        if (!(*store)->commit(batch).ok()) return 1;
        batch.clear();
      }
    }
    if (!batch.empty() && !(*store)->commit(batch).ok()) return 1;
  }
  auto reader = store::Reader::open(path);
  if (!reader.ok()) return 1;
  std::printf("store: %d chats x %ld messages, window %d, %ld events, one per commit\n", chats,
              prefill, window, events);

  // 1. Baseline: the raw commit of one live event, nothing else.
  Stats baseline;
  for (long i = 0; i < events; ++i) {
    std::vector<store::LogEntry> one{gen.next(static_cast<std::size_t>(i % chats), false)};
    auto t = Clock::now();
    if (!(*store)->commit(one).ok()) return 1;
    baseline.v.push_back(micros(Clock::now() - t));
  }

  // 2. Live: a writer thread commits, a notifier thread refreshes the chat's subscription and
  // delivers; latency from the commit's start to the callback.
  std::vector<Sub> subs;
  Parts first_reads;  // the first snapshots: not counted
  for (const auto& id : gen.chat_ids()) {
    Sub s{id, live::ChatWindow(static_cast<std::size_t>(window)), {}, 0};
    refresh(**reader, s, first_reads);
    subs.push_back(std::move(s));
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::pair<std::size_t, Clock::time_point>> changes;  // (chat, commit start)
  bool done = false;
  Stats live_latency;
  Parts parts;
  std::size_t delivered = 0, diff_items = 0;
  std::thread notifier([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      cv.wait(lock, [&] { return done || !changes.empty(); });
      if (changes.empty()) return;
      auto [chat, start] = changes.front();
      changes.pop_front();
      lock.unlock();
      auto d = refresh(**reader, subs[chat], parts);
      auto at = Clock::now();  // the callback gets (snapshot, diff) here
      lock.lock();
      live_latency.v.push_back(micros(at - start));
      diff_items += d.inserted.size() + d.updated.size() + d.removed.size();
      ++delivered;
      cv.notify_all();
    }
  });
  for (long i = 0; i < events; ++i) {
    const auto chat = static_cast<std::size_t>(i % chats);
    std::vector<store::LogEntry> one{gen.next(chat, false)};
    auto start = Clock::now();
    if (!(*store)->commit(one).ok()) return 1;
    std::unique_lock<std::mutex> lock(mutex);
    changes.emplace_back(chat, start);
    cv.notify_all();
    const auto want = static_cast<std::size_t>(i + 1);
    cv.wait(lock, [&] { return delivered == want; });
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
  }
  cv.notify_all();
  notifier.join();

  // For comparison: a windowed read of the same chats (Reader::latest, no chat fields), what a
  // window-only store query would cost instead of reading the whole chat.
  Stats latest_read;
  for (long i = 0; i < 500; ++i) {
    auto t = Clock::now();
    auto w = (*reader)->latest(gen.chat_ids()[static_cast<std::size_t>(i % chats)], window);
    if (!w.ok()) return 1;
    latest_read.v.push_back(micros(Clock::now() - t));
  }
  std::printf("baseline  raw store commit            p50 %8.1f us  p99 %8.1f us\n",
              baseline.pct(0.5), baseline.pct(0.99));
  std::printf("live      commit -> diff delivered    p50 %8.1f us  p99 %8.1f us\n",
              live_latency.pct(0.5), live_latency.pct(0.99));
  std::printf("  notifier: read %.1f / diff %.1f / convert %.1f us (p50); %.2f items per diff\n",
              parts.read.pct(0.5), parts.diff.pct(0.5), parts.convert.pct(0.5),
              static_cast<double>(diff_items) / static_cast<double>(delivered));
  std::printf("  whole-chat read vs Reader::latest(%d): p50 %.1f us vs %.1f us\n", window,
              parts.read.pct(0.5), latest_read.pct(0.5));
  std::printf("  overhead over the commit alone: p50 +%.1f us (%.2fx)\n",
              live_latency.pct(0.5) - baseline.pct(0.5), live_latency.pct(0.5) / baseline.pct(0.5));
  reader->reset();
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
