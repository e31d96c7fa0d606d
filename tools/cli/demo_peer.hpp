// One user of `whisp demo`: an engine plus a way to wait, without polling, until its snapshot
// shows something (each committed change wakes the waiter).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp::cli {

/// What the demo reads out of a chat of a snapshot about one message.
struct MessageFacts {
  std::optional<std::string> message_id;
  std::string status;
  bool edited = false;
  std::size_t reactions = 0;
};

/// Finds the message of `chat_id` whose text is `text` (the newest such) in snapshot JSON.
std::optional<MessageFacts> find_message(const std::string& snapshot_json, const std::string& chat_id,
                                         const std::string& text);
/// How many messages of `chat_id` have the text `text`.
std::size_t count_messages(const std::string& snapshot_json, const std::string& chat_id,
                           const std::string& text);
/// The lastReadMessageId of `user_id` in `chat_id`, when any.
std::optional<std::string> read_pointer(const std::string& snapshot_json, const std::string& chat_id,
                                        const std::string& user_id);

class DemoPeer {
 public:
  /// Starts an engine for `username` on a store at `db_path`.
  static Result<std::unique_ptr<DemoPeer>> start(const std::string& name, const std::string& server_url,
                                                 const std::string& api_key,
                                                 const std::string& username,
                                                 const std::string& password,
                                                 const std::string& db_path);
  ~DemoPeer();

  const std::string& name() const { return name_; }
  Engine& engine() { return *engine_; }
  std::string connection() const;

  /// The chat's snapshot JSON (the whole snapshot when chat_id is empty); "" on failure.
  std::string snapshot(const std::string& chat_id = {}) const;

  /// Waits until `done(snapshot_json)` holds, re-checking after every commit. False on timeout.
  bool wait_until(const std::string& chat_id, const std::function<bool(const std::string&)>& done,
                  std::chrono::milliseconds timeout);

  /// Stops the engine (joins its threads).
  void stop();

 private:
  DemoPeer() = default;

  std::string name_;
  std::unique_ptr<Engine> engine_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t version_ = 0;
  std::string connection_ = "starting";
};

}  // namespace whisp::cli
