// Feeding log lines into a Store: what whisp-replay, rebuilds and the tests use. The same
// decode_entry and Store::commit (hence the same apply) as the engine — no second implementation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/log_entry.hpp"
#include "store/store.hpp"
#include "whisp/result.hpp"

namespace whisp::store {

/// Decodes lines and commits them to a store in batches of `batch_size` entries per
/// transaction (batching never changes the result). Blank lines are skipped.
class Replayer {
 public:
  explicit Replayer(Store& store, std::size_t batch_size = 4096);

  /// Decodes one line and queues it. A line that does not decode is returned as the error (the
  /// caller reports it) and nothing is queued. A storage failure is also returned, with code
  /// storage_error.
  Status add_line(std::string_view line);
  /// Commits what is queued.
  Status flush();

  std::int64_t decoded() const { return decoded_; }

 private:
  Store& store_;
  std::size_t batch_size_;
  std::vector<LogEntry> queue_;
  std::int64_t decoded_ = 0;
};

/// Rebuilds `dst` from the log of the store file at `src_path`. Rejected lines (which a store's
/// own log should never hold) are counted in `rejected`.
Status replay_store_file(const std::string& src_path, Store& dst, std::int64_t* rejected);

/// The self user of a line: the recipientId of a bare event (nullopt for envelopes and
/// undecodable lines).
std::optional<std::string> recipient_of(std::string_view line);

}  // namespace whisp::store
