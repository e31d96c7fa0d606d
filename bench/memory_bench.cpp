// Memory benchmark (issue 7). Run by hand:
//   DIR/bin/memory_bench [--soak-seconds S] [--rate R] [--messages M] [--chats C] [--db FILE]
// (defaults: 60 s soak at 100 events/s, 1,000,000 messages in 1,000 chats, a temporary store).
//
// 1. A store of M messages in C chats, built by a child process (`--build-store`: Store::commit
//    of generated SEND_MSG LiveEvents, 4,096 per commit), so this process's heap never held the
//    generator. With --db FILE an existing file (and FILE.chats) is reused, else built there.
// 2. Baselines: the RSS of this process before anything is opened; then a bare SQLite open of
//    the file and one query (time, RSS after).
// 3. The engine's actor core on the store (engine_rig.hpp: writer with the Store, hub, chat
//    actors, notifier; the Engine minus its network actors and I/O thread) and a Reader, as
//    Engine::start opens them: open + first snapshot of a chat's newest 50 messages (time).
//    Then one new event per chat, as STOMP bytes, spawns the C chat actors: RSS.
// 4. Soak: R events/s of steady traffic (new messages, round-robin over the chats, each fed as
//    its MESSAGE frame), a 50-message window read of a changed chat every second (as a UI
//    would); RSS sampled every second: start, end, max, growth and slope. Latency of each event
//    from its bytes handed to the engine to on_change for its commit (decode, chat actor,
//    commit and notify included): p50/p99.
// 5. Open + first snapshot with the real Engine (offline: tokens, start_online=false):
//    Engine::start, then latest_messages(engine, chat, 50) (the windowed store read); then,
//    for comparison, chat_snapshot(engine, chat, 50) (whisp/live.hpp) and snapshot_json of
//    that whole chat.
// Targets (DESIGN.md): RSS < 64 MiB, flat over the soak; open + first snapshot of 50 < 50 ms.
#include <SQLiteCpp/Database.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "engine_rig.hpp"
#include "store/reader.hpp"
#include "store/store.hpp"
#include "whisp/engine.hpp"
#include "whisp/live.hpp"

using namespace whisp;
using namespace whisp::bench;

namespace {

const std::string kSelf = "5f0c6d7e-0000-4000-8000-000000000000";
constexpr std::int64_t kEpoch = 1705312800000000;  // 2024-01-15T10:00:00Z in micros

double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

void remove_db(const std::string& p) {
  for (const char* s : {"", "-wal", "-shm"}) std::remove((p + s).c_str());
}

// --build-store: the child that writes the store and the list of its chat ids.
int build_store(const std::string& path, long messages, int chats) {
  remove_db(path);
  auto store = store::Store::open(path, store::OpenOptions{kSelf, true});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().describe().c_str());
    return 1;
  }
  std::mt19937_64 rng(7);
  std::vector<std::string> chat_ids, users;
  for (int i = 0; i < chats; ++i) chat_ids.push_back(uuid(rng));
  for (int i = 0; i < 200; ++i) users.push_back(uuid(rng));
  const auto t = Clock::now();
  std::vector<store::LogEntry> batch;
  for (long i = 0; i < messages; ++i) {
    Event ev = send_msg(chat_ids[static_cast<std::size_t>(i % chats)], kSelf,
                        users[rng() % users.size()], uuid(rng), text_of(rng), kEpoch + i * 1000);
    batch.push_back(store::LiveEvent{encode_event(ev), std::move(ev)});
    if (batch.size() == 4096 || i + 1 == messages) {
      if (auto r = (*store)->commit(batch); !r) {
        std::fprintf(stderr, "commit: %s\n", r.error().describe().c_str());
        return 1;
      }
      batch.clear();
    }
  }
  std::ofstream out(path + ".chats");
  for (const auto& c : chat_ids) out << c << '\n';
  std::printf("built %s: %ld messages in %d chats in %.1f s\n", path.c_str(), messages, chats,
              secs_since(t));
  return 0;
}

struct Soak {
  std::vector<double> rss_mib;  // one sample a second
  std::vector<double> latency_ms;
  long events = 0;
  bool complete = false;
};

}  // namespace

int main(int argc, char** argv) {
  long messages = 1000000;
  int chats = 1000, soak_seconds = 60, rate = 100;
  std::string db, build_path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--messages") {
      messages = std::atol(next());
    } else if (a == "--chats") {
      chats = std::atoi(next());
    } else if (a == "--soak-seconds") {
      soak_seconds = std::atoi(next());
    } else if (a == "--rate") {
      rate = std::atoi(next());
    } else if (a == "--db") {
      db = next();
    } else if (a == "--build-store") {
      build_path = next();
    } else {
      std::fprintf(stderr,
                   "usage: memory_bench [--soak-seconds S] [--rate R] [--messages M] "
                   "[--chats C] [--db FILE]\n");
      return 2;
    }
  }
  if (messages < 1 || chats < 1 || soak_seconds < 0 || rate < 1) {
    std::fprintf(stderr, "memory_bench: bad numbers\n");
    return 2;
  }
  if (!build_path.empty()) return build_store(build_path, messages, chats);

  // ---- 1. the store ----------------------------------------------------------------------
  bool temporary = db.empty();
  if (temporary) {
    const char* tmp = std::getenv("TMPDIR");
    db = std::string(tmp && *tmp ? tmp : "/tmp") + "/whisp-memory-bench-" +
         std::to_string(::getpid()) + ".db";
  }
  if (!exists(db) || !exists(db + ".chats")) {
    const std::string cmd = std::string(argv[0]) + " --build-store '" + db + "' --messages " +
                            std::to_string(messages) + " --chats " + std::to_string(chats);
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  std::vector<std::string> chat_ids;
  {
    std::ifstream in(db + ".chats");
    for (std::string line; std::getline(in, line);) chat_ids.push_back(line);
  }
  chats = static_cast<int>(chat_ids.size());

  // ---- 2. baselines ------------------------------------------------------------------------
  const std::size_t rss_start = current_rss_bytes();
  double bare_open_ms = 0;
  std::size_t rss_bare = 0;
  {
    const auto t = Clock::now();
    SQLite::Database raw(db, SQLite::OPEN_READONLY);
    raw.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
    bare_open_ms = secs_since(t) * 1000;
    rss_bare = current_rss_bytes();
  }

  // ---- 3. the engine's actor core and a Reader ------------------------------------------
  std::mutex m;
  std::condition_variable cv;
  std::int64_t last_seq = 0, base_seq = -1;
  std::vector<Clock::time_point> fed_at, got_at;
  const auto t_open = Clock::now();
  auto rig = EngineRig::start(db, kSelf, [&](const Change& c) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(m);
    if (base_seq >= 0) {
      for (auto s = std::max(last_seq, base_seq) + 1; s <= c.seq; ++s) {
        const auto i = static_cast<std::size_t>(s - base_seq - 1);
        if (i < got_at.size()) got_at[i] = now;
      }
    }
    last_seq = std::max(last_seq, c.seq);
    cv.notify_all();
  });
  if (!rig) {
    std::fprintf(stderr, "engine rig: %s\n", rig.error().describe().c_str());
    return 1;
  }
  auto reader = store::Reader::open(db);
  if (!reader) {
    std::fprintf(stderr, "reader: %s\n", reader.error().describe().c_str());
    return 1;
  }
  const std::string first_chat = chat_ids[chat_ids.size() / 2];
  auto window = (*reader)->latest(first_chat, 50);
  const double open_ms = secs_since(t_open) * 1000;
  const std::size_t window_size = window ? window->messages.size() : 0;
  const std::size_t rss_open = current_rss_bytes();

  // One event per chat spawns the chat actors.
  std::mt19937_64 rng(11);
  std::int64_t now_micros = kEpoch + messages * 1000 + 1000000;
  std::uint64_t frame_no = 0;
  auto frame_for = [&](const std::string& chat) {
    now_micros += 1000;
    Event ev = send_msg(chat, kSelf, "0b5e0000-0000-4000-8000-00000000b0b0", uuid(rng),
                        text_of(rng), now_micros);
    return message_frame(kSelf, encode_event(ev), ++frame_no);
  };
  const auto t_spawn = Clock::now();
  for (const auto& c : chat_ids) (*rig)->feed(frame_for(c));
  const auto wait_until = Clock::now() + std::chrono::seconds(60);
  while ((*rig)->chat_actors() < static_cast<std::size_t>(chats) && Clock::now() < wait_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Then until no commit arrives for 300 ms (at most 60 s): every spawning event is committed.
  auto seen_seq = [&]() {
    std::lock_guard<std::mutex> lock(m);
    return last_seq;
  };
  for (std::int64_t settled = -1; Clock::now() < wait_until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto s = seen_seq();
    if (s == settled && s > 0) break;
    settled = s;
  }
  const double spawn_s = secs_since(t_spawn);
  const std::size_t actors = (*rig)->chat_actors();
  const std::size_t rss_actors = current_rss_bytes();

  // ---- 4. soak ------------------------------------------------------------------------------
  Soak soak;
  const long total = static_cast<long>(soak_seconds) * rate;
  {
    std::lock_guard<std::mutex> lock(m);
    base_seq = last_seq;
    fed_at.assign(static_cast<std::size_t>(total), Clock::time_point{});
    got_at.assign(static_cast<std::size_t>(total), Clock::time_point{});
  }
  const auto t0 = Clock::now();
  const auto step = std::chrono::nanoseconds(1000000000LL / rate);
  auto next_sample = t0;
  std::size_t chat_i = 0;
  for (long i = 0; i < total; ++i) {
    const auto due = t0 + step * i;
    if (due >= next_sample) {
      auto w = (*reader)->latest(chat_ids[(chat_i + chat_ids.size() - 1) % chat_ids.size()], 50);
      (void)w;
      soak.rss_mib.push_back(mib(current_rss_bytes()));
      next_sample += std::chrono::seconds(1);
    }
    std::this_thread::sleep_until(due);
    std::string frame = frame_for(chat_ids[chat_i]);
    chat_i = (chat_i + 1) % chat_ids.size();
    fed_at[static_cast<std::size_t>(i)] = Clock::now();
    (*rig)->feed(std::move(frame));
  }
  {
    std::unique_lock<std::mutex> lock(m);
    soak.complete = cv.wait_for(lock, std::chrono::seconds(60),
                                [&] { return last_seq >= base_seq + total; });
    for (long i = 0; i < total; ++i) {
      const auto k = static_cast<std::size_t>(i);
      if (got_at[k] != Clock::time_point{}) {
        soak.latency_ms.push_back(micros(got_at[k] - fed_at[k]) / 1000.0);
      }
    }
    soak.events = total;
    if (last_seq != base_seq + total) soak.complete = false;
  }
  soak.rss_mib.push_back(mib(current_rss_bytes()));
  const double soak_s = secs_since(t0);
  rig->reset();
  reader->reset();

  // ---- 5. the real Engine, offline: open + first snapshot ---------------------------------
  double engine_start_ms = 0, engine_latest_ms = 0, engine_chat_ms = 0, engine_full_ms = 0;
  std::size_t engine_latest = 0, engine_window = 0, engine_snapshot_bytes = 0;
  std::string engine_note;
  {
    Config config;
    config.server_url = "http://127.0.0.1:9";  // never contacted: start_online = false
    config.database_path = db;
    config.auth = Tokens{kSelf, "offline-bench-jwt", "offline-bench-refresh"};
    config.start_online = false;
    auto t = Clock::now();
    auto engine = Engine::start(config, {});
    engine_start_ms = secs_since(t) * 1000;
    if (engine) {
      t = Clock::now();
      auto latest = latest_messages(**engine, first_chat, 50);  // Reader::latest, windowed
      engine_latest_ms = secs_since(t) * 1000;
      if (latest) engine_latest = latest->messages.size();
      t = Clock::now();
      auto first = chat_snapshot(**engine, first_chat, 50);  // the live view's first snapshot
      engine_chat_ms = secs_since(t) * 1000;
      if (first) {
        engine_window = first->messages.size();
      } else {
        engine_note = first.error().describe();
      }
      t = Clock::now();
      auto json = (*engine)->snapshot_json(first_chat);
      engine_full_ms = secs_since(t) * 1000;
      if (json) engine_snapshot_bytes = json->size();
    } else {
      engine_note = engine.error().describe();
    }
  }

  // ---- report -------------------------------------------------------------------------------
  std::printf("memory_bench: store of %ld messages in %d chats (%s), pid %d\n", messages, chats,
              db.c_str(), static_cast<int>(::getpid()));
  std::printf("baseline RSS before anything is opened:              %8.1f MiB\n", mib(rss_start));
  std::printf("baseline bare SQLite open + 1 query:                 %8.2f ms, RSS %.1f MiB\n",
              bare_open_ms, mib(rss_bare));
  std::printf("engine core + Reader open + first snapshot of %zu:   %8.2f ms (target < 50) "
              "= %.1f x bare open\n", window_size, open_ms, open_ms / bare_open_ms);
  std::printf("RSS after open:                                      %8.1f MiB\n", mib(rss_open));
  std::printf("chat actors spawned by one event per chat:           %8zu (in %.2f s)\n", actors,
              spawn_s);
  std::printf("RSS with %zu chat actors:                          %8.1f MiB (target < 64); "
              "engine's share over the start %.1f MiB\n", actors, mib(rss_actors),
              mib(rss_actors) - mib(rss_start));
  if (!soak.rss_mib.empty()) {
    double max = 0;
    for (double v : soak.rss_mib) max = std::max(max, v);
    const auto& v = soak.rss_mib;
    // Least-squares slope per minute of the samples.
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double x = static_cast<double>(i);
      sx += x;
      sy += v[i];
      sxx += x * x;
      sxy += x * v[i];
    }
    const double nn = static_cast<double>(v.size());
    const double slope = nn > 1 ? (nn * sxy - sx * sy) / (nn * sxx - sx * sx) * 60.0 : 0;
    std::printf("soak %.0f s at %d events/s (%ld events): RSS start %.1f, end %.1f, max %.1f MiB;"
                " growth %+.1f MiB, slope %+.2f MiB/min\n", soak_s, rate, soak.events, v.front(),
                v.back(), max, v.back() - v.front(), slope);
    std::printf("  RSS each minute (MiB):");
    for (std::size_t i = 0; i < v.size(); i += 60) std::printf(" %.1f", v[i]);
    std::printf(" %.1f\n", v.back());
    if (v.size() >= 4) {
      const std::size_t half = v.size() / 2;
      std::printf("  second half of the soak: %.1f -> %.1f MiB (%+.1f)\n", v[half], v.back(),
                  v.back() - v[half]);
    }
  }
  if (!soak.latency_ms.empty()) {
    auto lat = soak.latency_ms;
    const double p50 = percentile(lat, 50), p90 = percentile(lat, 90), p99 = percentile(lat, 99);
    const std::size_t over_10 = static_cast<std::size_t>(
        std::count_if(lat.begin(), lat.end(), [](double v) { return v > 10.0; }));
    std::printf("soak latency, bytes handed to the engine -> on_change (commit incl.): p50 %.3f ms,"
                " p90 %.3f ms, p99 %.3f ms, max %.3f ms; %zu of %zu over 10 ms\n", p50, p90, p99,
                lat.back(), over_10, lat.size());
  }
  if (!soak.complete) std::printf("WARNING: not every soak event was committed as expected\n");
  std::printf("real Engine (offline): Engine::start %.2f ms; + latest_messages(50) -> %zu in "
              "%.2f ms: open + first snapshot %.2f ms (target < 50) = %.1f x bare open%s%s\n",
              engine_start_ms, engine_latest, engine_latest_ms, engine_start_ms + engine_latest_ms,
              (engine_start_ms + engine_latest_ms) / bare_open_ms,
              engine_note.empty() ? "" : "; ", engine_note.c_str());
  std::printf("  chat_snapshot(chat, 50) (whisp/live.hpp) -> %zu in %.2f ms; snapshot_json of the "
              "whole chat (%zu bytes) %.2f ms\n", engine_window, engine_chat_ms,
              engine_snapshot_bytes, engine_full_ms);
  if (temporary) {
    remove_db(db);
    std::remove((db + ".chats").c_str());
  }
  return soak.complete && actors == static_cast<std::size_t>(chats) ? 0 : 1;
}
