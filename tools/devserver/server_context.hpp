// Internal: what every session and handler of one DevServer shares.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "devserver.hpp"
#include "faults.hpp"
#include "hub.hpp"
#include "jwt.hpp"
#include "state.hpp"

namespace whisp::devserver {

struct ServerContext {
  /// `jwt_key`: from State::jwt_key().
  ServerContext(DevServerOptions opts, std::unique_ptr<State> st, std::string jwt_key)
      : options(std::move(opts)),
        jwt(std::move(jwt_key), options.jwt_ttl_seconds),
        faults(options.faults),
        state(std::move(st)) {}

  const DevServerOptions options;
  const JwtIssuer jwt;
  Faults faults;
  Hub hub;

  /// Guards `state` and `last_us_`, and is held from a commit through its fan-out, so every
  /// connection sees events in commit order.
  std::mutex mutex;
  std::unique_ptr<State> state;

  /// The server clock in microseconds, strictly increasing (call with `mutex` held), so
  /// server timestamps order messages without ties.
  std::int64_t now_us() {
    const auto t = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    last_us_ = t > last_us_ ? t : last_us_ + 1;
    return last_us_;
  }
  static std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::uint64_t next_message_id() { return ++message_seq_; }

 private:
  std::int64_t last_us_ = 0;
  std::atomic<std::uint64_t> message_seq_{0};
};

}  // namespace whisp::devserver
