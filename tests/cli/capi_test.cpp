#include "whisp/whisp.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "capi/chat_diff.hpp"
#include "devserver.hpp"

namespace {

namespace fs = std::filesystem;

/// Collects callback events; the test waits on them without sleeping.
struct Events {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::pair<int, std::string>> seen;

  static void callback(void* user_data, int kind, const char* json) {
    auto* self = static_cast<Events*>(user_data);
    std::lock_guard<std::mutex> lock(self->mutex);
    self->seen.emplace_back(kind, json);
    self->cv.notify_all();
  }
  bool wait_for(int kind, const std::string& part, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, timeout, [&] {
      for (const auto& [k, j] : seen) {
        if (k == kind && j.find(part) != std::string::npos) return true;
      }
      return false;
    });
  }
};

/// Takes ownership of a library string.
std::string take(char*& s) {
  std::string out = s != nullptr ? s : "";
  whisp_string_free(s);
  s = nullptr;
  return out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "whisp-capi-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string config_for(const whisp::devserver::DevServer& server, const std::string& user,
                       const std::string& password, const std::string& db) {
  return R"({"serverUrl":")" + server.url() + R"(","databasePath":")" + db +
         R"(","auth":{"username":")" + user + R"(","password":")" + password +
         R"(","apiKey":")" + server.api_key() + R"("},"backoffInitialMs":100})";
}

}  // namespace

TEST_CASE("a bad config or a NULL handle is refused with a message and nothing runs") {
  whisp_engine* engine = reinterpret_cast<whisp_engine*>(0x1);
  char* error = nullptr;
  CHECK(whisp_engine_start("{\"serverUrl\":1}", nullptr, nullptr, &engine, &error) ==
        WHISP_ERR_INVALID_ARGUMENT);
  CHECK(engine == nullptr);
  CHECK(take(error).find("serverUrl") != std::string::npos);
  CHECK(whisp_engine_start(nullptr, nullptr, nullptr, &engine, &error) == WHISP_ERR_INVALID_ARGUMENT);
  take(error);
  char* out = reinterpret_cast<char*>(0x1);
  CHECK(whisp_snapshot(nullptr, nullptr, &out, &error) == WHISP_ERR_INVALID_ARGUMENT);
  CHECK(out == nullptr);
  take(error);
  CHECK(whisp_wait_idle(nullptr, 10) == 0);
  whisp_engine_free(nullptr);
  whisp_string_free(nullptr);
  CHECK(std::string(whisp_version()) == "0.1.0");
}

TEST_CASE("through the C API an engine syncs, sends, reacts, sees another user's message and logs out erasing its store") {
  whisp::devserver::DevServerOptions options;
  options.seed_demo = true;
  options.pbkdf2_iterations = 1000;
  auto server = whisp::devserver::DevServer::start(options);
  REQUIRE(server.ok());
  const auto& users = (*server)->seeded_users();
  REQUIRE(users.size() >= 2);
  const std::string chat = (*server)->seeded_chat_id();
  TempDir dir;
  const std::string alice_db = (dir.path / "alice.db").string();

  Events alice_events, bob_events;
  whisp_engine* alice = nullptr;
  whisp_engine* bob = nullptr;
  char* error = nullptr;
  REQUIRE(whisp_engine_start(config_for(**server, users[0].username, users[0].password, alice_db).c_str(),
                             &Events::callback, &alice_events, &alice, &error) == WHISP_OK);
  REQUIRE(whisp_engine_start(config_for(**server, users[1].username, users[1].password,
                                        (dir.path / "bob.db").string()).c_str(),
                             &Events::callback, &bob_events, &bob, &error) == WHISP_OK);
  // Bob's UI subscribes to the chat: a first snapshot, then a diff per commit.
  struct Stream {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::pair<std::string, std::string>> updates;  // (snapshot, diff)
    static void on_update(void* ud, const char* snapshot, const char* diff) {
      auto* self = static_cast<Stream*>(ud);
      {
        std::lock_guard<std::mutex> lock(self->mutex);
        self->updates.emplace_back(snapshot, diff);
      }
      self->cv.notify_all();
    }
  } stream;
  std::uint64_t subscription = 0;
  REQUIRE(whisp_subscribe_chat(bob, chat.c_str(), &Stream::on_update, &stream, &subscription,
                               &error) == WHISP_OK);
  CHECK(subscription != 0);
  {
    std::lock_guard<std::mutex> lock(stream.mutex);
    REQUIRE(stream.updates.size() == 1);  // the first one, delivered inside subscribe
  }

  char* user_id = whisp_user_id(alice);
  CHECK(take(user_id) == users[0].id);

  REQUIRE(whisp_wait_idle(alice, 20000) == 1);
  REQUIRE(whisp_wait_idle(bob, 20000) == 1);
  // Idle sees the state connected before the notifier thread runs the callback reporting it.
  CHECK(alice_events.wait_for(WHISP_EVENT_CONNECTION, "\"connected\"", std::chrono::seconds(15)));

  char* snapshot = nullptr;
  REQUIRE(whisp_snapshot(alice, chat.c_str(), &snapshot, &error) == WHISP_OK);
  CHECK(take(snapshot).find("welcome to Whisp") != std::string::npos);

  char* local_id = nullptr;
  REQUIRE(whisp_send_message(alice, chat.c_str(), "sent through C", &local_id, &error) == WHISP_OK);
  const std::string local = take(local_id);
  CHECK_FALSE(local.empty());
  // A reaction aimed at the still-local message waits for its server id, then goes.
  REQUIRE(whisp_react(alice, chat.c_str(), local.c_str(), 1, "\xE2\x9C\xA8", &local_id, &error) == WHISP_OK);
  take(local_id);
  REQUIRE(whisp_wait_idle(alice, 20000) == 1);

  // Bob's engine is told about the commit and shows the message and the reaction.
  REQUIRE(bob_events.wait_for(WHISP_EVENT_CHANGED, chat, std::chrono::seconds(20)));
  bool seen = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!seen && std::chrono::steady_clock::now() < deadline) {
    REQUIRE(whisp_snapshot(bob, chat.c_str(), &snapshot, &error) == WHISP_OK);
    std::string s = take(snapshot);
    seen = s.find("sent through C") != std::string::npos && s.find("\xE2\x9C\xA8") != std::string::npos;
    if (!seen) {
      std::unique_lock<std::mutex> lock(bob_events.mutex);
      std::size_t n = bob_events.seen.size();
      bob_events.cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return bob_events.seen.size() > n; });
    }
  }
  CHECK(seen);

  // Bob acts too (a local message that gets delivered keeps its key), then the stream, replayed
  // onto the first snapshot, must equal the last snapshot.
  REQUIRE(whisp_send_message(bob, chat.c_str(), "bob via C", &local_id, &error) == WHISP_OK);
  take(local_id);
  REQUIRE(whisp_wait_idle(bob, 20000) == 1);
  // Idle means the store has bob's message delivered; the subscription hears of that commit
  // later, on the notifier thread. Wait until its last update shows it before unsubscribing.
  {
    std::unique_lock<std::mutex> lock(stream.mutex);
    CHECK(stream.cv.wait_for(lock, std::chrono::seconds(15), [&] {
      if (stream.updates.empty()) return false;
      rapidjson::Document d;
      d.Parse(stream.updates.back().first.c_str());
      if (!d.IsObject() || !d.HasMember("chats") || d["chats"].Empty()) return false;
      for (const auto& m : d["chats"][0]["messages"].GetArray()) {
        if (m.HasMember("text") && m["text"].IsString() &&
            std::string(m["text"].GetString()) == "bob via C") {
          return m.HasMember("status") && m["status"].IsString() &&
                 std::string(m["status"].GetString()) == "delivered";
        }
      }
      return false;
    }));
  }
  whisp_unsubscribe(bob, subscription);
  {
    std::lock_guard<std::mutex> lock(stream.mutex);
    REQUIRE(stream.updates.size() >= 3);
    auto messages_of = [](const std::string& snapshot) {
      rapidjson::Document d;
      d.Parse(snapshot.c_str());
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      d["chats"][0]["messages"].Accept(w);
      return std::string(buf.GetString());
    };
    std::string replayed = "[]";
    for (const auto& [snapshot, diff] : stream.updates) {
      auto next = whisp::capi::apply_chat_diff(replayed, diff);
      REQUIRE(next.ok());
      replayed = *next;
    }
    CHECK(replayed == messages_of(stream.updates.back().first));
    CHECK(replayed.find("bob via C") != std::string::npos);
  }
  std::size_t after_unsubscribe = stream.updates.size();

  // Errors name the problem and leave the engine usable.
  CHECK(whisp_edit_message(alice, chat.c_str(), "no-such-message", 0, "x", &error) != WHISP_OK);
  CHECK_FALSE(take(error).empty());
  CHECK(whisp_send_message(alice, nullptr, "x", &local_id, &error) == WHISP_ERR_INVALID_ARGUMENT);
  take(error);

  REQUIRE(whisp_engine_logout(alice, 1, &error) == WHISP_OK);
  {
    std::lock_guard<std::mutex> lock(stream.mutex);
    CHECK(stream.updates.size() == after_unsubscribe);  // nothing after unsubscribe
  }
  CHECK(whisp_snapshot(alice, nullptr, &snapshot, &error) == WHISP_ERR_CLOSED);
  take(error);
  whisp_engine_free(alice);
  whisp_engine_free(bob);
  CHECK_FALSE(fs::exists(alice_db));
  CHECK_FALSE(fs::exists(alice_db + "-wal"));
}
