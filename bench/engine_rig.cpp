#include "engine_rig.hpp"

#include <unistd.h>

#include <cstdio>
#include <optional>

#include "actors/connection_actor.hpp"
#include "actors/event_group.hpp"
#include "actors/hub_actor.hpp"
#include "actors/notifier_actor.hpp"
#include "actors/typing_board.hpp"
#include "actors/writer_actor.hpp"
#include "protocol/events.hpp"
#include "protocol/stomp.hpp"
#include "store/store.hpp"
#include "whisp/log.hpp"

namespace whisp::bench {
namespace {

// One WebSocket message, as the connection actor's WsData carries it.
struct RawChunk {
  std::string bytes;
};
// As the connection actor's SendEvents: the events decoded so far go to the hub.
struct SendEvents {};

}  // namespace
}  // namespace whisp::bench

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::bench::RawChunk)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::bench::SendEvents)

namespace whisp::bench {
namespace {

struct FeederState {
  caf::actor hub, notifier;
  stomp::Parser parser{stomp::ParserLimits{}};
  std::shared_ptr<std::atomic<std::uint64_t>> skipped;
  actors::EventGroup events;  // decoded, not yet sent to the hub
  bool send_scheduled = false;
  static inline const char* name = "whisp.bench.feeder";
};

// connection_actor.cpp on_data + on_frame (MESSAGE branch), for a connected session.
caf::behavior feeder(caf::stateful_actor<FeederState>* self, caf::actor hub, caf::actor notifier,
                     std::shared_ptr<std::atomic<std::uint64_t>> skipped) {
  self->state.hub = std::move(hub);
  self->state.notifier = std::move(notifier);
  self->state.skipped = std::move(skipped);
  return {
      [=](RawChunk& data) {
        auto& st = self->state;
        st.parser.feed(data.bytes);
        auto& batch = st.events;
        for (;;) {
          auto item = st.parser.next();
          if (!item.ok()) {
            self->send(st.notifier, Error{item.error().code, "STOMP: " + item.error().message});
            break;
          }
          if (!item->has_value()) break;
          auto* frame = std::get_if<stomp::Frame>(&**item);
          if (frame == nullptr || frame->command != "MESSAGE") continue;
          auto event = decode_event(frame->body);
          if (!event.ok()) {
            log(LogLevel::warn, "connection", "event skipped: " + event.error().describe());
            self->send(st.notifier,
                       Error{event.error().code, "event skipped: " + event.error().message});
            ++*st.skipped;
            continue;
          }
          batch.push(store::LiveEvent{std::move(frame->body), std::move(event).value()});
          if (batch.full()) self->send(st.hub, actors::IncomingEvents{batch.take()});
        }
        if (!st.events.empty() && !st.send_scheduled) {
          st.send_scheduled = true;
          self->send(self, SendEvents{});
        }
      },
      [=](SendEvents) {
        auto& st = self->state;
        st.send_scheduled = false;
        if (st.events.empty()) return;
        self->send(st.hub, actors::IncomingEvents{st.events.take()});
      },
  };
}

}  // namespace

struct EngineRig::Impl {
  std::unique_ptr<caf::actor_system_config> caf_config;
  std::unique_ptr<caf::actor_system> system;
  caf::actor notifier, writer, hub, feeder;
  std::shared_ptr<actors::EngineSignals> signals = std::make_shared<actors::EngineSignals>();
  std::shared_ptr<std::atomic<std::uint64_t>> skipped =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  std::size_t base_running = 0;

  void stop() {
    if (!system) return;
    for (auto* a : {&feeder, &hub}) {
      if (*a) caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    }
    if (writer) {  // every commit requested so far is flushed before the writer goes
      caf::scoped_actor self{*system};
      self->request(writer, std::chrono::seconds(60), actors::OutboxQuery{})
          .receive([](actors::OutboxReply&) {}, [](caf::error&) {});
    }
    for (auto* a : {&writer, &notifier}) {
      if (*a) caf::anon_send_exit(*a, caf::exit_reason::user_shutdown);
    }
    feeder = hub = writer = notifier = caf::actor{};
    system->await_all_actors_done();
    system.reset();
  }
};

Result<std::unique_ptr<EngineRig>> EngineRig::start(const std::string& db_path,
                                                    const std::string& self_user_id,
                                                    std::function<void(const Change&)> on_change) {
  store::OpenOptions open_options;
  open_options.self_user_id = self_user_id;
  auto store = store::Store::open(db_path, open_options);
  if (!store.ok()) return store.error();

  auto impl = std::make_unique<Impl>();
  impl->caf_config = std::make_unique<caf::actor_system_config>();
  impl->caf_config->set("logger.verbosity", caf::atom("quiet"));
  impl->system = std::make_unique<caf::actor_system>(*impl->caf_config);
  auto& sys = *impl->system;

  // As Engine::start: the app's callback, then a wake-up of the engine's waiters.
  Callbacks callbacks;
  auto signals = impl->signals;
  callbacks.on_change = [signals, cb = std::move(on_change)](const Change& c) {
    if (cb) cb(c);
    signals->bump();
  };
  impl->notifier = actors::spawn_notifier(sys, std::move(callbacks));
  impl->writer = actors::spawn_writer(sys, std::move(store).value(), impl->notifier);
  impl->hub = actors::spawn_hub(sys, impl->signals);
  auto ctx = std::make_shared<actors::ChatContext>();
  ctx->writer = impl->writer;
  ctx->notifier = impl->notifier;
  ctx->typing = std::make_shared<actors::TypingBoard>();
  ctx->self_id = self_user_id;
  caf::anon_send(impl->hub, actors::HubSetup{std::move(ctx)});
  impl->feeder = sys.spawn(feeder, impl->hub, impl->notifier, impl->skipped);
  impl->base_running = sys.registry().running();
  return std::unique_ptr<EngineRig>(new EngineRig(std::move(impl)));
}

EngineRig::EngineRig(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EngineRig::~EngineRig() { impl_->stop(); }

void EngineRig::feed(std::string bytes) { caf::anon_send(impl_->feeder, RawChunk{std::move(bytes)}); }

std::uint64_t EngineRig::skipped() const { return impl_->skipped->load(); }

std::size_t EngineRig::chat_actors() const {
  auto running = impl_->system->registry().running();
  return running > impl_->base_running ? running - impl_->base_running : 0;
}

std::size_t current_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages_total = 0, pages_resident = 0;
  int n = std::fscanf(f, "%lu %lu", &pages_total, &pages_resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::size_t>(pages_resident) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace whisp::bench
