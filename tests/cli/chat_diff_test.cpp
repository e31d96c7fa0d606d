#include "capi/chat_diff.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

namespace {

struct Msg {
  std::string id;     // server id or empty
  std::string local;  // local id or empty
  std::string text;
};

std::string message_json(const Msg& m) {
  auto opt = [](const std::string& s) { return s.empty() ? std::string("null") : "\"" + s + "\""; };
  return R"({"messageId":)" + opt(m.id) + R"(,"localId":)" + opt(m.local) +
         R"(,"senderId":"u","text":")" + m.text + R"(","status":"delivered"})";
}

std::string list_json(const std::vector<Msg>& ms) {
  std::string out = "[";
  for (std::size_t i = 0; i < ms.size(); ++i) out += (i ? "," : "") + message_json(ms[i]);
  return out + "]";
}

std::string snapshot_json(const std::vector<Msg>& ms) {
  return R"({"userId":"u","chats":[{"chatId":"c","name":"n","unreadCount":0,"members":[],"messages":)" +
         list_json(ms) + "}]}";
}

/// Parses and re-serializes, so both sides compare in one canonical form.
std::string canonical(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  REQUIRE_FALSE(d.HasParseError());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  return buf.GetString();
}

}  // namespace

TEST_CASE("a local message that gets delivered keeps its key and is an update, not a jump") {
  std::vector<Msg> before = {{"m1", "", "a"}, {"", "L1", "mine"}};
  std::vector<Msg> after = {{"m1", "", "a"}, {"m2", "L1", "mine"}};
  auto diff = whisp::capi::chat_diff(snapshot_json(before), snapshot_json(after), "c", 5);
  REQUIRE(diff.ok());
  rapidjson::Document d;
  d.Parse(diff->c_str());
  CHECK(d["version"].GetInt() == 5);
  CHECK(d["removed"].Empty());
  CHECK(d["inserted"].Empty());
  REQUIRE(d["updated"].Size() == 1);
  CHECK(std::string(d["updated"][0]["key"].GetString()) == "L:L1");
  CHECK(d["updated"][0]["index"].GetInt() == 1);
  CHECK(std::string(d["chat"]["name"].GetString()) == "n");
}

TEST_CASE("the first diff inserts everything, and a vanished chat removes everything") {
  std::vector<Msg> ms = {{"m1", "", "a"}, {"m2", "", "b"}};
  auto first = whisp::capi::chat_diff("", snapshot_json(ms), "c", 1);
  REQUIRE(first.ok());
  CHECK(canonical(*whisp::capi::apply_chat_diff("[]", *first)) == canonical(list_json(ms)));
  auto gone = whisp::capi::chat_diff(snapshot_json(ms), R"({"userId":"u","chats":[]})", "c", 2);
  REQUIRE(gone.ok());
  CHECK(*whisp::capi::apply_chat_diff(list_json(ms), *gone) == "[]");
  CHECK_FALSE(whisp::capi::chat_diff("", "{", "c", 1).ok());
}

TEST_CASE("a diff stream replayed onto the first snapshot equals the last snapshot") {
  const unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  int next_id = 0;
  std::vector<Msg> current;
  std::string replayed = "[]";
  std::string previous_snapshot;
  for (int step = 0; step < 300; ++step) {
    // A random commit: new messages, edits, deletions, deliveries, moves.
    std::vector<Msg> next = current;
    for (int k = pick(4); k > 0; --k) {
      switch (pick(5)) {
        case 0:
          next.insert(next.begin() + pick(static_cast<int>(next.size()) + 1),
                      Msg{"m" + std::to_string(++next_id), "", "t" + std::to_string(step)});
          break;
        case 1:
          next.push_back(Msg{"", "L" + std::to_string(++next_id), "mine"});
          break;
        case 2:
          if (!next.empty()) next[pick(static_cast<int>(next.size()))].text += "!";
          break;
        case 3:
          if (!next.empty()) next.erase(next.begin() + pick(static_cast<int>(next.size())));
          break;
        case 4:
          if (next.size() > 1) {  // delivery: gets a server id and moves
            int from = pick(static_cast<int>(next.size()));
            Msg m = next[from];
            if (m.id.empty()) m.id = "m" + std::to_string(++next_id);
            next.erase(next.begin() + from);
            next.insert(next.begin() + pick(static_cast<int>(next.size()) + 1), m);
          }
          break;
      }
    }
    std::string snapshot = snapshot_json(next);
    auto diff = whisp::capi::chat_diff(previous_snapshot, snapshot, "c", step);
    REQUIRE(diff.ok());
    auto applied = whisp::capi::apply_chat_diff(replayed, *diff);
    REQUIRE(applied.ok());
    replayed = *applied;
    REQUIRE(canonical(replayed) == canonical(list_json(next)));
    previous_snapshot = snapshot;
    current = next;
  }
}
