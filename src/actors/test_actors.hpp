// Fakes of the actors around a chat actor, for deterministic unit tests under CAF's test
// coordinator (scheduler.policy = testing): every actor here is spawned normally (not
// detached), so the test thread runs all of them, one message at a time, when it calls
// `sched.run()`. What they see is recorded in a World the test owns.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/caf_types.hpp"
#include "actors/connection_actor.hpp"
#include "actors/sync_actor.hpp"
#include "actors/writer_actor.hpp"

namespace whisp::actors::test {

/// What the fakes do and what they saw. Only the test thread touches it (the test coordinator
/// runs every actor on the thread that calls run()).
struct World {
  store::Store* store = nullptr;
  // Connection: every WriteAction in arrival order; the socket refuses (written=false) the
  // local ids in `refuse`, or everything when `refuse_all`.
  std::vector<WriteAction> writes;
  // The writes the socket took on the current connection, in order: what the real connection
  // reports to the cut judge when it goes down (the test clears it at each cut).
  std::vector<Written> connection_writes;
  // Settled: what the chat said it no longer awaits, in order; `unsettled` is what the real
  // connection's gate would hold in flight (a write is `alone` when it is empty). The fake never
  // holds a solo write back (write_gate_test.cpp covers that).
  std::vector<std::string> settled;
  std::set<std::string> unsettled;
  // Writes of these local ids are held back, as the real connection holds a solo write
  // (write_gate.hpp): answered (written) only when the test sends release_writes_atom. A
  // released write is not recorded in connection_writes, and a cut does not answer held writes:
  // a test that cuts around held writes must account for both.
  std::set<std::string> hold;
  std::vector<caf::response_promise> held_writes;
  std::set<std::string> refuse;
  bool refuse_all = false;
  // Sync: the chats whose history was checked, in order; `on_check` runs first (it may commit
  // a history page, as the real sync actor would).
  std::vector<std::string> history_checks;
  std::function<void(store::Store&, const std::string& chat_id)> on_check;
  // When `hold_checks`: CheckHistory is not answered until the test delivers `held` (Done{}).
  bool hold_checks = false;
  std::vector<caf::response_promise> held;
  // Writer and notifier: errors seen.
  std::vector<Error> errors;
  int commits = 0;
};

/// Answers like src/actors/writer_actor.cpp, without group commit: each request commits at once.
inline caf::behavior fake_writer(caf::event_based_actor*, std::shared_ptr<World> world) {
  return {
      [world](CommitRequest& request) -> CommitReply {
        ++world->commits;
        CommitReply reply;
        auto result = world->store->commit(request.entries);
        if (result.ok()) {
          reply.info = std::move(result).value();
          reply.info.changed_chats.clear();
        } else {
          reply.error = result.error();
          world->errors.push_back(result.error());
        }
        return reply;
      },
      [world](OutboxQuery& query) -> OutboxReply {
        OutboxReply reply;
        auto items = world->store->outbox(query.chat_id);
        if (items.ok()) {
          reply.items = std::move(items).value();
        } else {
          reply.error = items.error();
        }
        return reply;
      },
      [world](StoreRead& request) -> Done {
        request.read(*world->store);
        return {};
      },
  };
}

/// To the fake connection: write the held writes now (WriteResult{true}).
using release_writes_atom = caf::atom_constant<caf::atom("relwrites")>;

inline caf::behavior fake_connection(caf::event_based_actor* self, std::shared_ptr<World> world) {
  return {
      [self, world](WriteAction& write) -> caf::result<WriteResult> {
        world->writes.push_back(write);
        if (world->hold.count(write.local_id)) {
          world->held_writes.push_back(self->make_response_promise());
          return world->held_writes.back();
        }
        bool refused = world->refuse_all || world->refuse.count(write.local_id) > 0;
        if (!refused) {
          bool alone = world->unsettled.empty();
          world->unsettled.insert(write.local_id);
          world->connection_writes.push_back(Written{write.local_id, write.chat_id, alone});
        }
        return WriteResult{!refused};
      },
      [world](release_writes_atom) {
        for (auto& promise : world->held_writes) promise.deliver(WriteResult{true});
        world->held_writes.clear();
      },
      [world](WriteSettled& settled) {
        world->settled.push_back(settled.local_id);
        world->unsettled.erase(settled.local_id);
      },
      [](WriteTyping&) {},
  };
}

/// To the fake sync actor: answer every held CheckHistory now (Done{}).
using release_atom = caf::atom_constant<caf::atom("release")>;

inline caf::behavior fake_sync(caf::event_based_actor* self, std::shared_ptr<World> world) {
  return {
      [self, world](CheckHistory& check) -> caf::result<Done> {
        if (world->on_check) world->on_check(*world->store, check.chat_id);
        world->history_checks.push_back(check.chat_id);
        if (!world->hold_checks) return Done{};
        world->held.push_back(self->make_response_promise());
        return world->held.back();
      },
      [world](release_atom) {  // promises are delivered from their own actor only
        for (auto& promise : world->held) promise.deliver(Done{});
        world->held.clear();
      },
  };
}

inline caf::behavior fake_notifier(caf::event_based_actor* self, std::shared_ptr<World> world) {
  self->set_default_handler(caf::drop);
  return {
      [world](Error& error) { world->errors.push_back(error); },
      [](Change&) {},
  };
}

}  // namespace whisp::actors::test
