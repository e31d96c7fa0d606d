// Fault injection of the dev server (DESIGN.md "Dev server" table). One Faults object per server;
// every random decision draws from one seeded generator under a mutex, so a single client's run
// replays exactly under the same `seed`. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "whisp/result.hpp"

namespace whisp::devserver {

enum class RejectMode { silent, error };

const char* to_string(RejectMode m);
Result<RejectMode> parse_reject_mode(std::string_view text);

/// The switches; 0 means off.
struct FaultConfig {
  unsigned drop_every = 0;         // dropEvery: after every N-th frame the server sends, close
                                   // the socket it went to abruptly (one counter, server-wide)
  double store_then_drop = 0;      // storeThenDrop: persist, fan out to all but the sender, drop
  double drop_before_store = 0;    // dropBeforeStore: drop the sender without persisting
  double duplicate = 0;            // duplicate: send an event frame twice
  unsigned delay_ms = 0;           // delayMs: delay outgoing frames up to N ms, order kept
  std::uint64_t seed = 0;          // seed of all fault randomness
  RejectMode reject_mode = RejectMode::silent;
  // In-process only (no flag, no admin key): the socket-closing switches (dropEvery,
  // storeThenDrop, dropBeforeStore) close at most this many sockets from the update that set
  // it on, then stay quiet; 0 = no limit. A test that must end with every action delivered
  // within its 3 sends sets it below 3.
  unsigned max_closes = 0;
  // In-process only: the next this many getChats (getMessages) requests answer 503.
  unsigned fail_get_chats = 0;
  unsigned fail_get_messages = 0;
};

/// A partial update, as `POST /__admin/faults` sends it: absent keys stay unchanged.
struct FaultUpdate {
  std::optional<unsigned> drop_every;
  std::optional<double> store_then_drop;
  std::optional<double> drop_before_store;
  std::optional<double> duplicate;
  std::optional<unsigned> delay_ms;
  std::optional<std::uint64_t> seed;
  std::optional<RejectMode> reject_mode;
  std::optional<unsigned> max_closes;      // in-process only: parse_fault_update never sets it
  std::optional<unsigned> fail_get_chats;     // in-process only, as max_closes
  std::optional<unsigned> fail_get_messages;  // in-process only, as max_closes
};

/// Parses the admin JSON body (keys dropEvery, storeThenDrop, dropBeforeStore, duplicate,
/// delayMs, seed, rejectMode). Unknown keys and out-of-range values are errors naming the key.
Result<FaultUpdate> parse_fault_update(std::string_view json);
/// The current configuration as JSON with the same keys.
std::string encode_fault_config(const FaultConfig& c);

class Faults {
 public:
  explicit Faults(FaultConfig initial = {});

  FaultConfig config() const;
  /// Applies the present keys; setting `seed` restarts the generator from it.
  void update(const FaultUpdate& u);

  /// True with the configured probability (no draw when it is 0 or 1).
  bool store_then_drop();
  bool drop_before_store();
  bool duplicate();
  /// A random delay in [0, delayMs] milliseconds (0 without a draw when off).
  unsigned delay_ms();
  /// Counts one frame sent; true when it is a multiple of dropEvery.
  bool count_frame_and_check_drop();
  /// True (and counts it) while fail_get_chats (fail_get_messages) has failures left.
  bool fail_get_chats();
  bool fail_get_messages();
  RejectMode reject_mode() const;

 private:
  bool chance(double p);
  bool close_allowed();  // counts a close against max_closes
  static bool take_one(unsigned& left);  // counts one failure of a fail_* counter

  mutable std::mutex mutex_;
  FaultConfig config_;
  std::mt19937_64 rng_;
  std::uint64_t frames_sent_ = 0;
  unsigned closes_ = 0;
};

}  // namespace whisp::devserver
