#include "actors/cut_ledger.hpp"

#include <algorithm>

namespace whisp::actors {

void CutLedger::on_cut(std::vector<Written> writes, bool explained) {
  reports_.clear();
  if (decided_) {
    suspects_.clear();
    culprit_.reset();
  }
  if (!explained) {
    for (auto& w : writes) {
      // An action written again on the new connection keeps its first (earlier) place.
      bool known = std::any_of(suspects_.begin(), suspects_.end(),
                               [&](const Written& s) { return s.local_id == w.local_id; });
      if (!known) suspects_.push_back(std::move(w));
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

bool CutLedger::waiting(const std::string& chat_id) const {
  if (decided_) return false;
  auto r = reports_.find(chat_id);
  return std::any_of(suspects_.begin(), suspects_.end(), [&](const Written& s) {
    return s.chat_id == chat_id && (r == reports_.end() || r->second.count(s.local_id) > 0);
  });
}

std::optional<std::string> CutLedger::take_charge(const std::string& chat_id) {
  if (!culprit_ || culprit_->chat_id != chat_id) return std::nullopt;
  auto id = std::move(culprit_->local_id);
  culprit_.reset();
  return id;
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
