// Engine::Impl: the state behind the public Engine (include/whisp/engine.hpp). Internal: shared
// by engine.cpp (the actions and the start-up) and the files that add read-side members to the
// Engine (engine_views.cpp, live_view.cpp). Nothing outside src/actors includes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "actors/api_actor.hpp"
#include "actors/connection_actor.hpp"
#include "actors/hub_actor.hpp"
#include "actors/notifier_actor.hpp"
#include "actors/sync_actor.hpp"
#include "actors/writer_actor.hpp"
#include "net/io_thread.hpp"
#include "protocol/timestamp.hpp"
#include "store/reader.hpp"
#include "whisp/engine.hpp"

namespace whisp {

namespace actors {

/// Extra receivers of the engine's Change notifications (live views), called on the notifier
/// thread after the app's own on_change, in commit order. Add and remove from any thread.
class ChangeListeners {
 public:
  using Fn = std::function<void(const Change&)>;
  std::uint64_t add(Fn fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto id = ++next_id_;
    listeners_.emplace(id, std::make_shared<Fn>(std::move(fn)));
    return id;
  }
  void remove(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    listeners_.erase(id);
  }
  void notify(const Change& change) {
    std::vector<std::shared_ptr<Fn>> fns;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fns.reserve(listeners_.size());
      for (auto& [id, fn] : listeners_) fns.push_back(fn);
    }
    for (auto& fn : fns) (*fn)(change);
  }

 private:
  std::mutex mutex_;
  std::uint64_t next_id_ = 0;
  std::map<std::uint64_t, std::shared_ptr<Fn>> listeners_;
};

}  // namespace actors

struct Engine::Impl {
  Config config;
  std::string user_id;
  // Destruction order matters: the I/O thread outlives the actor system, whose actors own
  // clients living on it.
  std::unique_ptr<net::IoThread> io;
  std::unique_ptr<caf::actor_system_config> caf_config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor notifier, api, writer, hub, sync, connection, judge;
  std::unique_ptr<store::Reader> reader;
  std::shared_ptr<actors::TypingBoard> typing = std::make_shared<actors::TypingBoard>();
  std::shared_ptr<actors::EngineSignals> signals = std::make_shared<actors::EngineSignals>();
  std::shared_ptr<actors::ChangeListeners> listeners = std::make_shared<actors::ChangeListeners>();
  std::mutex id_mutex;
  std::mt19937_64 id_rng{std::random_device{}()};
  std::once_flag stopped;
  std::string own_username;  // learnt lazily for createChat
  std::mutex username_mutex;

  std::chrono::milliseconds call_timeout() const { return config.request_timeout * 3; }

  std::string new_local_id() {
    std::lock_guard<std::mutex> lock(id_mutex);
    char buf[40];
    auto a = id_rng(), b = id_rng();
    std::snprintf(buf, sizeof buf, "local-%016llx%08llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b & 0xffffffffULL));
    return buf;
  }

  static Timestamp now() {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    return timestamp_from_micros(micros);
  }

  // Sends `request` to `dest` and waits for its reply of type R.
  template <class R, class Req>
  Result<R> ask(const caf::actor& dest, Req request, std::chrono::milliseconds timeout) {
    caf::scoped_actor self{*system};
    std::optional<Result<R>> out;
    self->request(dest, timeout, std::move(request))
        .receive([&](R& reply) { out.emplace(std::move(reply)); },
                 [&](caf::error& err) {
                   out.emplace(Error{err == caf::sec::request_timeout ? ErrorCode::timeout
                                                                     : ErrorCode::closed,
                                     "engine: " + system->render(err)});
                 });
    return std::move(*out);
  }

  Result<std::string> intent(store::LocalIntent intent) {
    if (auto ok = check_intent(intent); !ok.ok()) return ok.error();
    intent.local_id = new_local_id();
    intent.made_at = now();
    auto reply = ask<actors::IntentReply>(hub, actors::IntentRequest{std::move(intent)}, call_timeout());
    if (!reply.ok()) return reply.error();
    if (reply->error) return *reply->error;
    return reply->local_id;
  }

  Result<std::string> rest(std::string method, std::string path, std::string body) {
    actors::ApiCall call{std::move(method), std::move(path), std::move(body), true};
    auto reply = ask<actors::ApiReply>(api, std::move(call), call_timeout());
    if (!reply.ok()) return reply.error();
    if (reply->error) return *reply->error;
    return reply->body.empty() ? std::string("{}") : reply->body;
  }

  // An action naming a chat, message or reaction the store does not know, or someone else's
  // message to edit or delete, is refused before anything is logged (one read on the writer, so
  // it sees every intent committed before it).
  Status check_intent(const store::LocalIntent& intent) {
    // Shared, not captured by reference: after a timeout the read may still run on the writer.
    auto verdict = std::make_shared<std::optional<Status>>();
    actors::StoreRead read{[verdict, intent](const store::Store& s) { *verdict = s.check_intent(intent); }};
    auto done = ask<actors::Done>(writer, std::move(read), call_timeout());
    if (!done.ok()) return done.error();
    if (!*verdict) return Error{ErrorCode::closed, "engine: the store could not be read"};
    return **verdict;
  }

  void stop() {
    std::call_once(stopped, [this] {
      if (!system) return;
      for (auto* a : {&connection, &sync, &hub, &judge}) {
        if (*a) caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
      }
      // Every commit requested so far is flushed before the writer goes.
      if (writer) (void)ask<actors::OutboxReply>(writer, actors::OutboxQuery{}, std::chrono::seconds(30));
      for (auto* a : {&writer, &api, &notifier}) {
        if (*a) caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
      }
      notifier = api = writer = hub = sync = connection = judge = caf::actor{};
      system->await_all_actors_done();
      system.reset();
      io.reset();
    });
  }
};

}  // namespace whisp
