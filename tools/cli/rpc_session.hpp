// JSON-RPC 2.0 over lines (DESIGN.md "Headless client"): framing, validation and dispatch of
// one request line at a time, and the notification lines the engine's callbacks produce.
//
// Pure: no I/O and no threads. The session talks to an engine through `RpcBackend`, a small
// abstract class that `EngineBackend` (engine_backend.hpp) implements over whisp::Engine and
// that the tests implement with a fake. Output is the caller's business; `LineWriter` is the
// thread-safe stdout writer `whisp rpc` uses (responses from the stdin thread, notifications
// from the engine's callback thread).
//
// Error codes: -32700 a line that is not JSON; -32600 not an object, a bad "jsonrpc"/"id", or no
// string "method"; -32601 unknown method; -32602 params missing, of the wrong type, unknown, or
// refused by the engine as invalid (engine codes invalid_argument / not_found); -32000 any other
// engine failure (rejected, closed, timeout, io_error, ...). Engine failures carry
// `data: {"code": "<whisp::ErrorCode name>"}`. A request without "id" is a notification and gets
// no response (JSON-RPC 2.0), unless the line cannot be parsed or is not a valid request.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"

namespace whisp::cli {

/// What a session needs from an engine. Mirrors whisp::Engine; every call may block (the
/// session runs requests one at a time, in the order they arrive).
class RpcBackend {
 public:
  virtual ~RpcBackend() = default;

  virtual Result<std::string> send_message(const std::string& chat_id, const std::string& text) = 0;
  virtual Result<std::string> reply(const std::string& chat_id, const ItemRef& parent,
                                    const std::string& text) = 0;
  virtual Status edit_message(const std::string& chat_id, const ItemRef& message,
                              const std::string& text) = 0;
  virtual Status delete_message(const std::string& chat_id, const ItemRef& message) = 0;
  virtual Result<std::string> react(const std::string& chat_id, const ItemRef& message,
                                    const std::string& emoji) = 0;
  virtual Status unreact(const std::string& chat_id, const ItemRef& reaction) = 0;
  virtual Status mark_read(const std::string& chat_id, const std::string& message_id) = 0;
  virtual Status typing(const std::string& chat_id) = 0;

  // REST passthroughs: the result body as JSON text (empty = no body).
  virtual Result<std::string> create_chat(const std::string& name,
                                          const std::vector<std::string>& user_names) = 0;
  virtual Result<std::string> add_user(const std::string& chat_id, const std::string& username) = 0;
  virtual Result<std::string> remove_user(const std::string& chat_id,
                                          const std::string& user_id) = 0;
  virtual Result<std::string> rename_chat(const std::string& chat_id, const std::string& name) = 0;
  virtual Result<std::string> delete_chat(const std::string& chat_id) = 0;

  /// The snapshot JSON of the contract, all chats or one.
  virtual Result<std::string> snapshot_json(const std::optional<std::string>& chat_id) = 0;
  virtual Result<int> load_older(const std::string& chat_id, int count) = 0;
  virtual void go_offline() = 0;
  virtual void go_online() = 0;
  virtual bool wait_idle(std::chrono::milliseconds timeout) = 0;
};

/// JSON-RPC error codes used by the session.
namespace rpc_error {
constexpr int parse_error = -32700;
constexpr int invalid_request = -32600;
constexpr int method_not_found = -32601;
constexpr int invalid_params = -32602;
constexpr int engine_error = -32000;
}  // namespace rpc_error

/// The methods of the contract, in the order of DESIGN.md's table.
const std::vector<std::string>& rpc_method_names();

class RpcSession {
 public:
  /// `backend` must outlive the session.
  explicit RpcSession(RpcBackend& backend);

  /// Handles one input line (without its line end). Returns the response line (no line end),
  /// or nullopt when nothing is to be answered: a blank line or a notification that was valid.
  std::optional<std::string> handle_line(std::string_view line);

 private:
  RpcBackend& backend_;
};

/// Notification lines (no "id"), exactly as the contract.
namespace rpc_notify {
/// `changed {chatId, version}`; chatId is null for a change of the chat list alone.
std::string changed(const std::optional<std::string>& chat_id, std::int64_t version);
/// One `changed` line per chat of the change (a single one with a null chatId when the
/// change names no chat).
std::vector<std::string> changed_lines(const Change& change);
/// `connection {state, attempt?}` for the states of the contract (connected, disconnected,
/// reconnecting: with `attempt`). `connecting` has no contract state: nullopt. `auth_failed`
/// is reported as `disconnected` (the engine also reports the failure through on_error).
std::optional<std::string> connection(const ConnectionEvent& event);
/// `error {code, message}`, code being the whisp::ErrorCode name.
std::string error(const Error& error);
}  // namespace rpc_notify

/// Writes whole lines to a FILE, one writer at a time, flushing after each line. Any thread.
class LineWriter {
 public:
  explicit LineWriter(std::FILE* out) : out_(out) {}
  /// Writes `line` and a '\n', then flushes. Returns false once the stream has failed
  /// (the reader went away); later writes are dropped.
  bool write_line(std::string_view line);

 private:
  std::mutex mutex_;
  std::FILE* out_;
  bool failed_ = false;
};

}  // namespace whisp::cli
