#include "actors/typing_board.hpp"

namespace whisp::actors {

void TypingBoard::set(const std::string& chat, const std::string& user, Clock::time_point until) {
  std::lock_guard<std::mutex> lock(mutex_);
  by_chat_[chat][user] = until;
}

bool TypingBoard::clear(const std::string& chat, const std::string& user) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_chat_.find(chat);
  if (it == by_chat_.end()) return false;
  bool changed = it->second.erase(user) > 0;
  if (it->second.empty()) by_chat_.erase(it);
  return changed;
}

bool TypingBoard::expire(const std::string& chat, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_chat_.find(chat);
  if (it == by_chat_.end()) return false;
  bool changed = false;
  for (auto user = it->second.begin(); user != it->second.end();) {
    if (user->second <= now) {
      user = it->second.erase(user);
      changed = true;
    } else {
      ++user;
    }
  }
  if (it->second.empty()) by_chat_.erase(it);
  return changed;
}

bool TypingBoard::anyone_typing(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [chat, users] : by_chat_) {
    for (const auto& [user, until] : users) {
      if (until > now) return true;
    }
  }
  return false;
}

std::vector<std::string> TypingBoard::typing(const std::string& chat, Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> users;
  auto it = by_chat_.find(chat);
  if (it == by_chat_.end()) return users;
  for (const auto& [user, until] : it->second) {
    if (until > now) users.push_back(user);
  }
  return users;
}

}  // namespace whisp::actors
