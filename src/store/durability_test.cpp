// Durability (DESIGN.md invariant 2): a child process ingests a large log and reports every
// committed seq on a pipe; it is SIGKILLed at random moments. Each reopened store passes
// integrity_check, holds every reported entry, and its projections equal a replay of its log.
#include "store/store.hpp"

#include <SQLiteCpp/Database.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "store/replay.hpp"
#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child spawn(const std::string& db, std::uint64_t seed) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::string s = std::to_string(seed);
    ::execl(WHISP_INGEST_CHILD, WHISP_INGEST_CHILD, db.c_str(), s.c_str(), "200000",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  return Child{pid, fds[0]};
}

// Reads "<seq>\n" lines until `reports` were read (or EOF); returns the highest seq.
std::int64_t read_reports(int fd, int reports, bool* done) {
  std::int64_t highest = 0;
  std::string pending;
  char buf[4096];
  int seen = 0;
  while (seen < reports) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
    size_t pos;
    while ((pos = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, pos);
      pending.erase(0, pos + 1);
      if (line == "done") {
        *done = true;
        return highest;
      }
      highest = std::max<std::int64_t>(highest, std::stoll(line));
      ++seen;
    }
  }
  return highest;
}

}  // namespace

TEST_CASE("a store killed at random moments keeps every reported commit", "[durability]") {
  char dir_buf[] = "/tmp/whisp-durability-XXXXXX";
  REQUIRE(::mkdtemp(dir_buf) != nullptr);
  const std::string dir = dir_buf;
  std::mt19937_64 rng(20240115);
  for (int round = 0; round < 20; ++round) {
    const std::string db = dir + "/store" + std::to_string(round) + ".db";
    Child child = spawn(db, rng());
    bool done = false;
    const int reports = 1 + static_cast<int>(rng() % 120);
    std::int64_t reported = read_reports(child.out, reports, &done);
    ::kill(child.pid, SIGKILL);
    // Whatever the child reported before it died counts too.
    std::int64_t tail = read_reports(child.out, 1 << 30, &done);
    reported = std::max(reported, tail);
    ::close(child.out);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    INFO("round " << round << ", reported seq " << reported);
    REQUIRE(reported > 0);
    {
      SQLite::Database raw(db, SQLite::OPEN_READWRITE);
      CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
    }
    auto store = Store::open(db, OpenOptions{kSelf, false});
    REQUIRE(store.ok());
    CHECK((*store)->last_seq() >= reported);
    {
      SQLite::Database raw(db, SQLite::OPEN_READONLY);
      SQLite::Statement q(raw, "SELECT COUNT(*) FROM log WHERE seq<=?");
      q.bind(1, reported);
      REQUIRE(q.executeStep());
      CHECK(q.getColumn(0).getInt64() == reported);
    }
    auto rebuilt = memory_store();
    std::int64_t rejected = -1;
    REQUIRE(replay_store_file(db, *rebuilt, &rejected).ok());
    CHECK(rejected == 0);
    CHECK(to_json(snapshot_of(**store)) == to_json(snapshot_of(*rebuilt)));
    auto out_a = (*store)->outbox();
    auto out_b = rebuilt->outbox();
    REQUIRE(out_a.ok());
    REQUIRE(out_b.ok());
    CHECK(out_a->size() == out_b->size());
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}
