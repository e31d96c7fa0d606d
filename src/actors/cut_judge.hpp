// The cut judge: decides, after a connection cut, which one action pays a send for it (see
// cut_ledger.hpp for the rule). The hub tells it what each connection wrote; each chat actor
// asks it, after re-reading its history, whether one of its unconfirmed actions is the culprit,
// and waits for the answer before resending anything (so the user's order holds).
#pragma once

#include "actors/caf_types.hpp"
#include "actors/cut_ledger.hpp"

namespace whisp::actors {

/// From the hub: the connection went down after writing `writes` (in write order).
/// `explained`: the app asked to go offline, or the server named the action it refused.
struct CutReport {
  std::vector<Written> writes;
  bool explained = false;
};
/// Request from a chat actor: its actions the last cut left unconfirmed, in the user's order.
/// Reply: Verdict, once every action written before them on that connection is judged.
struct VerdictRequest {
  std::string chat_id;
  std::vector<std::string> unconfirmed;
};
struct Verdict {
  std::optional<std::string> charged;  // the one action that pays a send
  bool abandoned = false;              // the connection went down before the verdict
};

/// Messages: CutReport, VerdictRequest.
caf::actor spawn_cut_judge(caf::actor_system& system);

}  // namespace whisp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::CutReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::VerdictRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(whisp::actors::Verdict)
