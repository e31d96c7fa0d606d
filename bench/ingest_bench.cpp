// Ingest benchmark (issue 5). Run by hand: DIR/bin/ingest_bench [--events N] [--chats C]
// [--repeats R] [--no-node] [--no-raw]  (defaults 100,000 / 100 / 3; --no-raw skips the raw
// SQLite baseline, for profiling the engine alone).
//
// N SEND_MSG events from 199 other users in C chats, each as the STOMP MESSAGE frame the dev
// server writes (bench_util.hpp), one WebSocket message per frame, measured three ways in the
// same run, each R times, interleaved, medians reported:
//   - engine: the bytes into the engine's receive path without a network (engine_rig.hpp: the
//     connection actor's decode steps on a CAF actor → hub → one chat actor per chat → writer
//     group commit to a fresh store file → notifier → on_change); timed from the first chunk
//     handed over to the on_change that reports the N-th log entry committed;
//   - raw SQLite: the same rows the store writes at minimum for them (one log row with the
//     JSON + one message row, the store's message indexes), prepared statements, WAL,
//     synchronous=NORMAL like the store, 1,000 events per transaction;
//   - the official SDK's path: bench/stompjs_ingest.js (@stomp/stompjs Client + JSON.parse +
//     dispatch) on the same frames, run with node as a child process.
// Targets: engine >= 0.7 x raw SQLite and >= 1.0 x stompjs.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "engine_rig.hpp"

using namespace whisp;
using namespace whisp::bench;

namespace {

const std::string kSelf = "5f0c6d7e-0000-4000-8000-000000000000";

struct Input {
  std::vector<std::string> frames;  // one WebSocket message each
  std::vector<event::SendMsg> events;
  std::vector<std::string> bodies;
};

Input generate(long n, int chats, std::mt19937_64& rng) {
  Input in;
  std::vector<std::string> chat_ids, users;
  for (int i = 0; i < chats; ++i) chat_ids.push_back(uuid(rng));
  for (int i = 0; i < 199; ++i) users.push_back(uuid(rng));
  std::int64_t now = 1705312800000000;
  for (long i = 0; i < n; ++i) {
    now += 1000 + static_cast<std::int64_t>(rng() % 100000);
    auto e = send_msg(chat_ids[rng() % chat_ids.size()], kSelf, users[rng() % users.size()],
                      uuid(rng), text_of(rng), now);
    Event ev = e;
    in.bodies.push_back(encode_event(ev));
    in.frames.push_back(message_frame(kSelf, in.bodies.back(), static_cast<std::uint64_t>(i)));
    in.events.push_back(std::move(e));
  }
  return in;
}

// CPU seconds (user + system) this process has used so far, every thread included.
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

void remove_db(const std::string& p) {
  for (const char* s : {"", "-wal", "-shm"}) std::remove((p + s).c_str());
}

// Raw SQLite: one log row + one message row per event, 1,000 per transaction.
double raw_sqlite(const Input& in, const std::string& path) {
  remove_db(path);
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA cache_size=-16384");
  db.exec(
      "CREATE TABLE log(seq INTEGER PRIMARY KEY, line TEXT NOT NULL);"
      "CREATE TABLE messages(msg_key INTEGER PRIMARY KEY, chat_id TEXT NOT NULL, "
      " message_id TEXT, sender_id TEXT, ts INTEGER, ts_text TEXT, text TEXT);"
      "CREATE UNIQUE INDEX messages_by_id ON messages(chat_id, message_id);"
      "CREATE INDEX messages_by_pos ON messages(chat_id, ts, message_id);");
  SQLite::Statement log(db, "INSERT INTO log(line) VALUES(?)");
  SQLite::Statement msg(db,
                        "INSERT INTO messages(chat_id, message_id, sender_id, ts, ts_text, text) "
                        "VALUES(?,?,?,?,?,?)");
  const auto start = Clock::now();
  const std::size_t n = in.events.size();
  for (std::size_t i = 0; i < n;) {
    SQLite::Transaction tx(db);
    for (std::size_t k = 0; k < 1000 && i < n; ++k, ++i) {
      const auto& e = in.events[i];
      log.reset();
      log.bind(1, in.bodies[i]);
      log.exec();
      msg.reset();
      msg.bind(1, e.chat_id);
      msg.bind(2, e.message_id);
      msg.bind(3, e.sender_id);
      msg.bind(4, static_cast<std::int64_t>(e.time_stamp.micros));
      msg.bind(5, e.time_stamp.text);
      msg.bind(6, e.text);
      msg.exec();
    }
    tx.commit();
  }
  return static_cast<double>(n) / secs_since(start);
}

// CPU seconds (user + system) of each thread of this process but the calling one, by name,
// from /proc/self/task/*/stat (the engine's threads: CAF workers, the writer's own thread...).
std::vector<std::pair<std::string, double>> other_threads_cpu() {
  std::vector<std::pair<std::string, double>> out;
  const std::string self = std::to_string(::gettid());
  DIR* d = ::opendir("/proc/self/task");
  if (d == nullptr) return out;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' || self == e->d_name) continue;
    std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14, 15: utime, stime
      if (i == 14) utime = std::atof(field.c_str());
      if (i == 15) stime = std::atof(field.c_str());
    }
    out.emplace_back(stat.substr(open + 1, close - open - 1), (utime + stime) / tick);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

struct EngineRun {
  double events_per_s = 0;
  std::string threads;  // CPU microseconds per event of each engine thread
  long commits = 0;  // on_change calls (group commits that changed something)
  bool complete = false;
};

EngineRun engine_ingest(const Input& in, const std::string& path) {
  remove_db(path);
  const auto n = static_cast<std::int64_t>(in.frames.size());
  std::mutex m;
  std::condition_variable cv;
  std::int64_t last_seq = 0;
  long commits = 0;
  Clock::time_point done_at;
  auto rig = EngineRig::start(path, kSelf, [&](const Change& c) {
    std::lock_guard<std::mutex> lock(m);
    ++commits;
    if (c.seq > last_seq) last_seq = c.seq;
    if (last_seq >= n) {
      done_at = Clock::now();
      cv.notify_all();
    }
  });
  if (!rig) {
    std::fprintf(stderr, "engine rig: %s\n", rig.error().describe().c_str());
    return {};
  }
  // The copies the I/O thread would make from its read buffer are made before the clock.
  std::vector<std::string> chunks = in.frames;
  const auto start = Clock::now();
  for (auto& c : chunks) (*rig)->feed(std::move(c));
  EngineRun run;
  {
    std::unique_lock<std::mutex> lock(m);
    run.complete = cv.wait_for(lock, std::chrono::minutes(5), [&] { return last_seq >= n; });
    run.commits = commits;
  }
  // The rig's threads only run engine work (started with it): their CPU per event shows which
  // stage of the pipeline bounds the rate (the writer's thread, when it is busiest).
  for (const auto& [name, secs] : other_threads_cpu()) {
    if (secs * 1e6 / static_cast<double>(n) < 0.5) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s %.1f", run.threads.empty() ? "" : ", ", name.c_str(),
                  secs * 1e6 / static_cast<double>(n));
    run.threads += buf;
  }
  if (run.complete) {
    run.events_per_s = static_cast<double>(n) / std::chrono::duration<double>(done_at - start).count();
  } else {
    std::fprintf(stderr, "engine: only %lld of %lld events committed\n",
                 static_cast<long long>(last_seq), static_cast<long long>(n));
  }
  if ((*rig)->skipped() != 0) {
    std::fprintf(stderr, "engine: %llu events skipped\n",
                 static_cast<unsigned long long>((*rig)->skipped()));
    run.complete = false;
  }
  rig->reset();
  remove_db(path);
  return run;
}

// Runs the Node.js baseline; the events/s of each of its repeats.
std::vector<double> stompjs(const std::string& frames_file, int repeats) {
  std::vector<double> rates;
  const std::string cmd = "cd '" WHISP_SOURCE_DIR "' && node bench/stompjs_ingest.js '" +
                          frames_file + "' " + std::to_string(repeats) + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return rates;
  char line[512];
  while (std::fgets(line, sizeof line, p) != nullptr) {
    const char* at = std::strstr(line, "events_per_s=");
    if (at != nullptr) {
      rates.push_back(std::atof(at + std::strlen("events_per_s=")));
    } else {
      std::fprintf(stderr, "node: %s", line);
    }
  }
  int rc = ::pclose(p);
  if (rc != 0) std::fprintf(stderr, "node exited with status %d\n", rc);
  return rates;
}

}  // namespace

int main(int argc, char** argv) {
  long events = 100000;
  int chats = 100, repeats = 3;
  bool node = true, raw_baseline = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      events = std::atol(argv[++i]);
    } else if (a == "--chats" && i + 1 < argc) {
      chats = std::atoi(argv[++i]);
    } else if (a == "--repeats" && i + 1 < argc) {
      repeats = std::atoi(argv[++i]);
    } else if (a == "--no-node") {
      node = false;
    } else if (a == "--no-raw") {
      raw_baseline = false;
    } else {
      std::fprintf(stderr,
                   "usage: ingest_bench [--events N] [--chats C] [--repeats R] [--no-node] "
                   "[--no-raw]\n");
      return 2;
    }
  }
  if (events < 1 || chats < 1 || repeats < 1) {
    std::fprintf(stderr, "ingest_bench: --events, --chats and --repeats must be >= 1\n");
    return 2;
  }
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/whisp-ingest-bench-" +
                          std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0700);

  std::mt19937_64 rng(5);
  auto t = Clock::now();
  const Input in = generate(events, chats, rng);
  const std::string frames_file = dir + "/frames.bin";
  std::size_t frame_bytes = 0;
  {
    std::ofstream out(frames_file, std::ios::binary);
    for (const auto& f : in.frames) {
      out.write(f.data(), static_cast<std::streamsize>(f.size()));
      frame_bytes += f.size();
    }
  }
  std::printf("ingest_bench: %ld SEND_MSG events in %d chats, %zu bytes of MESSAGE frames "
              "(%.0f per frame), generated in %.1f s; %d repeats, medians\n",
              events, chats, frame_bytes, static_cast<double>(frame_bytes) / events,
              secs_since(t), repeats);
  std::fflush(stdout);

  std::vector<double> raw, eng, js, raw_cpu, eng_cpu;  // events/s; CPU microseconds per event
  std::vector<long> commits;
  bool all_complete = true;
  for (int r = 0; r < repeats; ++r) {
    double c0 = cpu_seconds();
    if (raw_baseline) {
      raw.push_back(raw_sqlite(in, dir + "/raw.db"));
      raw_cpu.push_back((cpu_seconds() - c0) * 1e6 / static_cast<double>(events));
      remove_db(dir + "/raw.db");
    } else {
      raw.push_back(0);
      raw_cpu.push_back(0);
    }
    c0 = cpu_seconds();
    auto run = engine_ingest(in, dir + "/engine.db");
    eng_cpu.push_back((cpu_seconds() - c0) * 1e6 / static_cast<double>(events));
    all_complete &= run.complete;
    eng.push_back(run.events_per_s);
    commits.push_back(run.commits);
    std::printf("  repeat %d: raw SQLite %.0f events/s (%.1f CPU us/event), engine %.0f events/s "
                "(%.1f CPU us/event, all threads; %ld commits; per thread: %s)\n",
                r + 1, raw.back(), raw_cpu.back(), eng.back(), eng_cpu.back(), run.commits,
                run.threads.c_str());
    std::fflush(stdout);
  }
  if (node) js = stompjs(frames_file, repeats);
  for (std::size_t r = 0; r < js.size(); ++r) {
    std::printf("  repeat %zu: stompjs %.0f events/s\n", r + 1, js[r]);
  }

  const double raw_m = median(raw), eng_m = median(eng);
  std::printf("\n%-58s %12s\n", "", "events/s");
  std::printf("%-58s %12.0f\n", "engine: STOMP bytes -> decode -> chat actors -> commit -> notify",
              eng_m);
  std::printf("%-58s %12.0f\n", "baseline: raw SQLite, log + message row, 1,000 per tx", raw_m);
  if (!js.empty()) {
    std::printf("%-58s %12.0f\n", "baseline: @stomp/stompjs parse + JSON.parse + dispatch",
                median(js));
  }
  std::printf("ratio engine / raw SQLite: %.2f (target >= 0.7)\n", eng_m / raw_m);
  std::printf("CPU per event (user + system, all threads): engine %.1f us, raw SQLite %.1f us "
              "(raw / engine %.2f: the rate ratio if every thread shared one core)\n", median(eng_cpu), median(raw_cpu),
              median(raw_cpu) / median(eng_cpu));
  if (!js.empty()) {
    std::printf("ratio engine / stompjs:    %.2f (target >= 1.0)\n", eng_m / median(js));
  } else if (node) {
    std::printf("stompjs baseline did not run (node and `npm ci` needed)\n");
  }
  if (!all_complete) std::printf("WARNING: an engine run did not commit every event\n");
  std::remove(frames_file.c_str());
  ::rmdir(dir.c_str());
  return all_complete ? 0 : 1;
}
