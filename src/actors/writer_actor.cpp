#include "actors/writer_actor.hpp"

#include <utility>

#include "whisp/log.hpp"

namespace whisp::actors {
namespace {

struct WriterState {
  std::unique_ptr<store::Store> store;
  caf::actor notifier;
  CommittedSeq committed;
  // The entries of every waiting request, in order, one group per request: moved in whole, so
  // no entry (a LogEntry is ~470 bytes) is moved one by one.
  std::vector<std::vector<store::LogEntry>> batch;
  std::vector<caf::response_promise> waiting;        // one per request in the batch
  bool flush_scheduled = false;
  static inline const char* name = "whisp.writer";
};

using Self = caf::stateful_actor<WriterState>;

void flush(Self* self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  if (st.waiting.empty()) return;
  auto result = st.store->commit_groups(st.batch);
  CommitReply reply;
  if (result.ok()) {
    reply.info = std::move(result).value();
  } else {
    reply.error = result.error();
    log(LogLevel::error, "writer", "commit failed: " + result.error().describe());
  }
  st.batch.clear();
  if (st.committed) st.committed->store(st.store->last_seq());
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  if (reply.info.last_seq != 0 &&
      (!reply.info.changed_chats.empty() || reply.info.chat_list_changed)) {
    Change change;
    change.seq = reply.info.last_seq;
    change.chat_ids.assign(reply.info.changed_chats.begin(), reply.info.changed_chats.end());
    change.chat_list_changed = reply.info.chat_list_changed;
    self->send(st.notifier, std::move(change));
  }
  // Requesters get the outcome and the sequence numbers; the set of changed chats went to the
  // notifier above. Copying that set into each of the (often ~100) replies of a group commit,
  // and freeing it in each requester, cost more CPU than the commit itself (bench/ingest_bench).
  reply.info.changed_chats.clear();
  for (auto& promise : waiting) promise.deliver(reply);
}

caf::behavior writer(Self* self, std::unique_ptr<store::Store>* store, caf::actor notifier,
                     CommittedSeq committed) {
  self->state.store = std::move(*store);
  self->state.notifier = std::move(notifier);
  self->state.committed = std::move(committed);
  if (self->state.committed) self->state.committed->store(self->state.store->last_seq());
  return {
      [=](CommitRequest& request) -> caf::result<CommitReply> {
        auto& st = self->state;
        st.batch.push_back(std::move(request.entries));
        st.waiting.push_back(self->make_response_promise());
        // The flush message queues behind everything already in the mailbox: all requests that
        // arrived meanwhile join this transaction (group commit).
        if (!st.flush_scheduled) {
          st.flush_scheduled = true;
          self->send(self, flush_atom::value);
        }
        return st.waiting.back();
      },
      [=](flush_atom) { flush(self); },
      [=](OutboxQuery& query) -> OutboxReply {
        flush(self);  // a query sees every commit requested before it
        OutboxReply reply;
        auto items = self->state.store->outbox(query.chat_id);
        if (items.ok()) {
          reply.items = std::move(items).value();
        } else {
          reply.error = items.error();
        }
        return reply;
      },
      [=](StoreRead& request) -> Done {
        flush(self);
        request.read(*self->state.store);
        return {};
      },
  };
}

}  // namespace

caf::actor spawn_writer(caf::actor_system& system, std::unique_ptr<store::Store> store,
                        caf::actor notifier, CommittedSeq committed) {
  // The store is handed over through a pointer: CAF copies spawn arguments.
  auto holder = std::make_shared<std::unique_ptr<store::Store>>(std::move(store));
  return system.spawn<caf::detached>(
      [holder](Self* self, caf::actor n, CommittedSeq c) {
        return writer(self, holder.get(), std::move(n), std::move(c));
      },
      std::move(notifier), std::move(committed));
}

}  // namespace whisp::actors
