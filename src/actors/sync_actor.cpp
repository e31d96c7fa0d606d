#include "actors/sync_actor.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <set>

#include "actors/api_actor.hpp"
#include "actors/writer_actor.hpp"
#include "protocol/rest.hpp"
#include "whisp/log.hpp"

namespace whisp::actors {
namespace {
// A step to run later on the sync actor (a request tried again after a delay).
struct Later {
  std::function<void()> run;
};
}  // namespace
}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::Later)

namespace whisp::actors {
namespace {

// What the store knows of a chat's history, read on the writer's connection.
struct Bounds {
  std::optional<std::string> newest_id;
  std::optional<std::string> oldest_id;
  std::int64_t newest_micros = 0, oldest_micros = 0;
  bool known = false;
};

// A walk backwards through a chat's history, one page request at a time.
struct Walk {
  std::uint64_t pass = 0;
  std::string chat_id;
  int size = 50;
  std::int64_t stop_micros = 0;  // stop at the page reaching this position (0: no such stop)
  int pages_left = 1;
  int failures = 0;  // of the page asked for now (retry_later)
};

// Where a walk ended: how many messages it loaded, and the cursor to go on from.
struct WalkEnd {
  int loaded = 0;
  std::optional<std::string> oldest;  // the oldest message of the last page
  bool reached_start = false;         // a short page: the chat's first message was in it
};

using Task = std::function<void(std::function<void()> done)>;


struct SyncState {
  SyncOptions options;
  caf::actor api, writer, hub, notifier;
  std::uint64_t pass = 0;  // increments per connection; stale completions are ignored
  bool running = false;
  bool done = false;
  std::deque<Task> queue;  // backfill tasks waiting for a request slot
  int active = 0;
  int chats_left = 0;
  std::vector<caf::response_promise> done_waiters;
  // A pass whose chat listing failed is retried on the same connection after
  // retry_delay_after(listing_failures); a pass that ends, or a new connection, resets it.
  int listing_failures = 0;
  static inline const char* name = "whisp.sync";
};

using Self = caf::stateful_actor<SyncState>;

constexpr std::chrono::milliseconds kFirstRetryDelay{250};
constexpr std::chrono::milliseconds kMaxRetryDelay{10000};
// A request outside any pass (loadOlder, an echo check) is tried this many times in all; its
// caller is waiting. A pass's requests are tried this many times (26 s of delays, capped
// at 10 s, plus the requests' own time), or until the pass is abandoned: a chat the server
// keeps failing must not hold a request slot for good and starve the others.
constexpr int kOutsidePassAttempts = 3;
constexpr int kPassAttempts = 8;

std::chrono::milliseconds retry_delay_after(int failures) {
  auto delay = kFirstRetryDelay;
  for (int i = 1; i < failures && delay < kMaxRetryDelay; ++i) delay *= 2;
  return std::min(delay, kMaxRetryDelay);
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A completion of an abandoned pass. Pass 0 names a request outside any pass (load_older, an
// echo check), which always completes.
bool stale(Self* self, std::uint64_t pass) {
  return pass != 0 && pass != self->state.pass;
}

void report(Self* self, const Error& error) {
  log(LogLevel::warn, "sync", error.describe());
  self->send(self->state.notifier, error);
}

// A REST failure worth trying again: no answer (the network failed or timed out), or the server
// unwell (5xx, 408, 429). Any other answer (403: no longer a member; 404: the chat is gone) is
// the server's word and stays, and so does a lost session (no request goes out any more).
bool transient(const ApiReply& reply) {
  if (reply.status == 0) {
    auto code = reply.error ? reply.error->code : ErrorCode::io_error;
    return code == ErrorCode::io_error || code == ErrorCode::timeout || code == ErrorCode::closed;
  }
  return reply.status >= 500 || reply.status == 408 || reply.status == 429;
}

// After `failures` failures of one request of pass `pass`: runs `again` after a growing delay
// and returns true, or returns false when the request is not to be tried again. A chat whose
// history or members could not be read must not count as synced: its unconfirmed actions would
// be judged against history that was never read, and resent although the server holds them.
bool retry_later(Self* self, std::uint64_t pass, const ApiReply& reply, int failures,
                 const char* what, std::function<void()> again) {
  if (!transient(reply) || failures >= (pass == 0 ? kOutsidePassAttempts : kPassAttempts)) {
    return false;
  }
  auto delay = retry_delay_after(failures);
  log(LogLevel::warn, "sync",
      std::string(what) + " failed; retrying in " + std::to_string(delay.count()) + " ms");
  self->delayed_send(self, delay, Later{[self, pass, again = std::move(again)] {
                       if (!stale(self, pass)) again();
                     }});
  return true;
}

// Runs queued tasks while fewer than `concurrency` are active.
void run_queue(Self* self) {
  auto& st = self->state;
  while (st.active < st.options.concurrency && !st.queue.empty()) {
    auto task = std::move(st.queue.front());
    st.queue.pop_front();
    ++st.active;
    auto pass = st.pass;
    task([self, pass] {
      if (stale(self, pass)) return;
      --self->state.active;
      run_queue(self);
    });
  }
}

template <class F>
void api_get(Self* self, std::string path, F then) {
  ApiCall call;
  call.path = std::move(path);
  self->request(self->state.api, caf::infinite, std::move(call)).then(std::move(then));
}

// A REST read whose result enters the log: `then(reply, after_seq)` gets the log's last seq
// from before the request went out, so apply does not let the result undo a live event that
// overtook it (store::HistoryPage::after_seq).
template <class F>
void api_get_logged(Self* self, std::string path, F then) {
  if (const auto& committed = self->state.options.committed) {
    // Commits requested but not yet flushed count as newer than the result: conservative.
    std::int64_t seq = committed->load();
    return api_get(self, std::move(path),
                   [seq, then = std::move(then)](ApiReply& reply) mutable { then(reply, seq); });
  }
  auto seq = std::make_shared<std::int64_t>(0);
  StoreRead read{[seq](const store::Store& store) { *seq = store.last_seq(); }};
  self->request(self->state.writer, caf::infinite, std::move(read))
      .then([self, seq, path = std::move(path), then = std::move(then)](Done&) mutable {
        api_get(self, std::move(path),
                [seq, then = std::move(then)](ApiReply& reply) mutable { then(reply, *seq); });
      });
}

template <class F>
void commit(Self* self, store::LogEntry entry, F then) {
  self->request(self->state.writer, caf::infinite, CommitRequest{{std::move(entry)}})
      .then([self, then](CommitReply& reply) mutable {
        if (reply.error) report(self, *reply.error);
        then(!reply.error);
      });
}

template <class F>
void read_bounds(Self* self, const std::string& chat_id, F then) {
  auto bounds = std::make_shared<Bounds>();
  StoreRead read{[bounds, chat_id](const store::Store& store) {
    auto b = store.history_bounds(chat_id);
    if (!b.ok()) return;
    bounds->known = b->newest_id.has_value();
    bounds->newest_id = b->newest_id;
    bounds->oldest_id = b->oldest_id;
    bounds->newest_micros = b->newest_micros;
    bounds->oldest_micros = b->oldest_micros;
  }};
  self->request(self->state.writer, caf::infinite, std::move(read))
      .then([bounds, then](Done&) mutable { then(*bounds); });
}

// Fetches history pages backwards from `before` (nullopt: the newest) until a page reaches
// `walk.stop_micros`, the chat's start, or the page budget; each page enters the log.
void fetch_history(Self* self, Walk walk, std::optional<std::string> before,
                   std::function<void(const WalkEnd&)> done, int loaded = 0) {
  std::string path = "/api/messages/getMessages/" + url_encode(walk.chat_id) +
                     "?size=" + std::to_string(walk.size);
  if (before) path += "&lastMessage=" + url_encode(*before);
  api_get_logged(self, path, [=](ApiReply& reply, std::int64_t after_seq) {
    if (stale(self, walk.pass)) return;
    if (reply.error) {
      report(self, *reply.error);
      Walk again = walk;
      ++again.failures;
      if (retry_later(self, walk.pass, reply, again.failures, "getMessages",
                      [=] { fetch_history(self, again, before, done, loaded); })) {
        return;
      }
      return done(WalkEnd{loaded, std::nullopt, false});
    }
    auto page = rest::decode_message_list(reply.body);
    if (!page.ok()) {
      report(self, Error{page.error().code, "getMessages: " + page.error().message});
      return done(WalkEnd{loaded, std::nullopt, false});
    }
    auto messages = std::move(page).value();
    int count = static_cast<int>(messages.messages.size());
    std::optional<std::string> oldest;
    std::int64_t oldest_micros = INT64_MAX;
    for (const auto& m : messages.messages) {
      if (m.time_stamp.micros < oldest_micros ||
          (m.time_stamp.micros == oldest_micros && oldest && m.message_id < *oldest)) {
        oldest_micros = m.time_stamp.micros;
        oldest = m.message_id;
      }
    }
    store::HistoryPage entry{after_seq, walk.chat_id, before, walk.size, std::move(messages)};
    WalkEnd end{loaded + count, oldest, count < walk.size};
    bool reached_stop = walk.stop_micros > 0 && oldest_micros <= walk.stop_micros;
    if (end.reached_start || reached_stop || walk.pages_left <= 1 || !oldest) {
      // The last page: done once it is committed (and with it every earlier one: the writer
      // commits in the order it was asked).
      return commit(self, std::move(entry), [=](bool) {
        if (stale(self, walk.pass)) return;
        done(end);
      });
    }
    // The next page's request goes out while this one commits.
    commit(self, std::move(entry), [](bool) {});
    Walk next = walk;
    --next.pages_left;
    next.failures = 0;
    fetch_history(self, next, oldest, done, end.loaded);
  });
}

void fetch_members(Self* self, std::uint64_t pass, const std::string& chat_id,
                   std::function<void()> done, int failures = 0) {
  api_get_logged(self, "/api/chat/getUsers/" + url_encode(chat_id),
                 [=](ApiReply& reply, std::int64_t after_seq) {
                   if (stale(self, pass)) return;
                   if (reply.error) {
                     // 403/404: we are no longer a member, or the chat is gone; the chat pass
                     // already said so.
                     if (reply.status != 403 && reply.status != 404) report(self, *reply.error);
                     if (retry_later(self, pass, reply, failures + 1, "getUsers", [=] {
                           fetch_members(self, pass, chat_id, done, failures + 1);
                         })) {
                       return;
                     }
                     return done();
                   }
                   auto users = rest::decode_user_list(reply.body);
                   if (!users.ok()) {
                     report(self, Error{users.error().code, "getUsers: " + users.error().message});
                     return done();
                   }
                   commit(self, store::MembersPage{after_seq, chat_id, std::move(users).value()},
                          [=](bool) { done(); });
                 });
}

// One task of the pass is over (a chat's backfill and re-read, or the listing itself).
void task_done(Self* self) {
  auto& st = self->state;
  if (log_level() <= LogLevel::debug) {
    log(LogLevel::debug, "sync",
        "pass " + std::to_string(st.pass) + ": " + std::to_string(st.chats_left - 1) +
            " tasks left");
  }
  if (--st.chats_left == 0) {
    st.done = true;
    st.running = false;
    st.listing_failures = 0;
    self->send(st.hub, synced_atom::value);
    for (auto& w : st.done_waiters) w.deliver(true);
    st.done_waiters.clear();
    log(LogLevel::info, "sync", "backfill done");
  }
}

// Pages to re-read below the new messages (SyncOptions::revalidate_depth).
int revalidate_pages(const SyncOptions& options, int page_size) {
  if (options.revalidate_depth < 0) return INT32_MAX;
  return (options.revalidate_depth + page_size - 1) / page_size;
}

// Backfills one chat: history (newest pages until the known segment), then the history the
// store held before, re-read (edits, deletions and reactions of older messages made while we
// were away leave no other trace: the protocol has no change feed), then members; then `done`.
void backfill_chat(Self* self, std::uint64_t pass, const std::string& chat_id,
                   std::function<void()> done) {
  read_bounds(self, chat_id, [=](const Bounds& bounds) {
    if (stale(self, pass)) return;
    const auto& options = self->state.options;
    int size = options.initial_depth;
    auto finish = [=] { fetch_members(self, pass, chat_id, done); };
    // Newer pages while they are still newer than what we hold: at least the newest one.
    Walk walk{pass, chat_id, size, bounds.known ? bounds.newest_micros : 0,
              bounds.known ? 1000 : 1};
    fetch_history(self, walk, std::nullopt, [=](const WalkEnd& end) {
      if (!bounds.known || !end.oldest || end.reached_start || options.revalidate_depth == 0) {
        return finish();
      }
      Walk below{pass, chat_id, size, bounds.oldest_micros, revalidate_pages(options, size)};
      fetch_history(self, below, end.oldest, [=](const WalkEnd&) { finish(); });
    });
  });
}

// A sync pass's task for one chat. The chat is synced once backfilled: its own actions left
// unconfirmed by a cut are looked up in all of that before anything is resent (a reaction to an
// old message, say).
void sync_chat(Self* self, const rest::ChatDetails& chat) {
  auto& st = self->state;
  auto pass = st.pass;
  std::string chat_id = chat.chat_id;
  st.queue.push_back([self, pass, chat_id](std::function<void()> slot_done) {
    backfill_chat(self, pass, chat_id, [=] {
      self->send(self->state.hub, synced_atom::value, chat_id);
      task_done(self);
      slot_done();
    });
  });
  run_queue(self);
}

// The chat listing of pass `pass` failed: without it no chat is synced, so no outbox moves, until
// the listing succeeds. It is tried again on the same connection after a growing delay (a new
// connection starts its own pass and makes this retry stale).
void retry_pass(Self* self, std::uint64_t pass) {
  auto& st = self->state;
  st.running = false;
  auto delay = retry_delay_after(++st.listing_failures);
  log(LogLevel::warn, "sync",
      "chat listing failed; retrying in " + std::to_string(delay.count()) + " ms");
  self->delayed_send(self, delay, retry_atom::value, pass);
}

// Lists every chat page by page, each page committed as it comes. `full`: then backfill every
// chat of the listing (a sync pass); otherwise the listing is all (a rename to reveal).
void list_chats(Self* self, std::uint64_t pass, int page,
                std::shared_ptr<std::vector<std::string>> seen,
                std::shared_ptr<std::vector<rest::ChatDetails>> all, bool full,
                std::shared_ptr<std::int64_t> first_seq = std::make_shared<std::int64_t>(0)) {
  int size = self->state.options.chats_page_size;
  api_get_logged(
      self, "/api/chat/getChats?page=" + std::to_string(page) + "&size=" + std::to_string(size),
      [=](ApiReply& reply, std::int64_t after_seq) {
        if (stale(self, pass)) return;
        if (reply.error) {
          report(self, *reply.error);
          if (full) retry_pass(self, pass);
          return;
        }
        auto list = rest::decode_chat_list(reply.body);
        if (!list.ok()) {
          report(self, Error{list.error().code, "getChats: " + list.error().message});
          if (full) retry_pass(self, pass);
          return;
        }
        bool last = static_cast<int>(list->chats.size()) < size;
        for (const auto& c : list->chats) {
          seen->push_back(c.chat_id);
          all->push_back(c);
        }
        // What vanished is judged against the pass's first request: a chat a live event
        // brought after it may sort onto a page already fetched.
        if (page == 0) *first_seq = after_seq;
        store::ChatsPage entry;
        entry.after_seq = last ? *first_seq : after_seq;
        entry.page = page;
        entry.size = size;
        entry.complete = last;
        entry.chats = std::move(list).value();
        if (last) entry.pass_chat_ids = *seen;
        commit(self, std::move(entry), [=](bool) {
          if (stale(self, pass)) return;
          if (!last) return list_chats(self, pass, page + 1, seen, all, full, first_seq);
          if (!full) return;
          self->state.chats_left = static_cast<int>(all->size()) + 1;
          for (const auto& chat : *all) sync_chat(self, chat);
          task_done(self);  // the +1: completes even when there are no chats
        });
      });
}

void start_pass(Self* self) {
  auto& st = self->state;
  ++st.pass;
  st.queue.clear();
  st.active = 0;
  st.running = true;
  st.done = false;
  list_chats(self, st.pass, 0, std::make_shared<std::vector<std::string>>(),
             std::make_shared<std::vector<rest::ChatDetails>>(), true);
}

caf::behavior sync(Self* self, SyncOptions options, caf::actor api, caf::actor writer,
                   caf::actor hub, caf::actor notifier) {
  auto& st = self->state;
  st.options = options;
  st.api = std::move(api);
  st.writer = std::move(writer);
  st.hub = std::move(hub);
  st.notifier = std::move(notifier);
  return {
      [=](online_atom) {
        self->state.listing_failures = 0;
        start_pass(self);
      },
      [=](Later& later) { later.run(); },
      [=](retry_atom, std::uint64_t pass) {
        if (pass == self->state.pass && !self->state.running) start_pass(self);
      },
      [=](offline_atom) {
        auto& st = self->state;
        ++st.pass;
        st.queue.clear();
        st.active = 0;
        st.running = false;
        st.done = false;
      },
      [=](SyncDoneQuery) -> bool { return self->state.done; },
      [=](RefreshChats) {
        list_chats(self, 0, 0, std::make_shared<std::vector<std::string>>(),
                   std::make_shared<std::vector<rest::ChatDetails>>(), false);
      },
      [=](CheckHistory& check) -> caf::result<Done> {
        auto promise = self->make_response_promise();
        // As a sync pass does for each chat: a chat that appeared while connected (NEW_CHAT, or
        // USER_JOIN of self: taken back in after a removal, with everything said and changed
        // meanwhile to learn) has no other way to learn it before the next pass; an overdue
        // echo may lie below a page of newer messages.
        backfill_chat(self, 0, check.chat_id, [promise]() mutable { promise.deliver(Done{}); });
        return promise;
      },
      [=](LoadOlder& request) -> caf::result<LoadOlderReply> {
        auto promise = self->make_response_promise();
        read_bounds(self, request.chat_id, [=](const Bounds& bounds) mutable {
          Walk walk{0, request.chat_id, request.count, 0, 1};
          fetch_history(self, walk, bounds.oldest_id, [promise](const WalkEnd& end) mutable {
            LoadOlderReply reply;
            reply.loaded = end.loaded;
            promise.deliver(reply);
          });
        });
        return promise;
      },
  };
}

}  // namespace

caf::actor spawn_sync(caf::actor_system& system, SyncOptions options, caf::actor api,
                      caf::actor writer, caf::actor hub, caf::actor notifier) {
  return system.spawn(sync, options, std::move(api), std::move(writer), std::move(hub),
                      std::move(notifier));
}

}  // namespace whisp::actors
