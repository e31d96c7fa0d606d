// Who pays for a connection cut (invariant 5: an action fails after at most 3 sends, and a
// failed action never fails the others).
//
// A server that cannot carry out an action may close the socket without saying which action it
// choked on. It handles a connection's frames in order, so every frame before the culprit was
// carried out (echoed, or found in history afterwards) and every frame behind it was never read.
// The culprit is therefore the first action written on the connection that is still unconfirmed
// once every chat that wrote on it has re-read its history: the culprit. It is charged a send
// only when it was written alone (write_gate.hpp): with earlier writes still in flight, the cut
// may as well be the server closing right after answering them, so the culprit is only resent
// alone, uncharged, and its next cut is the evidence. Everything else the cut swallowed is resent
// uncharged. A cut the engine or the server explained (the app went offline; an ERROR named the
// action) charges nobody.
//
// Pure bookkeeping, no actors and no clock: the cut judge (cut_judge.hpp) drives it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace whisp::actors {

/// One action written on a connection, in the order the connection wrote them.
struct Written {
  std::string local_id;
  std::string chat_id;
  bool alone = true;  // every action written before it on the connection was settled
};

class CutLedger {
 public:
  /// The connection went down having written `writes`. An unexplained cut adds them to the
  /// suspects (behind any still unjudged: a cut that came before its judgement was made);
  /// an explained one adds nothing. Reports of the previous connection are forgotten: the
  /// chats report again after the next reconnect.
  void on_cut(std::vector<Written> writes, bool explained);

  /// A chat's actions the cut left unconfirmed after its history was re-read, in the user's
  /// order. Returns true when the verdict for this chat is known now (see verdict()).
  bool report(const std::string& chat_id, std::vector<std::string> unconfirmed);

  /// Whether the chat must wait: it holds a suspect and the culprit is not known yet.
  bool waiting(const std::string& chat_id) const;

  /// The chat's action that is the cut's culprit, if any: it pays a send when it was written
  /// `alone`. Valid once waiting() is false; handed out once.
  std::optional<Written> take_culprit(const std::string& chat_id);

  /// Suspects still to judge (for tests and logs).
  std::size_t suspects() const { return suspects_.size(); }

 private:
  void judge();

  std::vector<Written> suspects_;                        // unjudged, in write order
  std::map<std::string, std::set<std::string>> reports_;  // chat -> unconfirmed local ids
  std::optional<Written> culprit_;                       // decided, not yet handed out
  bool decided_ = true;                                  // nothing to judge
};

}  // namespace whisp::actors
