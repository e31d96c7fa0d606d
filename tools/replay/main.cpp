// whisp-replay: replays event logs (JSON Lines of bare Whisp events or the store's own envelopes,
// or an existing store file's log) into a fresh store through the engine's own decode_entry and
// apply, prints the snapshot and verifies determinism. DESIGN.md, contract "Replay".
//
//   whisp-replay [--user ID] [--snapshot FILE|-] [--db FILE] [--verify] [--lines FILE|-] LOG...
//
// --lines (beyond the contract) writes every line read, as JSON Lines: a store file's log as
// text, to read what an engine received, in order.
//
// Exit status: 0 ok; 2 some lines were rejected (each reported as `LOG:LINE: reason`);
// 1 a fatal error or --verify found different snapshots.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "store/reader.hpp"
#include "store/replay.hpp"
#include "store/snapshot.hpp"
#include "store/store.hpp"

using namespace whisp;
using namespace whisp::store;

namespace {

struct Progress {
  bool enabled = isatty(STDERR_FILENO) != 0;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last = start;
  std::uint64_t total_bytes = 0;
  std::uint64_t done_bytes = 0;
  std::int64_t events = 0;

  void tick(std::size_t bytes) {
    ++events;
    done_bytes += bytes + 1;
    if (!enabled || (events & 1023) != 0) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(250)) return;
    last = now;
    double secs = std::chrono::duration<double>(now - start).count();
    double rate = secs > 0 ? static_cast<double>(events) / secs : 0;
    double left = 0;
    if (done_bytes > 0 && total_bytes > done_bytes && secs > 0) {
      left = secs * static_cast<double>(total_bytes - done_bytes) / static_cast<double>(done_bytes);
    }
    std::fprintf(stderr, "\r%lld events, %.0f/s, %.0f s left   ",
                 static_cast<long long>(events), rate, left);
  }
  void finish() {
    if (enabled) std::fprintf(stderr, "\r%lld events done%20s\n", static_cast<long long>(events), "");
  }
};

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void remove_store_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path + suffix).c_str());
}

std::optional<std::string> find_self(const std::vector<std::string>& logs) {
  for (const auto& log : logs) {
    if (is_sqlite_file(log)) {
      auto r = Reader::open(log);
      if (r.ok()) return (*r)->self_user_id();
      continue;
    }
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
      if (auto self = recipient_of(line)) return self;
    }
  }
  return std::nullopt;
}

std::string temp_path(const char* tag) {
  const char* dir = std::getenv("TMPDIR");
  std::string templ = std::string(dir && *dir ? dir : "/tmp") + "/whisp-replay-" + tag + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd >= 0) ::close(fd);
  return std::string(buf.data());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Replays Whisp event logs into a fresh store and prints its snapshot."};
  std::optional<std::string> user;
  std::optional<std::string> snapshot_out;
  std::optional<std::string> db_path;
  bool verify = false;
  std::optional<std::string> lines_out;
  std::vector<std::string> logs;
  app.add_option("--user", user, "self user id (default: recipientId of the first event)");
  app.add_option("--snapshot", snapshot_out, "write the snapshot JSON to FILE, or - for stdout");
  app.add_option("--db", db_path, "keep the rebuilt store in FILE (replaced if it exists)");
  app.add_flag("--verify", verify, "rebuild from the new store's own log and compare snapshots");
  app.add_option("--lines", lines_out,
                 "write every line read to FILE, or - for stdout (a store file's log as text)");
  app.add_option("LOG", logs, "JSON Lines files or store files")->required();
  CLI11_PARSE(app, argc, argv);

  if (!user) user = find_self(logs);
  if (!user) {
    std::cerr << "whisp-replay: no --user given and no event with a recipientId found\n";
    return 1;
  }
  const bool temp_db = !db_path;
  const std::string path = temp_db ? temp_path("db") : *db_path;
  for (const auto& log : logs) {
    if (log == path) {
      std::cerr << "whisp-replay: --db must not be one of the LOG files\n";
      return 1;
    }
  }
  remove_store_files(path);
  std::ofstream lines_file;
  if (lines_out && *lines_out != "-") {
    lines_file.open(*lines_out, std::ios::binary | std::ios::trunc);
    if (!lines_file) {
      std::cerr << "whisp-replay: --lines: cannot open " << *lines_out << "\n";
      return 1;
    }
  }
  std::ostream* lines = !lines_out ? nullptr : *lines_out == "-" ? &std::cout : &lines_file;
  int status = 0;
  {
    auto opened = Store::open(path, OpenOptions{*user, true});
    if (!opened) {
      std::cerr << "whisp-replay: " << opened.error().describe() << "\n";
      return 1;
    }
    Store& store = **opened;
    Replayer replayer(store);
    Progress progress;
    for (const auto& log : logs) progress.total_bytes += file_size(log);
    std::int64_t rejected = 0;
    bool fatal = false;
    auto feed = [&](const std::string& log, std::int64_t line_no, std::string_view line) {
      progress.tick(line.size());
      if (lines) *lines << line << '\n';
      auto s = replayer.add_line(line);
      if (s) return true;
      if (s.error().code == ErrorCode::storage_error) {
        std::cerr << "whisp-replay: " << s.error().describe() << "\n";
        fatal = true;
        return false;
      }
      ++rejected;
      std::cerr << log << ":" << line_no << ": " << s.error().message << "\n";
      return true;
    };
    for (const auto& log : logs) {
      if (fatal) break;
      if (is_sqlite_file(log)) {
        auto r = read_log(log, 0, [&](std::int64_t seq, std::string_view line) {
          return feed(log, seq, line);
        });
        if (!r) {
          std::cerr << "whisp-replay: " << r.error().describe() << "\n";
          fatal = true;
        }
        continue;
      }
      std::ifstream in(log, std::ios::binary);
      if (!in) {
        std::cerr << "whisp-replay: cannot open " << log << "\n";
        fatal = true;
        break;
      }
      std::string line;
      std::int64_t line_no = 0;
      while (std::getline(in, line)) {
        ++line_no;
        if (!feed(log, line_no, line)) break;
      }
    }
    if (!fatal) {
      auto f = replayer.flush();
      if (!f) {
        std::cerr << "whisp-replay: " << f.error().describe() << "\n";
        fatal = true;
      }
    }
    progress.finish();
    if (fatal) {
      if (temp_db) remove_store_files(path);
      return 1;
    }
    std::string json;  // only built when asked for: a full snapshot of a big store costs
    if (snapshot_out || verify) {
      auto snap = store.snapshot();
      if (!snap) {
        std::cerr << "whisp-replay: " << snap.error().describe() << "\n";
        return 1;
      }
      json = to_json(*snap);
    }
    if (snapshot_out) {
      if (*snapshot_out == "-") {
        std::cout << json << "\n";
      } else {
        std::ofstream out(*snapshot_out, std::ios::binary | std::ios::trunc);
        out << json << "\n";
        if (!out) {
          std::cerr << "whisp-replay: cannot write " << *snapshot_out << "\n";
          return 1;
        }
      }
    }
    if (rejected > 0) {
      std::cerr << "whisp-replay: " << rejected << " line(s) rejected\n";
      status = 2;
    }
    if (verify) {
      const std::string again_path = temp_path("verify");
      remove_store_files(again_path);
      std::string again_json;
      {
        auto again = Store::open(again_path, OpenOptions{*user, true});
        std::int64_t bad = 0;
        if (!again) {
          std::cerr << "whisp-replay: verify: " << again.error().describe() << "\n";
          return 1;
        }
        auto r = replay_store_file(path, **again, &bad);
        auto s2 = (*again)->snapshot();
        if (!r || !s2 || bad != 0) {
          std::cerr << "whisp-replay: verify: rebuilding from the store's log failed\n";
          status = 1;
        } else {
          again_json = to_json(*s2);
        }
      }
      remove_store_files(again_path);
      if (status != 1 && again_json != json) {
        std::cerr << "whisp-replay: verify: the rebuilt snapshot differs\n";
        status = 1;
      }
    }
  }
  if (temp_db) remove_store_files(path);
  return status;
}
