// Who is typing where: ephemeral state (invariant 10), kept in memory only and never logged.
// Chat actors write it; snapshot readers on any thread read it.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace whisp::actors {

class TypingBoard {
 public:
  using Clock = std::chrono::steady_clock;

  /// Records that `user` typed in `chat` now; typing lasts until `until`.
  void set(const std::string& chat, const std::string& user, Clock::time_point until);
  /// Ends `user`'s typing in `chat` (their message arrived). True when something changed.
  bool clear(const std::string& chat, const std::string& user);
  /// Drops entries that ended before `now`. True when something changed.
  bool expire(const std::string& chat, Clock::time_point now);
  /// True when anyone types in any chat at `now`. Cheap: one lock, no allocation.
  bool anyone_typing(Clock::time_point now) const;
  /// Users typing in `chat` at `now`, sorted.
  std::vector<std::string> typing(const std::string& chat, Clock::time_point now) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, Clock::time_point>> by_chat_;
};

}  // namespace whisp::actors
