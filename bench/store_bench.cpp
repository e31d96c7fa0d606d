// Store benchmark (issue 3). Run by hand: DIR/bin/store_bench [EVENTS] [MESSAGES] [CHATS]
// (defaults 1,000,000 / 1,000,000 / 1,000). Needs DIR/bin/whisp-replay beside it.
//  1. A realistic log (100 chats; 70% messages, 10% edits, 10% reactions, 5% deletions, 5%
//     reads) as JSON Lines; whisp-replay's events/s against raw SQLite inserting the same rows
//     the store writes (prepared statements, WAL, same batch size), in one run.
//  2. A store of MESSAGES messages in CHATS chats: open + first snapshot of 50 messages, the
//     p50/p99 of a 50-message snapshot query, and the file size against the texts and ids.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "store/envelope.hpp"
#include "store/log_codec.hpp"
#include "store/reader.hpp"
#include "store/replay.hpp"
#include "store/store.hpp"

using namespace whisp;
using namespace whisp::store;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kBatch = 4096;  // Replayer's default batch
const std::string kSelf = "5f0c6d7e-0000-4000-8000-000000000000";

double secs_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string uuid(std::mt19937_64& rng) {
  static const char* hex = "0123456789abcdef";
  std::string s(36, '-');
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    s[static_cast<size_t>(i)] = hex[rng() & 15];
  }
  return s;
}

std::string text_of(std::mt19937_64& rng) {
  static const char* words[] = {"hello", "world", "meeting", "at", "noon", "the", "build",
                                "is", "green", "again", "thanks", "see", "you", "tomorrow",
                                "\xC3\xA9t\xC3\xA9", "\xF0\x9F\x91\x8D", "ok", "sure"};
  std::string t;
  const int n = 3 + static_cast<int>(rng() % 15);
  for (int i = 0; i < n; ++i) {
    if (i) t += ' ';
    t += words[rng() % (sizeof words / sizeof *words)];
  }
  return t;
}

// One generated event and the projection row raw SQLite writes for it.
struct Gen {
  std::string line;
  std::string log_row;             // the line packed, as the store's log keeps it
  std::string id16, target16;      // message ids as the store keeps them (16 bytes)
  int kind;  // 0 send, 1 edit, 2 react, 3 delete, 4 read
  std::int64_t chat;
  std::string id, target, text, ts_text, sender;
  std::int64_t ts;
};

std::vector<Gen> generate(long events, int chats, std::mt19937_64& rng) {
  std::vector<std::string> chat_ids, users;
  for (int i = 0; i < chats; ++i) chat_ids.push_back(uuid(rng));
  for (int i = 0; i < 200; ++i) users.push_back(uuid(rng));
  users[0] = kSelf;
  std::vector<std::vector<std::string>> msgs(static_cast<size_t>(chats));
  std::vector<Gen> out;
  out.reserve(static_cast<size_t>(events));
  std::int64_t now = 1705312800000000;
  for (long i = 0; i < events; ++i) {
    now += 1000 + static_cast<std::int64_t>(rng() % 100000);
    Gen g;
    g.chat = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(chats));
    auto& known = msgs[static_cast<size_t>(g.chat)];
    const int roll = static_cast<int>(rng() % 100);
    g.kind = known.empty() || roll < 70 ? 0 : roll < 80 ? 1 : roll < 90 ? 2 : roll < 95 ? 3 : 4;
    g.sender = users[1 + rng() % 199];
    g.ts = now;
    g.ts_text = format_timestamp(now);
    Event ev;
    auto fill = [&](auto& e) {
      e.chat_id = chat_ids[static_cast<size_t>(g.chat)];
      e.recipient_id = kSelf;
      e.sender_id = g.sender;
    };
    if (g.kind == 0) {
      event::SendMsg e;
      fill(e);
      g.id = e.message_id = uuid(rng);
      g.text = e.text = text_of(rng);
      e.time_stamp = Timestamp{g.ts_text, now};
      known.push_back(g.id);
      ev = e;
    } else {
      g.target = known[known.size() - 1 - rng() % std::min<size_t>(known.size(), 50)];
      if (g.kind == 1) {
        event::EditMsg e;
        fill(e);
        e.message_id = g.target;
        g.text = e.text = text_of(rng);
        e.edited_at = Timestamp{g.ts_text, now};
        ev = e;
      } else if (g.kind == 2) {
        event::React e;
        fill(e);
        g.id = e.reaction_id = uuid(rng);
        g.text = e.emoji = "\xF0\x9F\x91\x8D";
        e.parent_message_id = g.target;
        e.time_stamp = Timestamp{g.ts_text, now};
        ev = e;
      } else if (g.kind == 3) {
        event::DeleteMsg e;
        fill(e);
        e.message_id = g.target;
        e.time_stamp = Timestamp{g.ts_text, now};
        ev = e;
      } else {
        event::ReadMsg e;
        fill(e);
        e.message_id = g.target;
        ev = e;
      }
    }
    g.line = encode_event(ev);
    if (!pack_line(g.line, kSelf, g.log_row)) g.log_row.clear();
    unsigned char bytes[16];
    if (g.kind == 0 && uuid_bytes(g.id, bytes)) g.id16.assign(reinterpret_cast<char*>(bytes), 16);
    if (!g.target.empty() && uuid_bytes(g.target, bytes))
      g.target16.assign(reinterpret_cast<char*>(bytes), 16);
    out.push_back(std::move(g));
  }
  return out;
}

void remove_db(const std::string& p) {
  for (const char* s : {"", "-wal", "-shm"}) std::remove((p + s).c_str());
}

std::uint64_t file_size(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// Bytes each table and index of a store file takes (SQLite's dbstat), largest first: where the
// store's size goes.
void print_breakdown(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name "
                          "ORDER BY bytes DESC");
  while (q.executeStep())
    std::printf("  %-32s %8.1f MB\n", q.getColumn(0).getText(),
                static_cast<double>(q.getColumn(1).getInt64()) / 1e6);
}

// Raw SQLite writing the rows the store writes for each event: the log row (packed), and the
// message / reaction / flag / read-pointer row, with the store's keys, 16-byte message ids and
// indexes. The rows are made before the clock starts: only the writing is timed.
double raw_sqlite(const std::vector<Gen>& gens, const std::string& path) {
  remove_db(path);
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA cache_size=-16384");
  db.exec(
      "CREATE TABLE log(seq INTEGER PRIMARY KEY, line TEXT NOT NULL);"
      "CREATE TABLE messages(msg_key INTEGER PRIMARY KEY, chat_key INTEGER NOT NULL, "
      " message_id TEXT, sender_key INTEGER, ts INTEGER, ts_text TEXT, text TEXT, "
      " edit_text TEXT, flags INTEGER NOT NULL DEFAULT 0);"
      "CREATE UNIQUE INDEX messages_by_id ON messages(chat_key, message_id);"
      "CREATE INDEX messages_by_pos ON messages(chat_key, ts, message_id);"
      "CREATE TABLE reactions(react_key INTEGER PRIMARY KEY, chat_key INTEGER, reaction_id TEXT,"
      " msg_key INTEGER, sender_key INTEGER, emoji TEXT);"
      "CREATE UNIQUE INDEX reactions_by_id ON reactions(chat_key, reaction_id);"
      "CREATE INDEX reactions_by_msg ON reactions(msg_key);"
      "CREATE TABLE read_pointers(chat_key INTEGER, user_key INTEGER, msg_key INTEGER,"
      " PRIMARY KEY(chat_key, user_key)) WITHOUT ROWID;");
  SQLite::Statement log(db, "INSERT INTO log(line) VALUES(?)");
  SQLite::Statement send(db,
                         "INSERT INTO messages(chat_key, message_id, sender_key, ts, ts_text, "
                         "text, flags) VALUES(?,?,?,?,?,?,1)");
  SQLite::Statement edit(db, "UPDATE messages SET edit_text=? WHERE chat_key=? AND message_id=?");
  SQLite::Statement react(db,
                          "INSERT INTO reactions(chat_key, reaction_id, msg_key, sender_key, "
                          "emoji) VALUES(?,?,(SELECT msg_key FROM messages WHERE chat_key=? AND "
                          "message_id=?),?,?)");
  SQLite::Statement del(db, "UPDATE messages SET flags=3, text=NULL WHERE chat_key=? AND message_id=?");
  SQLite::Statement read(db,
                         "INSERT OR REPLACE INTO read_pointers VALUES(?,?,(SELECT msg_key FROM "
                         "messages WHERE chat_key=? AND message_id=?))");
  const auto start = Clock::now();
  for (size_t i = 0; i < gens.size();) {
    SQLite::Transaction tx(db);
    for (size_t n = 0; n < kBatch && i < gens.size(); ++n, ++i) {
      const Gen& g = gens[i];
      log.reset();
      log.bind(1, g.log_row.data(), static_cast<int>(g.log_row.size()));
      log.exec();
      const std::int64_t sender = static_cast<std::int64_t>(g.sender[0]);
      switch (g.kind) {
        case 0:
          send.reset();
          send.bind(1, g.chat);
          send.bind(2, g.id16.data(), 16);
          send.bind(3, sender);
          send.bind(4, g.ts);  // ts_text stays NULL: the store keeps no canonical text
          send.bind(6, g.text);
          send.exec();
          break;
        case 1:
          edit.reset();
          edit.bind(1, g.text);
          edit.bind(2, g.chat);
          edit.bind(3, g.target16.data(), 16);
          edit.exec();
          break;
        case 2:
          react.reset();
          react.bind(1, g.chat);
          react.bind(2, g.id);
          react.bind(3, g.chat);
          react.bind(4, g.target16.data(), 16);
          react.bind(5, sender);
          react.bind(6, g.text);
          react.exec();
          break;
        case 3:
          del.reset();
          del.bind(1, g.chat);
          del.bind(2, g.target16.data(), 16);
          del.exec();
          break;
        default:
          read.reset();
          read.bind(1, g.chat);
          read.bind(2, sender);
          read.bind(3, g.chat);
          read.bind(4, g.target16.data(), 16);
          read.exec();
          break;
      }
    }
    tx.commit();
  }
  return secs_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  const long events = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long messages = argc > 2 ? std::atol(argv[2]) : 1000000;
  const int chats = argc > 3 ? std::atoi(argv[3]) : 1000;
  std::string bin_dir = argv[0];
  bin_dir = bin_dir.substr(0, bin_dir.find_last_of('/') + 1);
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/whisp-store-bench-" +
                          std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0700);

  // ---- 1. replay vs raw SQLite -------------------------------------------------------------
  std::mt19937_64 rng(42);
  auto t = Clock::now();
  auto gens = generate(events, 100, rng);
  const std::string log_path = dir + "/log.jsonl";
  {
    std::ofstream out(log_path, std::ios::binary);
    for (const auto& g : gens) out << g.line << '\n';
  }
  std::printf("generated %ld events (%.1f MB of JSON Lines) in %.1f s\n", events,
              static_cast<double>(file_size(log_path)) / 1e6, secs_since(t));

  const double raw = raw_sqlite(gens, dir + "/raw.db");
  const double raw_rate = static_cast<double>(events) / raw;
  std::printf("raw SQLite, same rows, %zu per transaction: %.2f s, %.0f events/s\n", kBatch, raw,
              raw_rate);

  const std::string replay_db = dir + "/replay.db";
  t = Clock::now();
  std::string cmd = bin_dir + "whisp-replay --db " + replay_db + " " + log_path;
  int rc = std::system(cmd.c_str());
  const double rep = secs_since(t);
  const double rep_rate = static_cast<double>(events) / rep;
  std::printf("whisp-replay (exit %d): %.2f s, %.0f events/s = %.2f x raw (target >= 0.7)\n",
              rc, rep, rep_rate, rep_rate / raw_rate);
  gens.clear();
  gens.shrink_to_fit();
  remove_db(dir + "/raw.db");
  remove_db(replay_db);
  std::remove(log_path.c_str());

  // ---- 2. a large store -------------------------------------------------------------------
  const std::string big = dir + "/big.db";
  std::uint64_t text_bytes = 0, id_bytes = 0, all_id_bytes = 0;
  std::vector<std::string> chat_ids;
  {
    auto store = Store::open(big, OpenOptions{kSelf, true});
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().describe().c_str());
      return 1;
    }
    std::vector<std::string> users;
    for (int i = 0; i < chats; ++i) chat_ids.push_back(uuid(rng));
    for (int i = 0; i < 200; ++i) users.push_back(uuid(rng));
    std::int64_t now = 1705312800000000;
    t = Clock::now();
    std::vector<LogEntry> batch;
    for (long i = 0; i < messages; ++i) {
      event::SendMsg e;
      e.chat_id = chat_ids[static_cast<size_t>(i % chats)];
      e.recipient_id = kSelf;
      e.sender_id = users[rng() % users.size()];
      e.message_id = uuid(rng);
      e.text = text_of(rng);
      now += 1000;
      e.time_stamp = Timestamp{format_timestamp(now), now};
      text_bytes += e.text.size();
      id_bytes += e.message_id.size();
      all_id_bytes += e.message_id.size() + e.sender_id.size() + e.chat_id.size();
      Event ev = e;
      batch.push_back(LiveEvent{encode_event(ev), std::move(ev)});
      if (batch.size() == kBatch || i + 1 == messages) {
        if (!(*store)->commit(batch)) return 1;
        batch.clear();
      }
    }
    std::printf("built a store of %ld messages in %d chats in %.1f s (%.0f events/s)\n",
                messages, chats, secs_since(t),
                static_cast<double>(messages) / secs_since(t));
  }
  const std::string chat = chat_ids[static_cast<size_t>(chats / 2)];
  t = Clock::now();
  {
    auto store = Store::open(big, OpenOptions{kSelf, false});
    auto reader = Reader::open(big);
    auto window = (*reader)->latest(chat, 50);
    const double ms = secs_since(t) * 1000;
    std::printf("open (writer + reader) + first snapshot of %zu messages: %.2f ms (target < 50)\n",
                window->messages.size(), ms);
    std::vector<double> lat;
    for (int i = 0; i < 2000; ++i) {
      const std::string& c = chat_ids[rng() % chat_ids.size()];
      auto q = Clock::now();
      auto w = (*reader)->latest(c, 50);
      auto json = to_json(*w);
      lat.push_back(secs_since(q) * 1000);
    }
    std::sort(lat.begin(), lat.end());
    std::printf("snapshot query (latest 50 messages of a chat, JSON included): p50 %.3f ms, "
                "p99 %.3f ms (target p50 < 1)\n",
                lat[lat.size() / 2], lat[lat.size() * 99 / 100]);
    lat.clear();
    for (int i = 0; i < 50; ++i) {
      const std::string& c = chat_ids[rng() % chat_ids.size()];
      auto q = Clock::now();
      auto s = (*reader)->snapshot(c);
      auto json = to_json(*s);
      lat.push_back(secs_since(q) * 1000);
    }
    std::sort(lat.begin(), lat.end());
    std::printf("full one-chat snapshot (%ld messages): p50 %.2f ms\n", messages / chats,
                lat[lat.size() / 2]);
  }
  const std::uint64_t size = file_size(big) + file_size(big + "-wal");
  std::printf("store size %.1f MB; texts + message ids %.1f MB -> %.2f x (target <= 2); "
              "texts + message, sender and chat ids %.1f MB -> %.2f x\n",
              static_cast<double>(size) / 1e6, static_cast<double>(text_bytes + id_bytes) / 1e6,
              static_cast<double>(size) / static_cast<double>(text_bytes + id_bytes),
              static_cast<double>(text_bytes + all_id_bytes) / 1e6,
              static_cast<double>(size) / static_cast<double>(text_bytes + all_id_bytes));
  print_breakdown(big);
  remove_db(big);
  ::rmdir(dir.c_str());
  return 0;
}
