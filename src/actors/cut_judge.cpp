#include "actors/cut_judge.hpp"

#include <algorithm>
#include <map>

namespace whisp::actors {
namespace {

struct JudgeState {
  CutLedger ledger;
  std::map<std::string, caf::response_promise> waiting;  // chat -> its unanswered request
  std::uint64_t ended = 0;  // the newest connection reported down: requests from it are stale
  static inline const char* name = "whisp.cut_judge";
};

using Self = caf::stateful_actor<JudgeState>;

Verdict abandoned() {
  Verdict verdict;
  verdict.abandoned = true;
  return verdict;
}

// Answers every chat whose verdict the last report decided.
void answer_ready(Self* self) {
  auto& st = self->state;
  for (auto it = st.waiting.begin(); it != st.waiting.end();) {
    if (st.ledger.waiting(it->first)) {
      ++it;
      continue;
    }
    Verdict verdict;
    if (auto culprit = st.ledger.take_culprit(it->first)) {
      verdict.culprit = std::move(culprit->local_id);
      verdict.charged = culprit->pays;
      verdict.why = std::move(culprit->why);
    }
    it->second.deliver(std::move(verdict));
    it = st.waiting.erase(it);
  }
}

caf::behavior judge(Self* self, int cuts_per_charge) {
  self->state.ledger = CutLedger(cuts_per_charge);
  return {
      [=](CutReport& cut) {
        auto& st = self->state;
        for (auto& [chat, promise] : st.waiting) promise.deliver(abandoned());
        st.waiting.clear();
        st.ended = std::max(st.ended, cut.connection);
        st.ledger.on_cut(std::move(cut.writes), cut.explained);
      },
      [=](VerdictRequest& request) -> caf::result<Verdict> {
        auto& st = self->state;
        // Asked on a connection that is gone: its word would count for the next cut's
        // judgement and could take the charge away from the culprit.
        if (request.connection <= st.ended) return abandoned();
        auto old = st.waiting.find(request.chat_id);
        if (old != st.waiting.end()) {  // superseded by this newer question
          old->second.deliver(abandoned());
          st.waiting.erase(old);
        }
        auto promise = self->make_response_promise();
        st.waiting.emplace(request.chat_id, promise);
        st.ledger.forget_strikes(request.chat_id, request.queued);
        st.ledger.report(request.chat_id, std::move(request.unconfirmed));
        answer_ready(self);
        return promise;
      },
  };
}

}  // namespace

// Spawned with an argument in any case: CAF 0.17 dereferences a null argument tuple for actors
// spawned without any (undefined behaviour that UBSan reports).
caf::actor spawn_cut_judge(caf::actor_system& system, int cuts_per_charge) {
  return system.spawn(judge, cuts_per_charge);
}

}  // namespace whisp::actors
