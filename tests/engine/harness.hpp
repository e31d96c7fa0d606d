// Test harness for the live engine: an in-process dev server and engines signed in against it
// over loopback, with real SQLite files in a fresh temporary directory. Waiting is always on a
// condition with a timeout (the engine's callbacks wake the waiters), never a sleep.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "devserver.hpp"
#include "whisp/engine.hpp"

namespace whisp::test {

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// An engine plus everything its callbacks reported.
class TestEngine {
 public:
  /// Signs `username` in (password "<username>-password", the seed's) and starts.
  static std::unique_ptr<TestEngine> start(const devserver::DevServer& server,
                                           const std::string& username, const std::string& db,
                                           std::function<void(Config&)> tweak = {});
  ~TestEngine();

  Engine& engine() { return *engine_; }
  Engine* operator->() { return engine_.get(); }

  /// Waits until `pred` holds, re-checking after every callback; false on timeout.
  bool wait(const std::function<bool()>& pred,
            std::chrono::milliseconds timeout = std::chrono::seconds(15));
  /// The snapshot, parsed.
  rapidjson::Document snapshot(const std::string& chat_id = {});
  /// The message with this text in the chat's snapshot (nullptr-like: IsNull() when absent).
  std::string status_of_text(const std::string& chat_id, const std::string& text);
  std::vector<ConnectionEvent> connection_events();
  std::vector<Error> errors();
  std::vector<std::string> statuses_seen(const std::string& local_id);
  std::vector<Tokens> tokens();
  /// Connection events since the last call (a cursor into connection_events()).
  std::size_t connection_event_count();
  /// Waits until the last connection event the callback reported is `state`. connection_state()
  /// changes before the notifier thread runs the on_connection callback that reports it: wait on
  /// this before counting or slicing connection_events().
  bool wait_reported(ConnectionState state,
                     std::chrono::milliseconds timeout = std::chrono::seconds(15));
  /// Waits until on_tokens reported at least one session, then returns the latest JWT ("" on
  /// timeout). The sign-in's tokens reach the callback through the notifier, after start().
  std::string latest_jwt(std::chrono::milliseconds timeout = std::chrono::seconds(15));

 private:
  void bump();
  std::unique_ptr<Engine> engine_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t generation_ = 0;
  std::vector<ConnectionEvent> connection_events_;
  std::vector<Error> errors_;
  std::vector<Tokens> tokens_;
  bool track_statuses_ = true;
  std::map<std::string, std::vector<std::string>> statuses_;  // local id -> statuses in order
  std::string tracked_chat_;
  friend struct Recorder;
};

/// The devserver seeded with alice, bob, carol and a chat, on a free port.
std::unique_ptr<devserver::DevServer> start_server(std::function<void(devserver::DevServerOptions&)> tweak = {});

/// Finds a message object by text in a chat JSON object; null when absent.
const rapidjson::Value* find_message(const rapidjson::Value& chat, const std::string& text);
/// The chat object of a snapshot by id; null when absent.
const rapidjson::Value* find_chat(const rapidjson::Value& snapshot, const std::string& chat_id);

}  // namespace whisp::test
