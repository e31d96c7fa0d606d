// Issue 6 benchmark: backfill after 10,000 missed messages in 10 chats (DESIGN.md "Targets":
// converged in < 2 s over loopback).
//
// alice's engine is synced, then goes offline while bob sends 10,000 messages over 10 chats and
// edits and reacts to some of them. Measured in the same run:
//   - raw REST: the pages alice's backfill needs (getChats, getMessages newest-first in pages of
//     the engine's size until the chat's start, getUsers), downloaded with no engine, one chat
//     at a time and 4 chats at a time (the engine's default concurrency);
//   - engine: go_online() to wait_idle() true; then the snapshot is checked against the
//     server's truth (not timed) and the time until it matched is reported too.
//
// Usage: backfill_bench [messages=10000] [chats=10]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "harness.hpp"
#include "sync_fixture.hpp"
#include "truth.hpp"

using namespace whisp;
using namespace whisp::synctest;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Downloads a chat's history the way the backfill does: newest page first, then older pages.
int download_chat(const RestUser& rest, const std::string& chat, int page) {
  int pages = 0;
  std::optional<std::string> cursor;
  while (true) {
    std::string path = "/api/messages/getMessages/" + chat + "?size=" + std::to_string(page);
    if (cursor) path += "&lastMessage=" + *cursor;
    auto body = rest.get(path);
    if (!body.ok()) {
      std::fprintf(stderr, "getMessages: %s\n", body.error().describe().c_str());
      std::exit(1);
    }
    ++pages;
    rapidjson::Document d;
    d.Parse(body->c_str());
    const auto& msgs = d["messages"];
    if (msgs.Empty()) break;
    // Oldest by (timeStamp, messageId); the dev server's timestamps share one format.
    const rapidjson::Value* oldest = &msgs[0];
    for (const auto& m : msgs.GetArray()) {
      auto a = std::string(m["timeStamp"].GetString()), b = std::string((*oldest)["timeStamp"].GetString());
      if (a < b || (a == b && std::string(m["messageId"].GetString()) < (*oldest)["messageId"].GetString())) {
        oldest = &m;
      }
    }
    cursor = (*oldest)["messageId"].GetString();
    if (static_cast<int>(msgs.Size()) < page) break;
  }
  if (!rest.get("/api/chat/getUsers/" + chat).ok()) std::exit(1);
  return pages;
}

double raw_rest(const RestUser& rest, const std::vector<std::string>& chats, int page, int parallel,
                int* pages_out) {
  auto t = Clock::now();
  if (!rest.get("/api/chat/getChats?page=0&size=50").ok()) std::exit(1);
  std::atomic<int> pages{0};
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < parallel; ++w) {
    workers.emplace_back([&] {
      for (std::size_t i; (i = next++) < chats.size();) pages += download_chat(rest, chats[i], page);
    });
  }
  for (auto& w : workers) w.join();
  *pages_out = pages;
  return ms_since(t);
}

}  // namespace

int main(int argc, char** argv) {
  const int total = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int n_chats = argc > 2 ? std::atoi(argv[2]) : 10;
  auto server = test::start_server();
  test::TempDir dir;
  auto alice = test::TestEngine::start(*server, "alice", dir.file("alice.db"));
  auto bob = test::TestEngine::start(*server, "bob", dir.file("bob.db"));
  if (!alice->engine().wait_idle(std::chrono::seconds(30)) ||
      !bob->engine().wait_idle(std::chrono::seconds(30))) {
    std::fprintf(stderr, "engines never idle\n");
    return 1;
  }
  std::vector<std::string> chats;
  for (int c = 0; c < n_chats; ++c) {
    auto created = bob->engine().create_chat("bench " + std::to_string(c), {"bob", "alice"});
    if (!created.ok()) return 1;
    rapidjson::Document d;
    d.Parse(created->c_str());
    chats.push_back(d["chatId"].GetString());
    if (!bob->engine().send_message(chats.back(), "before").ok()) return 1;
  }
  if (!bob->engine().wait_idle(std::chrono::seconds(30)) ||
      !alice->wait([&] {
        auto s = alice->snapshot();
        for (const auto& c : chats) {
          const auto* chat = test::find_chat(s, c);
          if (!chat || (*chat)["messages"].Empty()) return false;
        }
        return true;
      }, std::chrono::seconds(30)) ||
      !alice->engine().wait_idle(std::chrono::seconds(30))) {
    std::fprintf(stderr, "setup did not settle\n");
    return 1;
  }

  alice->engine().go_offline();
  alice->wait([&] { return server->connection_count("alice") == 0; }, std::chrono::seconds(10));
  auto t_fill = Clock::now();
  for (int i = 0; i < total; ++i) {
    if (!bob->engine().send_message(chats[i % n_chats], "missed " + std::to_string(i)).ok()) return 1;
  }
  if (!bob->engine().wait_idle(std::chrono::seconds(300))) return 1;
  // Edits and reactions among them: every 20th message edited, every 25th reacted to.
  int edits = 0, reactions = 0;
  for (const auto& c : chats) {
    auto s = bob->snapshot(c);
    const auto& msgs = (*test::find_chat(s, c))["messages"];
    for (rapidjson::SizeType i = 0; i < msgs.Size(); ++i) {
      std::string id = msgs[i]["messageId"].GetString();
      if (i % 20 == 7 && bob->engine().edit_message(c, ItemRef::server(id), std::string(msgs[i]["text"].GetString()) + " (edited)").ok()) ++edits;
      if (i % 25 == 3 && bob->engine().react(c, ItemRef::server(id), "+1").ok()) ++reactions;
    }
  }
  if (!bob->engine().wait_idle(std::chrono::seconds(300))) return 1;
  std::printf("setup: %d messages, %d edits, %d reactions in %d chats, made in %.0f ms\n", total,
              edits, reactions, n_chats, ms_since(t_fill));

  const int page = Config{}.initial_history_depth;
  auto rest = rest_user(*server, "alice");
  int pages1 = 0, pages4 = 0;
  double seq = raw_rest(rest, chats, page, 1, &pages1);
  double par = raw_rest(rest, chats, page, 4, &pages4);
  std::printf("raw REST, no engine: %d pages of %d in %.0f ms (1 at a time), %.0f ms (4 at a time)\n",
              pages1, page, seq, par);

  auto t0 = Clock::now();
  alice->engine().go_online();
  bool idle = alice->engine().wait_idle(std::chrono::seconds(120));
  double to_idle = ms_since(t0);
  auto diff = converge({probe_of("alice", *alice, rest)}, std::chrono::seconds(30));
  double to_equal = ms_since(t0);
  std::printf("engine: go_online -> wait_idle %s in %.0f ms (target < 2000 ms); %.2f x the raw "
              "4-way download\n", idle ? "true" : "FALSE", to_idle, to_idle / par);
  std::printf("snapshot equals the server's truth: %s (checked %.0f ms after go_online, the "
              "truth's own REST reads included)\n", diff.empty() ? "yes" : "NO", to_equal);
  if (!diff.empty()) std::printf("%s", diff.substr(0, 3000).c_str());
  return idle && diff.empty() ? 0 : 1;
}
