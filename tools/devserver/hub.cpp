#include "hub.hpp"

namespace whisp::devserver {

void Hub::add(const std::shared_ptr<StompPeer>& peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  peers_.emplace(peer->user_id(), peer);
}

void Hub::remove(const StompPeer* peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = peers_.begin(); it != peers_.end();) {
    auto p = it->second.lock();
    if (!p || p.get() == peer) {
      it = peers_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<std::shared_ptr<StompPeer>> Hub::peers_of(const std::string& user_id) const {
  std::vector<std::shared_ptr<StompPeer>> out;
  std::lock_guard<std::mutex> lock(mutex_);
  auto range = peers_.equal_range(user_id);
  for (auto it = range.first; it != range.second; ++it) {
    if (auto p = it->second.lock()) out.push_back(std::move(p));
  }
  return out;
}

void Hub::fanout(const Fanout& f, const StompPeer* exclude) {
  Event ev = f.event;
  for (const auto& recipient : f.recipients) {
    auto peers = peers_of(recipient);
    if (peers.empty()) continue;
    std::visit([&](auto& e) { static_cast<event::Common&>(e).recipient_id = recipient; }, ev);
    const std::string json = encode_event(ev);
    for (const auto& p : peers) {
      if (p.get() != exclude) p->deliver_event(json);
    }
  }
}

std::size_t Hub::kick(const std::string& user_id) {
  auto peers = peers_of(user_id);
  for (const auto& p : peers) p->drop();
  return peers.size();
}

void Hub::drop_all() {
  std::vector<std::shared_ptr<StompPeer>> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& kv : peers_) {
      if (auto p = kv.second.lock()) all.push_back(std::move(p));
    }
  }
  for (const auto& p : all) p->drop();
}

std::size_t Hub::connection_count(const std::string& user_id) const {
  return peers_of(user_id).size();
}

std::size_t Hub::subscription_count(const std::string& user_id) const {
  std::size_t n = 0;
  for (const auto& p : peers_of(user_id)) n += p->subscribed() ? 1 : 0;
  return n;
}

std::size_t Hub::connection_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t n = 0;
  for (const auto& kv : peers_) n += kv.second.expired() ? 0 : 1;
  return n;
}

}  // namespace whisp::devserver
