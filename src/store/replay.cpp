#include "store/replay.hpp"

#include "store/envelope.hpp"
#include "store/reader.hpp"

namespace whisp::store {

Replayer::Replayer(Store& store, std::size_t batch_size)
    : store_(store), batch_size_(batch_size == 0 ? 1 : batch_size) {
  queue_.reserve(batch_size_);
}

Status Replayer::add_line(std::string_view line) {
  std::size_t b = line.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return Ok{};
  line.remove_prefix(b);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  auto entry = decode_entry(line);
  if (!entry) return entry.error();
  ++decoded_;
  queue_.push_back(std::move(*entry));
  if (queue_.size() >= batch_size_) return flush();
  return Ok{};
}

Status Replayer::flush() {
  if (queue_.empty()) return Ok{};
  auto r = store_.commit(queue_);
  queue_.clear();
  if (!r) return r.error();
  return Ok{};
}

Status replay_store_file(const std::string& src_path, Store& dst, std::int64_t* rejected) {
  Replayer replayer(dst);
  Status failure = Ok{};
  std::int64_t bad = 0;
  auto read = read_log(src_path, 0, [&](std::int64_t, std::string_view line) {
    auto s = replayer.add_line(line);
    if (!s) {
      if (s.error().code == ErrorCode::storage_error) {
        failure = s;
        return false;
      }
      ++bad;
    }
    return true;
  });
  if (rejected) *rejected = bad;
  if (!read) return read;
  if (!failure) return failure;
  return replayer.flush();
}

std::optional<std::string> recipient_of(std::string_view line) {
  if (line.find("\"entry\"") != std::string_view::npos) return std::nullopt;
  auto ev = decode_event(line);
  if (!ev) return std::nullopt;
  const auto& c = event_common(*ev);
  if (c.recipient_id.empty()) return std::nullopt;
  return c.recipient_id;
}

}  // namespace whisp::store
