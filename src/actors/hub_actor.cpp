#include "actors/hub_actor.hpp"

#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "actors/connection_actor.hpp"
#include "actors/cut_judge.hpp"
#include "actors/sync_actor.hpp"
#include "actors/writer_actor.hpp"
#include "protocol/actions.hpp"

namespace whisp::actors {
namespace {

struct HubState {
  std::shared_ptr<const ChatContext> ctx;
  std::shared_ptr<EngineSignals> signals;
  std::unordered_map<std::string, caf::actor> chats;
  bool online = false;
  bool pass_done = false;
  std::set<std::string> synced;  // chats backfilled on this connection
  ConnectionWrites cut;            // what the connection that is going down wrote
  std::uint64_t connection = 0;    // numbers the connections that came up
  static inline const char* name = "whisp.hub";
};

using Self = caf::stateful_actor<HubState>;

const caf::actor& chat_actor(Self* self, const std::string& chat_id) {
  auto& st = self->state;
  auto it = st.chats.find(chat_id);
  if (it != st.chats.end()) return it->second;
  auto actor = spawn_chat(self->system(), chat_id, st.ctx);
  self->link_to(actor);
  if (st.online) {
    self->send(actor, ChatOnline{true, st.connection});
    if (st.pass_done || st.synced.count(chat_id)) self->send(actor, synced_atom::value);
  }
  return st.chats.emplace(chat_id, std::move(actor)).first->second;
}

void on_connection(Self* self, const ConnectionEvent& event) {
  auto& st = self->state;
  self->send(st.ctx->notifier, event);
  st.signals->state = event.state;
  bool online = event.state == ConnectionState::connected;
  if (online != st.online) {
    st.online = online;
    st.pass_done = false;
    st.synced.clear();
    st.signals->synced = false;
    self->send(st.ctx->sync, online ? caf::atom_value(online_atom::value)
                                    : caf::atom_value(offline_atom::value));
    if (online) ++st.connection;
    for (auto& [id, actor] : st.chats) self->send(actor, ChatOnline{online, st.connection});
    if (!online) {
      // A cut is explained when the server named the frame it refused, or the app went
      // offline. Chats ask the judge only after a reconnect, tagged with the new number.
      bool explained = st.cut.refused || event.reason == kOfflineByRequest;
      self->send(st.ctx->judge,
                 CutReport{std::exchange(st.cut.writes, {}), explained, st.connection});
      st.cut.refused = false;
    }
  }
  st.signals->bump();
}

// The pass is over: every chat actor may reconcile, and chats with queued actions but no actor
// yet (a restarted process) get one, so their outbox resumes.
void on_pass_done(Self* self) {
  auto& st = self->state;
  st.pass_done = true;
  for (auto& [id, actor] : st.chats) self->send(actor, synced_atom::value);
  self->request(st.ctx->writer, caf::infinite, OutboxQuery{})
      .then([self](OutboxReply& reply) {
        for (const auto& item : reply.items) {
          std::visit([&](const auto& w) { chat_actor(self, w.chat_id); }, item.intent.what);
        }
        self->state.signals->synced = true;
        self->state.signals->bump();
      });
}

// One message per chat per chunk, events in arrival order. A chunk is usually one frame: all
// its events of one chat go on as they came, without grouping (no copy of a chat id, no map).
void route(Self* self, IncomingEvents& incoming) {
  auto& events = incoming.events;
  if (events.empty()) return;
  const std::string& first = event_common(events.front().event).chat_id;
  bool one_chat = true;
  for (const auto& live : events) one_chat = one_chat && event_common(live.event).chat_id == first;
  if (one_chat) {
    const caf::actor& actor = chat_actor(self, first);
    self->send(actor, ChatEvents{std::move(events)});
    return;
  }
  // Group index of each event, keyed by views of the chat ids (stable until the moves below).
  std::unordered_map<std::string_view, std::size_t> group_of;
  std::vector<std::size_t> group(events.size());
  std::vector<ChatEvents> groups;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto [it, fresh] = group_of.try_emplace(event_common(events[i].event).chat_id, groups.size());
    if (fresh) groups.emplace_back();
    group[i] = it->second;
  }
  std::vector<std::string> chat_ids;  // one per group, before the events move out
  chat_ids.reserve(groups.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (group[i] == chat_ids.size()) chat_ids.push_back(event_common(events[i].event).chat_id);
    groups[group[i]].events.push_back(std::move(events[i]));
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    self->send(chat_actor(self, chat_ids[g]), std::move(groups[g]));
  }
}

caf::behavior hub(Self* self, std::shared_ptr<EngineSignals> signals) {
  self->state.signals = std::move(signals);
  return {
      [=](HubSetup& setup) { self->state.ctx = std::move(setup.context); },
      [=](IncomingEvents& incoming) { route(self, incoming); },
      [=](const ConnectionEvent& event) { on_connection(self, event); },
      [=](ConnectionWrites& writes) { self->state.cut = std::move(writes); },
      [=](ActionRejected& rejected) {
        self->send(chat_actor(self, rejected.chat_id), std::move(rejected));
      },
      [=](IntentRequest& request) {
        std::string chat_id;
        std::visit([&](const auto& w) { chat_id = w.chat_id; }, request.intent.what);
        return self->delegate(chat_actor(self, chat_id), std::move(request));
      },
      [=](TypingRequest& typing) {
        auto body = encode_action(action::Typing{typing.chat_id}, self->state.ctx->self_id);
        self->send(self->state.ctx->connection, WriteTyping{std::move(body)});
      },
      [=](synced_atom, const std::string& chat_id) {
        auto& st = self->state;
        if (!st.online) return;
        if (chat_id.empty()) return;
        st.synced.insert(chat_id);
        self->send(chat_actor(self, chat_id), synced_atom::value);
      },
      [=](synced_atom) {
        if (self->state.online) on_pass_done(self);
      },
  };
}

}  // namespace

// Spawned with an argument: CAF 0.17 dereferences a null argument tuple for actors spawned
// without any (undefined behaviour that UBSan reports).
caf::actor spawn_hub(caf::actor_system& system, std::shared_ptr<EngineSignals> signals) {
  return system.spawn(hub, std::move(signals));
}

}  // namespace whisp::actors
