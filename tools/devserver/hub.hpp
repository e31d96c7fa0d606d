// The hub: which STOMP connections are open, per user, and the fan-out of events to them.
// Thread-safe. Fan-out is called under ServerContext::mutex (right after the commit), so every
// connection receives events in commit order.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "state.hpp"

namespace whisp::devserver {

/// A connected STOMP session as the hub sees it. Implementations are thread-safe.
class StompPeer {
 public:
  virtual ~StompPeer() = default;
  virtual const std::string& user_id() const = 0;
  /// Queues a MESSAGE frame with this JSON body if the peer has subscribed; dropped otherwise.
  virtual void deliver_event(std::string json) = 0;
  /// Closes the socket at once, without a WebSocket close handshake.
  virtual void drop() = 0;
  /// True once the peer has subscribed to its user queue.
  virtual bool subscribed() const = 0;
};

class Hub {
 public:
  void add(const std::shared_ptr<StompPeer>& peer);
  void remove(const StompPeer* peer);

  /// Encodes the event once per recipient (recipientId set) and delivers it to each of the
  /// recipient's connections, except `exclude`.
  void fanout(const Fanout& f, const StompPeer* exclude = nullptr);

  /// Drops every connection of the user; returns how many.
  std::size_t kick(const std::string& user_id);
  /// Drops every connection.
  void drop_all();
  std::size_t connection_count(const std::string& user_id) const;
  std::size_t connection_count() const;
  /// Connections of the user that have subscribed to their queue.
  std::size_t subscription_count(const std::string& user_id) const;

 private:
  std::vector<std::shared_ptr<StompPeer>> peers_of(const std::string& user_id) const;

  mutable std::mutex mutex_;
  std::unordered_multimap<std::string, std::weak_ptr<StompPeer>> peers_;
};

}  // namespace whisp::devserver
