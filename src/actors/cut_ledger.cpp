#include "actors/cut_ledger.hpp"

#include <algorithm>
#include <utility>

namespace whisp::actors {

void CutLedger::on_cut(std::vector<Written> writes, bool explained) {
  reports_.clear();
  if (decided_) {
    suspects_.clear();
    culprit_.reset();
  }
  if (!explained) {
    for (auto& w : writes) {
      // An action written again on the new connection keeps its first (earlier) place; written
      // alone on either, a cut of its may be its doing.
      auto known = std::find_if(suspects_.begin(), suspects_.end(),
                                [&](const Written& s) { return s.local_id == w.local_id; });
      if (known == suspects_.end()) {
        suspects_.push_back(std::move(w));
      } else {
        known->alone = known->alone || w.alone;
      }
    }
  }
  decided_ = suspects_.empty();
}

bool CutLedger::report(const std::string& chat_id, std::vector<std::string> unconfirmed) {
  reports_[chat_id] = std::set<std::string>(std::make_move_iterator(unconfirmed.begin()),
                                            std::make_move_iterator(unconfirmed.end()));
  judge();
  return !waiting(chat_id);
}

void CutLedger::forget_strikes(const std::string& chat_id,
                               const std::vector<std::string>& queued) {
  std::set<std::string> listed(queued.begin(), queued.end());
  for (auto it = strikes_.begin(); it != strikes_.end();) {
    it = it->second.chat_id == chat_id && !listed.count(it->first) ? strikes_.erase(it)
                                                                     : std::next(it);
  }
}

bool CutLedger::waiting(const std::string& chat_id) const {
  if (decided_) return false;
  auto r = reports_.find(chat_id);
  return std::any_of(suspects_.begin(), suspects_.end(), [&](const Written& s) {
    return s.chat_id == chat_id && (r == reports_.end() || r->second.count(s.local_id) > 0);
  });
}

std::optional<Culprit> CutLedger::take_culprit(const std::string& chat_id) {
  if (!culprit_ || culprit_->chat_id != chat_id) return std::nullopt;
  Written w = *std::exchange(culprit_, std::nullopt);
  if (!w.alone) return Culprit{std::move(w.local_id), false, "written behind unconfirmed actions"};
  auto strike = strikes_.try_emplace(w.local_id, Strikes{w.chat_id, 0}).first;
  if (++strike->second.cuts < cuts_per_charge_) {
    return Culprit{std::move(w.local_id), false,
                   "cut " + std::to_string(strike->second.cuts) + " of the " +
                       std::to_string(cuts_per_charge_) + " that pay a send"};
  }
  strikes_.erase(strike);
  return Culprit{std::move(w.local_id), true, {}};
}

// Walks the suspects in write order: the first one its chat still reports unconfirmed is the
// culprit; a suspect whose chat has not reported yet leaves the question open.
void CutLedger::judge() {
  if (decided_) return;
  for (const auto& s : suspects_) {
    auto r = reports_.find(s.chat_id);
    if (r == reports_.end()) return;
    if (r->second.count(s.local_id)) {
      culprit_ = s;
      break;
    }
  }
  decided_ = true;
  suspects_.clear();
}

}  // namespace whisp::actors
