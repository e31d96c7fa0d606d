// Which part of a chat's history a chat subscription shows: the newest N messages at first; from
// then on everything from the oldest shown message on (the anchor, a position in the order
// (timeStamp, messageId), so it holds even when that message is deleted), growing with new
// messages and moving back with load_older. Pure; not thread-safe (the subscription locks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/snapshot.hpp"

namespace whisp::live {

class ChatWindow {
 public:
  explicit ChatWindow(std::size_t newest) : count_(newest) {}

  /// Index in `all` (a chat's messages in snapshot order: delivered ones by (timeStamp,
  /// messageId), then own unconfirmed ones) of the first message shown. Sets the anchor the
  /// first time a delivered message is shown.
  std::size_t start(const std::vector<store::MessageView>& all) {
    const std::size_t confirmed = confirmed_count(all);
    std::size_t p;
    if (anchor_) {
      p = lower_bound(all, confirmed, *anchor_);
    } else {
      p = all.size() > count_ ? all.size() - count_ : 0;
      if (p < confirmed) anchor_ = key_of(all[p]);
    }
    return p;
  }

  /// Shows up to `count` more messages before the first one shown; returns how many.
  std::size_t extend(const std::vector<store::MessageView>& all, std::size_t count) {
    const std::size_t p = start(all);
    const std::size_t q = p > count ? p - count : 0;
    if (q < confirmed_count(all)) {
      anchor_ = key_of(all[q]);
    } else {
      count_ += p - q;  // only own unconfirmed messages shown so far: count them
    }
    return p - q;
  }

 private:
  using Key = std::pair<std::int64_t, std::string>;

  static Key key_of(const store::MessageView& m) { return {m.time_micros, *m.message_id}; }

  static std::size_t confirmed_count(const std::vector<store::MessageView>& all) {
    std::size_t n = 0;
    while (n < all.size() && all[n].message_id) ++n;
    return n;
  }

  static std::size_t lower_bound(const std::vector<store::MessageView>& all, std::size_t end,
                                 const Key& key) {
    std::size_t lo = 0, hi = end;
    while (lo < hi) {
      std::size_t mid = lo + (hi - lo) / 2;
      if (key_of(all[mid]) < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  std::optional<Key> anchor_;
  std::size_t count_;
};

}  // namespace whisp::live
