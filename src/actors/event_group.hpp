// The events a connection decoded and has not handed to the hub yet: sent as one message per
// group, so under a backlog the hub, each chat actor and the writer see one message per group
// instead of one per frame.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "store/log_entry.hpp"

namespace whisp::actors {

class EventGroup {
 public:
  /// A group is sent when it reaches this size even if more is waiting: it bounds the memory
  /// and the delay a backlog adds to its first event.
  static constexpr std::size_t kMaxEvents = 1024;

  void push(store::LiveEvent event) { events_.push_back(std::move(event)); }
  bool empty() const { return events_.empty(); }
  bool full() const { return events_.size() >= kMaxEvents; }

  /// The group, in arrival order; the next one starts with room for as many events (growing a
  /// vector of events one reallocation at a time cost more than decoding them under a backlog).
  std::vector<store::LiveEvent> take() {
    std::vector<store::LiveEvent> out;
    out.swap(events_);
    events_.reserve(std::min(out.size(), kMaxEvents));
    return out;
  }

 private:
  std::vector<store::LiveEvent> events_;
};

}  // namespace whisp::actors
