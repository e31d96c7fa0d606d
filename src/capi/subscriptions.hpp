// Per-chat subscriptions of the C API (whisp_subscribe_chat): after each commit that touched a
// subscribed chat, fetch its snapshot, diff it against the last one delivered, and call the
// subscriber. Thread rules as in whisp.h.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "whisp/engine.hpp"
#include "whisp/result.hpp"
#include "whisp/whisp.h"

namespace whisp::capi {

class ChatSubscriptions {
 public:
  /// `fetch(chat_id)` returns the chat's snapshot JSON; it is called from the thread that
  /// delivers (the subscriber's for the first call, the engine's afterwards).
  using Fetch = std::function<Result<std::string>(const std::string& chat_id)>;
  explicit ChatSubscriptions(Fetch fetch) : fetch_(std::move(fetch)) {}

  /// Registers and delivers the first snapshot (all inserted) before returning.
  Result<std::uint64_t> subscribe(const std::string& chat_id, whisp_chat_callback callback,
                                  void* user_data);
  /// After it returns the subscription's callback is not running and never runs again (when
  /// called from inside that callback: it runs to its end, then never again).
  void unsubscribe(std::uint64_t id);
  /// Called after each commit (engine thread).
  void on_change(const Change& change);

 private:
  struct Sub {
    std::string chat_id;
    whisp_chat_callback callback = nullptr;
    void* user_data = nullptr;
    std::mutex deliver;  // one delivery at a time; held by unsubscribe to fence it
    // The thread running the callback now (none when idle): unsubscribe from inside the
    // callback must not wait for `deliver`, which that same thread holds.
    std::atomic<std::thread::id> delivering{};
    bool active = true;
    std::string last;    // the snapshot JSON delivered last
  };
  /// Fetches, diffs and calls; `sub.deliver` must be held.
  void deliver(Sub& sub, std::int64_t version);
  /// Calls the subscriber, marking the calling thread as the one delivering.
  static void call(Sub& sub, const std::string& diff);

  Fetch fetch_;
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Sub>> subs_;
};

}  // namespace whisp::capi
