#include "capi/subscriptions.hpp"

#include <vector>

#include "capi/chat_diff.hpp"

namespace whisp::capi {

Result<std::uint64_t> ChatSubscriptions::subscribe(const std::string& chat_id,
                                                   whisp_chat_callback callback, void* user_data) {
  if (chat_id.empty()) return Error{ErrorCode::invalid_argument, "chat_id: must not be empty"};
  if (callback == nullptr) return Error{ErrorCode::invalid_argument, "callback: must not be NULL"};
  auto sub = std::make_shared<Sub>();
  sub->chat_id = chat_id;
  sub->callback = callback;
  sub->user_data = user_data;
  std::lock_guard<std::mutex> deliver_lock(sub->deliver);  // no engine delivery before the first
  std::uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = next_id_++;
    subs_[id] = sub;
  }
  auto first = fetch_(chat_id);
  if (!first) {
    sub->active = false;  // a commit may already hold it, waiting on `deliver`
    std::lock_guard<std::mutex> lock(mutex_);
    subs_.erase(id);
    return first.error();
  }
  auto diff = chat_diff("", *first, chat_id, 0);
  if (!diff) {
    sub->active = false;
    std::lock_guard<std::mutex> lock(mutex_);
    subs_.erase(id);
    return diff.error();
  }
  sub->last = std::move(*first);
  call(*sub, *diff);
  return id;
}

void ChatSubscriptions::unsubscribe(std::uint64_t id) {
  std::shared_ptr<Sub> sub;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = subs_.find(id);
    if (it == subs_.end()) return;
    sub = it->second;
    subs_.erase(it);
  }
  if (sub->delivering.load() == std::this_thread::get_id()) {
    sub->active = false;  // from inside its own callback: this thread holds `deliver`
    return;
  }
  std::lock_guard<std::mutex> fence(sub->deliver);
  sub->active = false;
}

void ChatSubscriptions::on_change(const Change& change) {
  std::vector<std::shared_ptr<Sub>> touched;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [id, sub] : subs_) {
      bool hit = change.chat_list_changed;
      for (const auto& chat : change.chat_ids) hit = hit || chat == sub->chat_id;
      if (hit) touched.push_back(sub);
    }
  }
  for (const auto& sub : touched) {
    std::lock_guard<std::mutex> lock(sub->deliver);
    if (sub->active) deliver(*sub, change.seq);
  }
}

void ChatSubscriptions::deliver(Sub& sub, std::int64_t version) {
  auto now = fetch_(sub.chat_id);
  if (!now || *now == sub.last) return;  // a failed read is retried at the next commit
  auto diff = chat_diff(sub.last, *now, sub.chat_id, version);
  if (!diff) return;
  sub.last = std::move(*now);
  call(sub, *diff);
}

void ChatSubscriptions::call(Sub& sub, const std::string& diff) {
  sub.delivering.store(std::this_thread::get_id());
  sub.callback(sub.user_data, sub.last.c_str(), diff.c_str());
  sub.delivering.store(std::thread::id{});
}

}  // namespace whisp::capi
