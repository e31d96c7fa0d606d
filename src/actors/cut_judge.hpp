// The cut judge: decides, after a connection cut, which one action is its culprit, and whether
// it pays a send for it (see cut_ledger.hpp for the rule). The hub tells it what each connection wrote; each chat actor
// asks it, after re-reading its history, whether one of its unconfirmed actions is the culprit,
// and waits for the answer before resending anything (so the user's order holds).
#pragma once

#include "actors/caf_types.hpp"
#include "actors/cut_ledger.hpp"

namespace whisp::actors {

/// From the hub: connection number `connection` (see ChatOnline) went down after writing
/// `writes` (in write order). `explained`: the app asked to go offline, or the server's ERROR
/// named the frame it refused.
struct CutReport {
  std::vector<Written> writes;
  bool explained = false;
  std::uint64_t connection = 0;
};
/// Request from a chat actor, reconciling on connection number `connection`: its actions the
/// cuts left unconfirmed, in the user's order. Reply: Verdict, once every action written
/// before them is judged.
struct VerdictRequest {
  std::string chat_id;
  std::uint64_t connection = 0;
  std::vector<std::string> unconfirmed;
  std::vector<std::string> queued;  // every action still in the chat's outbox (for strikes)
};
struct Verdict {
  // The chat's action that is the cut's culprit, if any: it is resent alone (write_gate.hpp).
  std::optional<std::string> culprit;
  bool charged = false;  // the culprit pays a send (cut_ledger.hpp says when)
  std::string why;       // why an uncharged culprit does not pay, for the logs
  // No verdict: the request's connection went down (before it was asked, or before the
  // verdict), or a newer request of the chat replaced it. The chat asks again next time.
  bool abandoned = false;
};

/// Messages: CutReport, VerdictRequest.
/// `cuts_per_charge`: see CutLedger.
caf::actor spawn_cut_judge(caf::actor_system& system, int cuts_per_charge = 2);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::CutReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::VerdictRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::Verdict)
