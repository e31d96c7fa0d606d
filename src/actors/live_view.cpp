// Subscriptions of whisp/live.hpp. Each keeps its state in a shared State that the engine's change
// listener holds too; a mutex per State serialises refreshes (notifier thread, load_older
// callers) and deliveries, and the destructor takes it to close the State, so no callback runs
// once the destructor has returned.
#include <algorithm>
#include <mutex>

#include "actors/engine_impl.hpp"
#include "actors/live_convert.hpp"
#include "actors/live_window.hpp"

namespace whisp {

// --- ChatSubscription ---------------------------------------------------------------------------

struct ChatSubscription::State {
  Engine* engine = nullptr;
  std::shared_ptr<actors::ChangeListeners> listeners;
  std::uint64_t listener_id = 0;
  std::string chat_id;
  Callback callback;

  std::mutex mutex;  // everything below; held while a callback runs
  bool closed = false;
  live::ChatWindow window{50};
  store::ChatView shown;  // the window last delivered, as store values (what diffs start from)
  std::shared_ptr<const ChatSnapshot> last;

  mutable std::mutex current_mutex;
  std::shared_ptr<const ChatSnapshot> current;

  // Reads the chat and builds the window's view. Lock held.
  Result<ChatSnapshot> read(store::ChatView& view, std::size_t extend_by, std::size_t* extended) {
    auto read = live::read_chat(*engine, chat_id);
    if (!read.ok()) return read.error();
    if (!read->chat) {
      view = store::ChatView{};
      view.chat_id = chat_id;
      return live::to_public(nullptr, chat_id, read->seq, false, {});
    }
    view = std::move(*read->chat);
    if (extend_by > 0) {
      auto n = window.extend(view.messages, extend_by);
      if (extended) *extended = n;
    }
    auto first = window.start(view.messages);
    view.messages.erase(view.messages.begin(), view.messages.begin() + static_cast<std::ptrdiff_t>(first));
    return live::to_public(&view, chat_id, read->seq, first > 0,
                           live::typing_of(*LiveAccess::impl(*engine).typing, chat_id));
  }

  // Re-reads and, when anything the window shows changed, delivers the update. Lock held.
  Status refresh(std::size_t extend_by = 0, std::size_t* extended = nullptr) {
    if (closed) return Ok{};
    store::ChatView view;
    auto next = read(view, extend_by, extended);
    if (!next.ok()) return next.error();
    auto d = live::to_public(store::diff_chats(shown, view));
    d.chat_id = chat_id;
    d.from_seq = last->seq;
    d.to_seq = next->seq;
    if (last->exists != next->exists) d.exists = next->exists;
    if (last->has_older != next->has_older) d.has_older = next->has_older;
    if (last->typing != next->typing) d.typing = next->typing;
    if (d.empty()) return Ok{};
    shown = std::move(view);
    last = std::make_shared<const ChatSnapshot>(std::move(next).value());
    {
      std::lock_guard<std::mutex> lock(current_mutex);
      current = last;
    }
    if (callback) callback(ChatUpdate{last, std::move(d)});
    return Ok{};
  }
};

Result<std::unique_ptr<ChatSubscription>> ChatSubscription::open(Engine& engine,
                                                                std::string chat_id,
                                                                Options options,
                                                                Callback callback) {
  if (chat_id.empty()) return Error{ErrorCode::invalid_argument, "chatId: empty"};
  if (options.window < 1) return Error{ErrorCode::invalid_argument, "window: must be >= 1"};
  auto state = std::make_shared<State>();
  state->engine = &engine;
  state->listeners = LiveAccess::impl(engine).listeners;
  state->chat_id = std::move(chat_id);
  state->callback = std::move(callback);
  state->window = live::ChatWindow(static_cast<std::size_t>(options.window));
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    auto first = state->read(state->shown, 0, nullptr);
    if (!first.ok()) return first.error();
    state->last = std::make_shared<const ChatSnapshot>(std::move(first).value());
    state->current = state->last;
    // Subscribing under the lock: a commit between the read and here is seen by the first
    // refresh, which waits for this lock.
    std::weak_ptr<State> weak = state;
    state->listener_id = state->listeners->add([weak](const Change& change) {
      auto s = weak.lock();
      if (!s) return;
      if (!change.chat_list_changed &&
          std::find(change.chat_ids.begin(), change.chat_ids.end(), s->chat_id) ==
              change.chat_ids.end()) {
        return;
      }
      std::lock_guard<std::mutex> lock(s->mutex);
      auto ok = s->refresh();
      (void)ok;  // a failed read leaves the last snapshot; the next commit retries
    });
  }
  return std::unique_ptr<ChatSubscription>(new ChatSubscription(std::move(state)));
}

ChatSubscription::ChatSubscription(std::shared_ptr<State> state) : state_(std::move(state)) {}

ChatSubscription::~ChatSubscription() {
  state_->listeners->remove(state_->listener_id);
  std::lock_guard<std::mutex> lock(state_->mutex);  // waits for a running callback
  state_->closed = true;
}

std::shared_ptr<const ChatSnapshot> ChatSubscription::current() const {
  std::lock_guard<std::mutex> lock(state_->current_mutex);
  return state_->current;
}

Result<int> ChatSubscription::load_older(int count) {
  if (count <= 0) return Error{ErrorCode::invalid_argument, "count: must be positive"};
  std::size_t from_store = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (auto ok = state_->refresh(static_cast<std::size_t>(count), &from_store); !ok.ok()) {
      return ok.error();
    }
  }
  if (from_store >= static_cast<std::size_t>(count)) return static_cast<int>(from_store);
  // The store ran out: ask the server for the rest (a gap or the chat's beginning), without the
  // lock, so the commit it makes can be delivered meanwhile.
  const int missing = count - static_cast<int>(from_store);
  auto loaded = state_->engine->load_older(state_->chat_id, missing);
  if (!loaded.ok()) {
    if (from_store > 0) return static_cast<int>(from_store);
    return loaded.error();
  }
  std::size_t from_server = 0;
  if (*loaded > 0) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (auto ok = state_->refresh(static_cast<std::size_t>(missing), &from_server); !ok.ok()) {
      return ok.error();
    }
  }
  return static_cast<int>(from_store + from_server);
}

// --- ChatListSubscription -----------------------------------------------------------------------

struct ChatListSubscription::State {
  Engine* engine = nullptr;
  std::shared_ptr<actors::ChangeListeners> listeners;
  std::uint64_t listener_id = 0;
  Callback callback;

  std::mutex mutex;
  bool closed = false;
  std::string last_json;  // of the last delivered list, seq left out: what "changed" means

  mutable std::mutex current_mutex;
  std::shared_ptr<const ChatListSnapshot> current;

  static std::string content_json(const ChatListSnapshot& list) {
    auto copy = list;
    copy.seq = 0;
    return copy.to_json();
  }

  Status refresh() {
    if (closed) return Ok{};
    auto list = chat_list(*engine);
    if (!list.ok()) return list.error();
    auto json = content_json(*list);
    if (json == last_json) return Ok{};
    last_json = std::move(json);
    auto snapshot = std::make_shared<const ChatListSnapshot>(std::move(list).value());
    {
      std::lock_guard<std::mutex> lock(current_mutex);
      current = snapshot;
    }
    if (callback) callback(snapshot);
    return Ok{};
  }
};

Result<std::unique_ptr<ChatListSubscription>> ChatListSubscription::open(Engine& engine,
                                                                        Callback callback) {
  auto state = std::make_shared<State>();
  state->engine = &engine;
  state->listeners = LiveAccess::impl(engine).listeners;
  state->callback = std::move(callback);
  std::lock_guard<std::mutex> lock(state->mutex);
  auto first = chat_list(engine);
  if (!first.ok()) return first.error();
  state->last_json = State::content_json(*first);
  state->current = std::make_shared<const ChatListSnapshot>(std::move(first).value());
  std::weak_ptr<State> weak = state;
  state->listener_id = state->listeners->add([weak](const Change&) {
    auto s = weak.lock();
    if (!s) return;
    std::lock_guard<std::mutex> lock(s->mutex);
    auto ok = s->refresh();
    (void)ok;  // a failed read leaves the last list; the next commit retries
  });
  return std::unique_ptr<ChatListSubscription>(new ChatListSubscription(std::move(state)));
}

ChatListSubscription::ChatListSubscription(std::shared_ptr<State> state)
    : state_(std::move(state)) {}

ChatListSubscription::~ChatListSubscription() {
  state_->listeners->remove(state_->listener_id);
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->closed = true;
}

std::shared_ptr<const ChatListSnapshot> ChatListSubscription::current() const {
  std::lock_guard<std::mutex> lock(state_->current_mutex);
  return state_->current;
}

}  // namespace whisp
