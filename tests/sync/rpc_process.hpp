// A `whisp rpc` child process (DESIGN.md "Headless client"), driven over pipes as a black box:
// JSON lines to its stdin, responses and notifications read from its stdout by a reader thread.
// Its stderr goes to a file (shown when a test fails). Waiting is on conditions with timeouts.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "whisp/result.hpp"

namespace whisp::synctest {

struct RpcOptions {
  std::string server_url, api_key, user, password, db;
  std::string stderr_file;  // where the child's stderr goes
  std::string log_level = "warn";
};

/// The outcome of one call: `result` (a JSON text) or a JSON-RPC error.
struct RpcReply {
  bool ok = false;
  std::string result;     // the "result" member as JSON text
  int code = 0;           // the error code
  std::string message;    // the error message
  std::string raw;        // the whole response line ("" on timeout)
  bool timed_out = false;
};

class RpcProcess {
 public:
  /// The `whisp` binary next to this test binary (both land in BUILD/bin).
  static std::string whisp_binary();
  /// Spawns `whisp rpc`; throws std::runtime_error when fork/exec fails.
  explicit RpcProcess(RpcOptions options);
  /// Closes stdin (EOF stops the client cleanly) and waits; kills it after 10 s.
  ~RpcProcess();
  RpcProcess(const RpcProcess&) = delete;
  RpcProcess& operator=(const RpcProcess&) = delete;

  /// Sends a request with a fresh numeric id and waits for its response.
  RpcReply call(const std::string& method, const std::string& params_json = "{}",
                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// The result parsed; throws std::runtime_error naming the method on an error or timeout.
  rapidjson::Document must(const std::string& method, const std::string& params_json = "{}",
                           std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Writes one raw line (a '\n' is added).
  void send_line(const std::string& line);
  /// Waits for the response with this id; `null_id`: the next response whose id is null.
  RpcReply wait_response(std::optional<long> id, std::chrono::milliseconds timeout);
  long next_id() { return ++last_id_; }

  /// Waits until a notification line satisfies `pred` (all lines so far are looked at).
  /// Only notifications from index `from` on are looked at (see notification_count()).
  bool wait_notification(const std::function<bool(const rapidjson::Document&)>& pred,
                         std::chrono::milliseconds timeout, std::size_t from = 0);
  std::size_t notification_count() const;
  /// goOffline, the `disconnected` notification, goOnline: a fresh connection and sync pass.
  bool reconnect(std::chrono::milliseconds timeout);
  /// Waits until any new line arrived or the timeout passed.
  void wait_change(std::chrono::milliseconds timeout);

  /// SIGKILL, then reaps the child.
  void kill9();
  /// Whether the child is still running (not yet reaped).
  bool running();
  /// Exit status after stdin was closed, waiting up to `timeout`; -1 when it did not exit.
  int close_and_wait(std::chrono::milliseconds timeout);
  std::string stderr_text() const;
  /// The lines of its stderr holding `needle` (the story of one action), at most `max` (the last).
  std::string stderr_lines_with(const std::string& needle, std::size_t max = 40) const;
  const RpcOptions& options() const { return options_; }

 private:
  void read_loop();

  RpcOptions options_;
  int pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  long last_id_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t lines_ = 0;
  bool eof_ = false;
  std::map<long, std::string> responses_;
  std::deque<std::string> null_id_responses_;
  std::vector<std::string> notifications_;
};

}  // namespace whisp::synctest
