#include "actors/chat_actor.hpp"

#include <map>
#include <set>
#include <utility>

#include "actors/connection_actor.hpp"
#include "actors/cut_judge.hpp"
#include "actors/frames.hpp"
#include "actors/sync_actor.hpp"
#include "actors/writer_actor.hpp"
#include "protocol/actions.hpp"
#include "whisp/log.hpp"

namespace whisp::actors {
namespace {

using Clock = std::chrono::steady_clock;
using store::OutboxItem;
using store::OutboxTransition;

struct TypingExpiry {};

struct ChatState {
  std::string chat_id;
  std::shared_ptr<const ChatContext> ctx;
  bool online = false;
  bool synced = false;  // backfill of this chat done since the connection came up
  bool pumping = false;
  bool pump_again = false;
  bool outbox_known_empty = false;
  bool checking_history = false;
  // Bumped on every ChatOnline: replies from an older connection are stale.
  std::uint64_t epoch = 0;
  // Offered to the connection on this connection, unconfirmed: when the socket took it (none
  // while the connection holds it back, write_gate.hpp: its echo is not awaited yet).
  std::map<std::string, std::optional<Clock::time_point>> in_flight;
  // Who pays for a connection cut is the cut judge's call (cut_ledger.hpp), except after a
  // restart: nobody recorded what the previous process wrote, so the first reconcile charges
  // the chat's oldest action left sent (invariant 5 holds across a crash loop too).
  bool restarted = true;
  bool judging = false;             // waiting for the cut judge: nothing is resent meanwhile
  std::uint64_t connection = 0;     // the hub's number of the current (or last) connection
  std::set<std::string> unwritten;  // marked sent, but the socket refused the write
  // Culprits of cuts (charged or not): written alone from now on, so that a cut of theirs is
  // evidence (write_gate.hpp). Forgotten once they leave the outbox.
  std::set<std::string> solo;
  static inline const char* name = "whisp.chat";
};

using Self = caf::stateful_actor<ChatState>;

void pump(Self* self);

void notify_error(Self* self, const Error& error) {
  self->send(self->state.ctx->notifier, error);
}

// Delivery decisions at debug level: which send each action spent, and why (the chaos test's
// failures are read from these lines).
template <class F>
void trace_delivery(const ChatState& st, F line) {
  if (log_level() > LogLevel::debug) return;
  log(LogLevel::debug, "chat", "chat " + st.chat_id + ": " + line());
}

// Commits entries and continues with `then` once they are durable.
template <class F>
void commit(Self* self, std::vector<store::LogEntry> entries, F then) {
  if (entries.empty()) return then();
  self->request(self->state.ctx->writer, caf::infinite, CommitRequest{std::move(entries)})
      .then([self, then](CommitReply& reply) {
        if (reply.error) notify_error(self, *reply.error);
        then();
      });
}

std::optional<std::string> target_id(const store::Target& target, const OutboxItem& item) {
  if (target.message_id) return target.message_id;
  return item.resolved_target;
}

const store::Target* target_of(const store::LocalIntent& intent) {
  using namespace store::intent;
  if (auto* r = std::get_if<Reply>(&intent.what)) return &r->parent;
  if (auto* e = std::get_if<Edit>(&intent.what)) return &e->target;
  if (auto* d = std::get_if<Delete>(&intent.what)) return &d->target;
  if (auto* r = std::get_if<React>(&intent.what)) return &r->target;
  if (auto* u = std::get_if<Unreact>(&intent.what)) return &u->reaction;
  return nullptr;
}

// The wire action of an outbox item, with its targets resolved to server ids.
Action to_action(const OutboxItem& item, const std::string& id) {
  using namespace store::intent;
  const auto& in = item.intent;
  const std::string& ts = in.made_at.text;
  return std::visit(
      [&](const auto& w) -> Action {
        using T = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<T, Send>) {
          return action::SendMsg{w.chat_id, w.text, ts};
        } else if constexpr (std::is_same_v<T, Reply>) {
          return action::Reply{w.chat_id, id, w.text, ts};
        } else if constexpr (std::is_same_v<T, Edit>) {
          return action::EditMsg{w.chat_id, id, w.text, ts};
        } else if constexpr (std::is_same_v<T, Delete>) {
          return action::DeleteMsg{w.chat_id, id};
        } else if constexpr (std::is_same_v<T, React>) {
          return action::React{w.chat_id, id, w.emoji, ts};
        } else if constexpr (std::is_same_v<T, Unreact>) {
          return action::DeleteReact{id};
        } else {
          return action::ReadMsg{w.chat_id, w.message_id};
        }
      },
      in.what);
}

OutboxTransition transition(const std::string& local_id, OutboxTransition::State state,
                            std::string reason = {}) {
  return OutboxTransition{local_id, state, std::move(reason)};
}

struct Plan {
  std::vector<store::LogEntry> transitions;
  std::vector<WriteAction> writes;
};

// Decides, in the user's order, what to send now and what has failed for good.
Plan plan_sends(Self* self, const std::vector<OutboxItem>& items) {
  auto& st = self->state;
  const auto& ctx = *st.ctx;
  Plan plan;
  std::set<std::string> waiting;  // local ids still in the outbox
  for (const auto& item : items) waiting.insert(item.intent.local_id);
  for (const auto& item : items) {
    const auto& local_id = item.intent.local_id;
    if (item.state != OutboxItem::State::pending) continue;  // sent: in flight or reconciling
    std::string id;
    if (const auto* target = target_of(item.intent)) {
      auto resolved = target_id(*target, item);
      if (!resolved) {
        if (target->local_id && waiting.count(*target->local_id)) {  // keep the order
          trace_delivery(st,
                         [&] { return local_id + " waits for its target " + *target->local_id; });
          break;
        }
        plan.transitions.emplace_back(
            transition(local_id, OutboxTransition::State::failed,
                       "its target " + target->local_id.value_or("?") + " was never delivered"));
        continue;
      }
      id = *resolved;
    }
    if (item.sends >= ctx.max_sends) {
      plan.transitions.emplace_back(
          transition(local_id, OutboxTransition::State::unconfirmed,
                     "not confirmed by the server after " + std::to_string(item.sends) + " sends"));
      continue;
    }
    auto frame = send_frame(encode_action(to_action(item, id), ctx.self_id), local_id);
    if (frame.size() > ctx.max_frame_bytes) {
      plan.transitions.emplace_back(transition(
          local_id, OutboxTransition::State::failed,
          "too large: its STOMP frame is " + std::to_string(frame.size()) +
              " bytes, over the server's limit of " + std::to_string(ctx.max_frame_bytes)));
      continue;
    }
    trace_delivery(
        st, [&] { return "write " + local_id + ", send " + std::to_string(item.sends + 1); });
    plan.transitions.emplace_back(transition(local_id, OutboxTransition::State::sent));
    plan.writes.push_back(
        WriteAction{st.chat_id, local_id, std::move(frame), st.solo.count(local_id) > 0});
  }
  return plan;
}

// An action written on this connection is no longer awaited: the connection's solo writes wait
// for that (write_gate.hpp).
void settle(Self* self, const std::string& local_id) {
  if (self->state.in_flight.erase(local_id) == 0) return;
  self->send(self->state.ctx->connection, WriteSettled{local_id});
}

// Forgets in-flight actions the store no longer lists: they were confirmed or failed.
void prune_in_flight(Self* self, const std::vector<OutboxItem>& items) {
  auto& st = self->state;
  std::set<std::string> listed;
  for (const auto& item : items) listed.insert(item.intent.local_id);
  std::vector<std::string> gone;
  for (const auto& [id, at] : st.in_flight) {
    if (!listed.count(id)) gone.push_back(id);
  }
  for (const auto& id : gone) settle(self, id);
  for (auto* ids : {&st.solo, &st.unwritten}) {
    for (auto it = ids->begin(); it != ids->end();) {
      it = listed.count(*it) ? std::next(it) : ids->erase(it);
    }
  }
}

void schedule_echo_check(Self* self) {
  self->delayed_send(self, self->state.ctx->echo_timeout, check_atom::value);
}

void finish_pump(Self* self) {
  auto& st = self->state;
  st.pumping = false;
  if (st.pump_again) {
    st.pump_again = false;
    pump(self);
  }
}

void pump(Self* self) {
  auto& st = self->state;
  if (!st.online || !st.synced || st.judging) return;
  if (st.pumping) {
    st.pump_again = true;
    return;
  }
  st.pumping = true;
  self->request(st.ctx->writer, caf::infinite, OutboxQuery{st.chat_id})
      .then([self, epoch = st.epoch](OutboxReply& reply) {
        auto& st = self->state;
        if (reply.error) {
          notify_error(self, *reply.error);
          return finish_pump(self);
        }
        // The connection changed meanwhile: the new one's reconcile pumps when it is done.
        if (epoch != st.epoch || !st.synced || st.judging) return finish_pump(self);
        st.outbox_known_empty = reply.items.empty();
        prune_in_flight(self, reply.items);
        auto plan = plan_sends(self, reply.items);
        commit(self, std::move(plan.transitions), [self, epoch, writes = std::move(plan.writes)]() {
          auto& st = self->state;
          bool any = false;
          for (const auto& w : writes) {
            // Left `sent` but never written: the next reconcile requeues it uncounted. Written
            // on a newer connection, it could overtake the cut's own resends (the user's order).
            if (!st.online || epoch != st.epoch || st.judging) {
              st.unwritten.insert(w.local_id);
              continue;
            }
            st.in_flight[w.local_id] = std::nullopt;
            any = true;
            self->request(st.ctx->connection, caf::infinite, w)
                .then([self, id = w.local_id](WriteResult& r) {
                  auto& st = self->state;
                  auto it = st.in_flight.find(id);
                  if (r.written) {
                    // On the socket: its echo is awaited from now on (the actor clock: testable).
                    if (it != st.in_flight.end()) it->second = self->clock().now();
                    return;
                  }
                  if (it != st.in_flight.end()) st.in_flight.erase(it);
                  st.unwritten.insert(id);
                });
          }
          if (any) schedule_echo_check(self);
          finish_pump(self);
        });
      });
}

// Moves an unconfirmed action back to pending: counted when `charged` (or failed when it was
// sent often enough already), uncounted (`lost`) otherwise.
store::LogEntry back_to_pending(const ChatState& st, const OutboxItem& item, bool charged,
                                const char* why) {
  const auto& id = item.intent.local_id;
  trace_delivery(st, [&] {
    return id + (charged ? " charged send " + std::to_string(item.sends) + " for " + why
                         : std::string(" lost in ") + why + ", not charged");
  });
  if (!charged) return transition(id, OutboxTransition::State::lost);
  if (item.sends >= st.ctx->max_sends) {
    return transition(
        id, OutboxTransition::State::unconfirmed,
        "not confirmed by the server after " + std::to_string(item.sends) + " sends");
  }
  return transition(id, OutboxTransition::State::resend);
}

// Actions whose echo is overdue on a live connection, not found in history: each is charged.
void reconcile_overdue(Self* self, const std::set<std::string>& overdue) {
  auto& st = self->state;
  self->request(st.ctx->writer, caf::infinite, OutboxQuery{st.chat_id})
      .then([self, overdue](OutboxReply& reply) {
        auto& st = self->state;
        if (reply.error) {  // the next echo check asks again
          notify_error(self, *reply.error);
          return;
        }
        prune_in_flight(self, reply.items);
        std::vector<store::LogEntry> entries;
        for (const auto& item : reply.items) {
          const auto& id = item.intent.local_id;
          if (item.state != OutboxItem::State::sent || !overdue.count(id)) continue;
          auto it = st.in_flight.find(id);
          if (it == st.in_flight.end() || !it->second) continue;  // not (or no longer) written
          settle(self, id);
          st.unwritten.erase(id);
          entries.push_back(back_to_pending(st, item, true, "an overdue echo"));
        }
        commit(self, std::move(entries), [self] { pump(self); });
      });
}

// After the (re)sync of this chat: own actions left `sent` without their echo were not found in
// the history just applied (the store would have confirmed them), so they go back to pending.
// The cut judge names the cut's culprit, if it is this chat's, and says whether it pays a send
// (cut_ledger.hpp); it is written alone from now on. A write the socket refused never pays;
// after a restart the oldest pays.
void reconcile_cut(Self* self) {
  auto& st = self->state;
  self->request(st.ctx->writer, caf::infinite, OutboxQuery{st.chat_id})
      .then([self, epoch = st.epoch](OutboxReply& reply) {
        auto& st = self->state;
        if (epoch != st.epoch) return;  // a newer connection reconciles again
        if (reply.error) {
          // Without the outbox the chat cannot tell the judge what is left; it stays as it is
          // until the next connection (the cut's actions stay `sent`).
          notify_error(self, *reply.error);
          return;
        }
        prune_in_flight(self, reply.items);
        std::vector<std::string> queued;  // before `left` takes the items
        for (const auto& item : reply.items) queued.push_back(item.intent.local_id);
        std::vector<OutboxItem> left;  // the cut's unconfirmed writes, in the user's order
        std::vector<store::LogEntry> entries;
        for (auto& item : reply.items) {
          const auto& id = item.intent.local_id;
          if (item.state != OutboxItem::State::sent || st.in_flight.count(id)) continue;
          if (st.unwritten.erase(id) > 0) {
            entries.push_back(back_to_pending(st, item, false, "a cut (never written)"));
          } else {
            left.push_back(std::move(item));
          }
        }
        auto requeue = [self, left](const Verdict& verdict) {
          auto& st = self->state;
          std::vector<store::LogEntry> moves;
          for (const auto& item : left) {
            bool pays = verdict.charged && verdict.culprit == item.intent.local_id;
            moves.push_back(back_to_pending(st, item, pays, "a cut"));
          }
          commit(self, std::move(moves), [self] { pump(self); });
        };
        // Asked even with nothing left: the judge needs every chat's word on the suspects.
        VerdictRequest question{st.chat_id, st.connection, {}, std::move(queued)};
        for (const auto& item : left) question.unconfirmed.push_back(item.intent.local_id);
        std::optional<std::string> oldest;
        if (!left.empty()) oldest = left.front().intent.local_id;
        st.judging = true;
        commit(self, std::move(entries), [self, requeue, question, oldest, epoch = st.epoch] {
          self->request(self->state.ctx->judge, caf::infinite, question)
              .then([self, requeue, oldest, epoch](Verdict& verdict) {
                auto& st = self->state;
                // Abandoned: this connection is gone too; the next one asks again.
                if (epoch != st.epoch || verdict.abandoned) return;
                st.judging = false;
                if (std::exchange(st.restarted, false) && !verdict.culprit && oldest) {
                  verdict.culprit = oldest;
                  verdict.charged = true;
                }
                if (verdict.culprit) st.solo.insert(*verdict.culprit);
                trace_delivery(st, [&] {
                  if (!verdict.culprit) return std::string("cut judged: nobody pays");
                  if (verdict.charged) return "cut judged: " + *verdict.culprit + " pays";
                  return "cut judged: " + *verdict.culprit + " resent alone, not charged (" +
                         verdict.why + ")";
                });
                requeue(verdict);
              });
        });
      });
}

void on_events(Self* self, ChatEvents& batch) {
  auto& st = self->state;
  const auto& ctx = *st.ctx;
  std::vector<store::LogEntry> entries;
  entries.reserve(batch.events.size());
  bool typing_changed = false;
  bool own = false;
  bool joined = false;
  for (auto& live : batch.events) {
    const auto& common = event_common(live.event);
    if (std::holds_alternative<event::Typing>(live.event)) {
      if (common.sender_id == ctx.self_id) continue;
      ctx.typing->set(st.chat_id, common.sender_id, Clock::now() + ctx.typing_lifetime);
      self->delayed_send(self, ctx.typing_lifetime + std::chrono::milliseconds(10), TypingExpiry{});
      typing_changed = true;
      continue;
    }
    if (std::holds_alternative<event::SendMsg>(live.event) ||
        std::holds_alternative<event::Reply>(live.event)) {
      typing_changed |= ctx.typing->clear(st.chat_id, common.sender_id);
    }
    own |= common.sender_id == ctx.self_id;
    if (const auto* join = std::get_if<event::UserJoin>(&live.event)) {
      joined |= join->user_id == ctx.self_id;
    }
    joined |= std::holds_alternative<event::NewChat>(live.event);
    entries.emplace_back(std::move(live));
  }
  if (joined && st.online) {
    // A chat that appeared (or took us in) while connected: no USER_JOIN tells us who else is
    // in it and what was said before, and the next sync pass may be far away. Fetch its newest
    // page and its members now (invariant 4).
    self->request(ctx.sync, caf::infinite, CheckHistory{st.chat_id}).then([](Done&) {});
  }
  if (typing_changed && entries.empty()) {
    self->send(ctx.notifier, Change{0, {st.chat_id}, false});
  }
  commit(self, std::move(entries), [self, own] {
    // An own echo may confirm an action or resolve the target another one waits for.
    if (own && !self->state.outbox_known_empty) pump(self);
  });
}

}  // namespace
}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::TypingExpiry)

namespace whisp::actors {
namespace {

caf::behavior chat(Self* self, std::string chat_id, std::shared_ptr<const ChatContext> ctx) {
  self->state.chat_id = std::move(chat_id);
  self->state.ctx = std::move(ctx);
  return {
      [=](ChatEvents& batch) { on_events(self, batch); },
      [=](IntentRequest& request) -> caf::result<IntentReply> {
        auto promise = self->make_response_promise();
        auto local_id = request.intent.local_id;
        self->request(self->state.ctx->writer, caf::infinite,
                      CommitRequest{{store::LogEntry{std::move(request.intent)}}})
            .then([self, promise, local_id](CommitReply& reply) mutable {
              IntentReply out;
              out.local_id = local_id;
              out.error = reply.error;
              promise.deliver(std::move(out));
              self->state.outbox_known_empty = false;
              pump(self);
            });
        return promise;
      },
      [=](ChatOnline& online) {
        auto& st = self->state;
        trace_delivery(st, [&] { return online.online ? "online" : "offline"; });
        st.online = online.online;
        st.connection = online.connection;
        st.judging = false;
        st.synced = false;
        st.in_flight.clear();
        ++st.epoch;
        st.checking_history = false;  // a check still out belongs to the old connection
      },
      [=](synced_atom) {
        auto& st = self->state;
        if (!st.online || st.synced) return;
        st.synced = true;
        reconcile_cut(self);
      },
      [=](ActionRejected& rejected) {
        settle(self, rejected.local_id);
        commit(self,
               {store::LogEntry{transition(rejected.local_id, OutboxTransition::State::failed,
                                           "rejected by the server: " + rejected.reason)}},
               [self] { pump(self); });
      },
      [=](pump_atom) { pump(self); },
      [=](check_atom) {
        auto& st = self->state;
        if (st.checking_history || !st.online || !st.synced) return;
        std::set<std::string> overdue;
        auto now = self->clock().now();
        for (const auto& [id, at] : st.in_flight) {
          if (at && now - *at >= st.ctx->echo_timeout) overdue.insert(id);
        }
        if (overdue.empty()) {
          if (!st.in_flight.empty()) schedule_echo_check(self);
          return;
        }
        trace_delivery(st, [&] {
          std::string ids;
          for (const auto& id : overdue) ids += " " + id;
          return "echo overdue:" + ids;
        });
        st.checking_history = true;
        self->request(st.ctx->sync, caf::infinite, CheckHistory{st.chat_id})
            .then([self, overdue, epoch = st.epoch](Done&) {
              auto& st = self->state;
              // Answered after a reconnect: the cut's own reconcile already dealt with these
              // actions, and they may be in flight again on the new connection.
              if (epoch != st.epoch) return;
              st.checking_history = false;
              reconcile_overdue(self, overdue);
              if (!st.in_flight.empty()) schedule_echo_check(self);
            });
      },
      [=](TypingExpiry) {
        auto& st = self->state;
        if (st.ctx->typing->expire(st.chat_id, Clock::now())) {
          self->send(st.ctx->notifier, Change{0, {st.chat_id}, false});
        }
      },
  };
}

}  // namespace

caf::actor spawn_chat(caf::actor_system& system, std::string chat_id,
                      std::shared_ptr<const ChatContext> context) {
  return system.spawn(chat, std::move(chat_id), std::move(context));
}

}  // namespace whisp::actors
