// The order in which the connection puts actions on the socket, and which of them went alone.
//
// A cut the server does not explain is charged to the first action it left unconfirmed
// (cut_ledger.hpp). That is only evidence against the action when nothing written before it was
// still in flight: a server that closes a socket for its own reasons (a frame count, a restart)
// often does so right after answering our earlier writes, and the action written just behind
// them is then first in line without having done anything. So each write is recorded as
// `alone` or not, and an action the judge suspects is written again `solo`: held until every
// action written before it on the connection is settled (confirmed, or given up on), so that its
// next cut, if any, is evidence. Everything offered after a held solo action waits behind it: the
// user's order holds across chats too.
//
// Pure bookkeeping, no actors: the connection actor drives it, with its pending replies as
// `Item`s.
#pragma once

#include <deque>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace whisp::actors {

template <class Item>
class WriteGate {
 public:
  /// Whether an action may go on the socket now: nothing is held, and a solo action also needs
  /// every earlier write settled. Costs O(1).
  bool admits(bool solo) const { return held_.empty() && (!solo || unsettled_.empty()); }

  /// Keeps an action that may not go yet, behind those already held.
  void hold(Item item, bool solo) { held_.emplace_back(solo, std::move(item)); }

  /// The first held action, if it may go now (call written() when it does, then ask again).
  std::optional<Item> next() {
    if (held_.empty() || (held_.front().first && !unsettled_.empty())) return std::nullopt;
    Item item = std::move(held_.front().second);
    held_.pop_front();
    return item;
  }

  /// The action went on the socket. Returns whether it went alone: every action written before
  /// it on this connection was settled.
  bool written(const std::string& local_id) {
    bool alone = unsettled_.empty();
    unsettled_.insert(local_id);
    return alone;
  }

  /// The action's chat no longer waits for it: echoed, found in history, failed or given up as
  /// overdue. Unknown ids (written on an earlier connection) are ignored.
  void settled(const std::string& local_id) { unsettled_.erase(local_id); }

  /// The connection went down: nothing is in flight any more; returns the held actions, which
  /// were never written.
  std::deque<Item> reset() {
    unsettled_.clear();
    std::deque<Item> out;
    for (auto& held : held_) out.push_back(std::move(held.second));
    held_.clear();
    return out;
  }

  std::size_t unsettled() const { return unsettled_.size(); }
  std::size_t held() const { return held_.size(); }

 private:
  std::set<std::string> unsettled_;             // written on this connection, not yet settled
  std::deque<std::pair<bool, Item>> held_;      // (solo, item), in the order offered
};

}  // namespace whisp::actors
