// whisp-replay as a user runs it: the real binary in a subprocess.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "store/reader.hpp"
#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;
using namespace whisp::store::test;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char buf[] = "/tmp/whisp-replay-test-XXXXXX";
    REQUIRE(::mkdtemp(buf) != nullptr);
    path = buf;
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

struct Run {
  int status = -1;
  std::string out, err;
};

Run replay(const TempDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout"), err = dir.file("stderr");
  std::string cmd = std::string(WHISP_REPLAY_BIN) + " " + args + " >" + out + " 2>" + err;
  int raw = std::system(cmd.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

std::string event_json(const LogEntry& e) { return encode_entry(e); }

}  // namespace

TEST_CASE("bad lines are reported with their line numbers and the good ones still apply",
          "[replay]") {
  TempDir dir;
  std::string log = dir.file("in.jsonl");
  write(log, event_json(send("c1", "u-a", "m1", "one", 1)) + "\n" +
                 "{not json\n" +
                 R"({"type":"SEND_MSG","chatId":"c1","recipientId":"u-self","senderId":"u-a"})" "\n" +
                 R"({"type":"REACT","chatId":"c1","recipientId":"u-self","senderId":"u-a","messageId":7,"message":"x","parentMessageId":"m1","timeStamp":"2024-01-15T10:00:00Z"})" "\n" +
                 "\n" +
                 R"({"entry":"intent","localId":"L1"})" "\n" +
                 event_json(send("c1", "u-a", "m2", "two", 2)) + "\n");
  Run r = replay(dir, "--snapshot - " + log);
  CHECK(r.status == 2);
  CHECK(r.err.find(log + ":2: ") != std::string::npos);
  CHECK(r.err.find(log + ":3: SEND_MSG.") != std::string::npos);
  CHECK(r.err.find(log + ":4: REACT.messageId") != std::string::npos);
  CHECK(r.err.find(log + ":6: intent.madeAt: missing") != std::string::npos);
  CHECK(r.err.find(log + ":1:") == std::string::npos);
  CHECK(r.err.find(log + ":7:") == std::string::npos);
  CHECK(r.out.find("\"userId\":\"u-self\"") != std::string::npos);
  CHECK(r.out.find("\"messageId\":\"m1\"") != std::string::npos);
  CHECK(r.out.find("\"messageId\":\"m2\"") != std::string::npos);
}

TEST_CASE("a store's snapshot equals the replay of its log", "[replay]") {
  TempDir dir;
  const std::string db = dir.file("engine.db");
  std::string expected;
  {
    auto store = Store::open(db, OpenOptions{kSelf, true});
    REQUIRE(store.ok());
    auto entries = rich_history();
    // Several commits, as an engine makes them.
    for (size_t i = 0; i < entries.size(); i += 3) {
      std::vector<LogEntry> batch(entries.begin() + static_cast<long>(i),
                                  entries.begin() + static_cast<long>(std::min(i + 3, entries.size())));
      REQUIRE((*store)->commit(batch).ok());
    }
    expected = to_json(snapshot_of(**store)) + "\n";
  }
  SECTION("from the store file itself, with --verify and --db") {
    Run r = replay(dir, "--verify --db " + dir.file("rebuilt.db") + " --snapshot " +
                            dir.file("snap.json") + " " + db);
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(slurp(dir.file("snap.json")) == expected);
    auto reader = Reader::open(dir.file("rebuilt.db"));
    REQUIRE(reader.ok());
    CHECK(to_json(*(*reader)->snapshot()) + "\n" == expected);
  }
  std::string lines;
  REQUIRE(read_log(db, 0, [&](std::int64_t, std::string_view l) {
            lines.append(l).push_back('\n');
            return true;
          }).ok());
  REQUIRE(lines.size() > 100);
  SECTION("from the log exported as JSON Lines, self taken from the first recipientId") {
    write(dir.file("export.jsonl"), lines);
    Run r = replay(dir, "--snapshot - " + dir.file("export.jsonl"));
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out == expected);
    CHECK(r.err.empty());  // not a terminal: no progress output
  }
  SECTION("--lines prints the store's log as the JSON Lines it holds, packed lines unpacked") {
    Run r = replay(dir, "--lines - " + db);
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(r.out == lines);
    Run to_file = replay(dir, "--lines " + dir.file("lines.jsonl") + " " + db);
    CHECK(to_file.status == 0);
    CHECK(slurp(dir.file("lines.jsonl")) == lines);
    Run bad = replay(dir, "--lines " + dir.file("no/such/dir/x.jsonl") + " " + db);
    CHECK(bad.status == 1);
    CHECK(bad.err.find("--lines: cannot open") != std::string::npos);
  }
  SECTION("--user overrides the self user") {
    Run r = replay(dir, "--user u-a --snapshot - " + db);
    CHECK(r.status == 0);
    CHECK(r.out.find("\"userId\":\"u-a\"") != std::string::npos);
  }
}
