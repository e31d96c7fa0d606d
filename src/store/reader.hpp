// Read-only access to a store file from any thread: snapshots, chat lists and history windows,
// each read in one read transaction, so it reflects exactly one committed state (WAL readers
// never wait for the writer). Also the raw log, for replay and export.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "store/snapshot.hpp"
#include "whisp/result.hpp"

namespace whisp::store {

class Reader {
 public:
  /// Opens its own read-only connection to an existing store file (not ":memory:").
  static Result<std::unique_ptr<Reader>> open(const std::string& path);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const std::string& self_user_id() const;

  // Thread-safe (serialised inside); each call is one read transaction.
  Result<Snapshot> snapshot(const std::optional<std::string>& chat_id = {});
  Result<ChatList> chat_list();
  /// The newest `count` messages of a chat (own unconfirmed ones included, last).
  Result<HistoryWindow> latest(const std::string& chat_id, int count);
  /// Up to `count` confirmed messages before `message_id`.
  Result<HistoryWindow> before(const std::string& chat_id, const std::string& message_id,
                               int count);

 private:
  struct Impl;
  explicit Reader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Reads the log of a store file in sequence order from `after_seq` on, calling `fn(seq, line)`
/// until it returns false. Opens its own read-only connection.
Status read_log(const std::string& path, std::int64_t after_seq,
                const std::function<bool(std::int64_t, std::string_view)>& fn);

/// True when the file starts with the SQLite header ("SQLite format 3\0").
bool is_sqlite_file(const std::string& path);

}  // namespace whisp::store
