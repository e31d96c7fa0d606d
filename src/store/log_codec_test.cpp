// The packed form of log lines: every line unpacks to exactly its bytes, lines the store
// writes shrink, a line holding a reserved byte is left as text, damage is named, and a store
// keeps its log packed yet reads it back as JSON (older text lines too).
#include "store/log_codec.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <vector>

#include "protocol/events.hpp"
#include "protocol/timestamp.hpp"
#include "store/envelope.hpp"
#include "store/reader.hpp"
#include "store/store.hpp"
#include "store/store_test_util.hpp"

using namespace whisp;
using namespace whisp::store;

namespace {

const std::string kSelf = "550e8400-e29b-41d4-a716-446655440000";

std::string round_trip(const std::string& line, const std::string& self = kSelf) {
  std::string packed, unpacked;
  REQUIRE(pack_line(line, self, packed));
  auto st = unpack_line(packed, self, unpacked);
  REQUIRE(st);
  return unpacked;
}

std::size_t packed_size(const std::string& line) {
  std::string packed;
  REQUIRE(pack_line(line, kSelf, packed));
  return packed.size();
}

}  // namespace

TEST_CASE("every vendor example event unpacks to exactly its bytes, and shrinks") {
  for (const char* name : {"delete_chat", "delete_msg", "delete_react", "edit_msg", "new_chat",
                           "react", "read_msg", "reply", "send_msg", "user_join", "user_leave"}) {
    const std::string line = test::slurp(std::string(WHISP_TEST_DATA) + "/vendor-events/" + name +
                                       ".json");
    INFO(name);
    REQUIRE(!line.empty());
    CHECK(round_trip(line) == line);
    CHECK(packed_size(line) < line.size());
  }
}

TEST_CASE("a SEND_MSG as the server writes it packs to well under half its size") {
  event::SendMsg e;
  e.chat_id = "660e8400-e29b-41d4-a716-446655440001";
  e.recipient_id = kSelf;
  e.sender_id = "990e8400-e29b-41d4-a716-446655440004";
  e.message_id = "770e8400-e29b-41d4-a716-446655440002";
  e.text = "see you at the standup tomorrow";
  e.time_stamp = timestamp_from_micros(1705312800123456);
  const std::string line = encode_event(Event{e});
  CHECK(round_trip(line) == line);
  CHECK(packed_size(line) * 2 < line.size());
  // The same line for another user: the recipient is an ordinary UUID then, still exact.
  CHECK(round_trip(line, "aa0e8400-e29b-41d4-a716-446655440009") == line);
  CHECK(round_trip(line, "") == line);
}

TEST_CASE("a history page of fifty messages packs to less than half its JSON") {
  HistoryPage page;
  page.after_seq = 1234;
  page.chat_id = "660e8400-e29b-41d4-a716-446655440001";
  for (int i = 0; i < 50; ++i) {
    rest::Message m;
    m.chat_id = page.chat_id;
    m.time_stamp = timestamp_from_micros(1705312800000000 + i * 1000000LL);
    char id[40];
    std::snprintf(id, sizeof id, "770e8400-e29b-41d4-a716-4466554%05d", i);
    m.message_id = id;
    m.sender_id = i % 3 ? kSelf : "990e8400-e29b-41d4-a716-446655440004";
    m.content = "message number " + std::to_string(i) + " of the page";
    page.page.messages.push_back(std::move(m));
  }
  const std::string line = encode_entry(LogEntry{page});
  CHECK(round_trip(line) == line);
  CHECK(packed_size(line) * 2 < line.size());
}

TEST_CASE("near misses of UUIDs and timestamps stay as they are") {
  for (const std::string line : {
           R"({"id":"660E8400-E29B-41D4-A716-446655440001"})",    // upper case
           R"({"id":"660e8400-e29b-41d4-a716-44665544000"})",     // one digit short
           R"({"id":"660e8400-e29b-41d4-a716-4466554400011"})",   // one too many
           R"({"id":"660e8400xe29b-41d4-a716-446655440001"})",    // no dash
           R"({"t":"2024-01-15T10:00:00Z"})",                     // not the canonical form
           R"({"t":"2024-01-15T10:00:00.123456+01:00"})",
           R"({"t":"2024-13-15T10:00:00.123456Z"})",              // month 13
           R"({"t":"2024-01-15T10:00:00.1234567"})",
           R"("550e8400-e29b-41d4-a716-446655440000)",            // self without its quote
           R"(nul,nul"null",{"type":"SEND_MS"})",
           "", "\"", "\"\"", "{", ",", "n",
       }) {
    INFO(line);
    CHECK(round_trip(line) == line);
  }
}

TEST_CASE("random bytes without reserved ones unpack to exactly themselves") {
  // The alphabet is made of the pieces the code looks for, so that they meet in every way.
  const std::vector<std::string> pieces = {
      "\"", ",", "{", "}", "n", "null", "\"chatId\":", ",\"chatId\":", "\"SEND_MSG\"",
      "660e8400-e29b-41d4-a716-446655440001", kSelf, "2024-01-15T10:00:00.123456Z", "a", "é",
      ",\"edited\":false", ",\"edited\":false,\"editedAt\":null,\"replyTo\":null,\"reactions\":[]}",
      "\n", "\t", "\\\""};
  std::mt19937_64 rng(7);
  for (int n = 0; n < 5000; ++n) {
    std::string line;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) line += pieces[rng() % pieces.size()];
    INFO("case " << n << ": " << line);
    REQUIRE(round_trip(line) == line);
  }
}

TEST_CASE("a line holding a reserved byte is not packed") {
  std::string packed;
  CHECK_FALSE(pack_line(std::string("{\"a\":\"x\x01y\"}"), kSelf, packed));
  CHECK_FALSE(pack_line(std::string("{\"a\":\"\xff\"}"), kSelf, packed));  // spare marker
  // NUL is not reserved: it stays as it is.
  CHECK(round_trip(std::string("a\0b", 3)) == std::string("a\0b", 3));
}

TEST_CASE("a damaged packed line is refused with the offset and the reason") {
  std::string out;
  auto cut = unpack_line(std::string("{\x01\x12\x34", 4), kSelf, out);
  REQUIRE_FALSE(cut);
  CHECK(cut.error().message == "packed log line: byte 1: a UUID cut short");
  auto again = unpack_line(std::string("{\x02\x00", 3), kSelf, out);
  REQUIRE_FALSE(again);
  CHECK(again.error().message == "packed log line: byte 1: repeats UUID 0 of 0");
  auto ts = unpack_line(std::string("\x04\x01\x02", 3), kSelf, out);
  REQUIRE_FALSE(ts);
  CHECK(ts.error().message == "packed log line: byte 0: a timestamp cut short");
  auto self = unpack_line(std::string("\x03", 1), "", out);
  REQUIRE_FALSE(self);
  CHECK(self.error().message == "packed log line: byte 0: names the store's user, but none is given");
}

TEST_CASE("a store keeps its log packed and reads back every line as it was written") {
  test::TempStore tmp;
  const std::string& path = tmp.path;
  std::vector<std::string> lines;
  for (const char* name : {"send_msg", "reply", "react", "edit_msg", "read_msg", "delete_msg"}) {
    lines.push_back(test::slurp(std::string(WHISP_TEST_DATA) + "/vendor-events/" + name + ".json"));
  }
  {
    auto store = Store::open(path, OpenOptions{kSelf, true});
    REQUIRE(store);
    std::vector<LogEntry> batch;
    for (const auto& line : lines) {
      auto e = decode_event(line);
      REQUIRE(e);
      batch.push_back(LiveEvent{line, std::move(*e)});
    }
    REQUIRE((*store)->commit(batch));
  }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    SQLite::Statement q(raw, "SELECT typeof(line), length(line) FROM log ORDER BY seq");
    std::size_t i = 0;
    while (q.executeStep()) {
      CHECK(q.getColumn(0).getString() == "blob");
      CHECK(static_cast<std::size_t>(q.getColumn(1).getInt()) < lines.at(i++).size());
    }
    CHECK(i == lines.size());
    // A line written as text (by a version-3 store) reads back as it is.
    raw.exec("INSERT INTO log(line) VALUES('{\"type\":\"TYPING\"}')");
  }
  std::vector<std::string> read;
  REQUIRE(read_log(path, 0, [&](std::int64_t, std::string_view line) {
    read.emplace_back(line);
    return true;
  }));
  lines.push_back("{\"type\":\"TYPING\"}");
  CHECK(read == lines);
}
