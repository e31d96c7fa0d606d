// The order in which the connection puts actions on the socket, and which of them went alone.
//
// A cut the server does not explain is blamed on the first action it left unconfirmed
// (cut_ledger.hpp). That is only evidence against the action when nothing written before it was
// still in flight: a server that closes a socket for its own reasons (a frame count, a restart)
// often does so right after answering our earlier writes, and the action written just behind
// them is then first in line without having done anything. So each write is recorded as
// `alone` or not, and an action the judge named as a culprit is written again `solo`: held until
// every action written before it on the connection is settled, so that its next cut, if any, is
// evidence against it.
//
// Settled means its chat no longer awaits it (echoed, found in history, failed, given up as
// overdue), or it was written `patience` ago (the echo timeout): a write nobody settles, such
// as one its chat stopped tracking, never holds the gate for longer than that.
//
// Everything offered after a held solo action waits behind it, whatever its chat: new writes
// would otherwise keep the connection busy and the solo action waiting. The cost is a pause of
// the whole outbox, usually one echo's round trip, at worst `patience` (an action in flight that
// the server dropped without a word), and only after a cut that named a culprit.
//
// Pure bookkeeping, no actors and no clock of its own: the connection actor drives it, with its
// pending replies as `Item`s.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace whisp::actors {

template <class Item>
class WriteGate {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WriteGate(Clock::duration patience = std::chrono::seconds(10)) : patience_(patience) {}

  /// Whether an action may go on the socket now: nothing is held, and a solo action also needs
  /// every earlier write settled.
  bool admits(bool solo, Clock::time_point now) { return held_.empty() && (!solo || quiet(now)); }

  /// Keeps an action that may not go yet, behind those already held.
  void hold(std::string local_id, bool solo, Item item) {
    held_.push_back(Held{std::move(local_id), solo, std::move(item)});
  }

  /// The first held action, if it may go now (call written() when it does, then ask again).
  std::optional<Item> next(Clock::time_point now) {
    if (held_.empty() || (held_.front().solo && !quiet(now))) return std::nullopt;
    Item item = std::move(held_.front().item);
    held_.pop_front();
    return item;
  }

  /// When a held solo action may go at the latest (the oldest unsettled write reaches
  /// `patience`), if one is waiting.
  std::optional<Clock::time_point> wake_at() const {
    if (held_.empty() || !held_.front().solo || unsettled_.empty()) return std::nullopt;
    auto oldest = unsettled_.begin()->second;
    for (const auto& [id, at] : unsettled_) oldest = std::min(oldest, at);
    return oldest + patience_;
  }

  /// The action went on the socket. Returns whether it went alone: every action written before
  /// it on this connection was settled.
  bool written(const std::string& local_id, Clock::time_point now) {
    bool alone = quiet(now);
    // Settled while held: its chat awaits nothing from it, so nothing would settle it.
    if (settled_while_held_.erase(local_id) == 0) unsettled_[local_id] = now;
    return alone;
  }

  /// The action's chat no longer awaits it. Unknown ids (written on an earlier connection) are
  /// ignored. A held copy still goes in its turn: it was never on the wire, so whatever settled
  /// it (an echo of the same text from the user's other device, a failure) did not come from it.
  void settled(const std::string& local_id) {
    unsettled_.erase(local_id);
    for (const auto& held : held_) {
      if (held.local_id == local_id) settled_while_held_.insert(local_id);
    }
  }

  /// The connection went down: nothing is in flight any more; returns the held actions, which
  /// were never written.
  std::vector<Item> reset() {
    unsettled_.clear();
    settled_while_held_.clear();
    std::vector<Item> out;
    for (auto& held : held_) out.push_back(std::move(held.item));
    held_.clear();
    return out;
  }

  std::size_t held() const { return held_.size(); }

 private:
  struct Held {
    std::string local_id;
    bool solo = false;
    Item item;
  };

  // Forgets writes older than `patience`; true when nothing is left in flight.
  bool quiet(Clock::time_point now) {
    for (auto it = unsettled_.begin(); it != unsettled_.end();) {
      it = now - it->second >= patience_ ? unsettled_.erase(it) : std::next(it);
    }
    return unsettled_.empty();
  }

  Clock::duration patience_;
  std::map<std::string, Clock::time_point> unsettled_;  // written, not settled: when written
  std::deque<Held> held_;                                // in the order offered
  std::set<std::string> settled_while_held_;             // go in their turn, then count as settled
};

}  // namespace whisp::actors
