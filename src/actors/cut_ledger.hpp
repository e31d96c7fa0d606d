// Who pays for a connection cut (invariant 5: an action fails after at most 3 sends, and a
// failed action never fails the others).
//
// A server that cannot carry out an action may close the socket without saying which action it
// choked on. It handles a connection's frames in order, so every frame before the culprit was
// carried out (echoed, or found in history afterwards) and every frame behind it was never read.
// The culprit is therefore the first action written on the connection that is still unconfirmed
// once every chat that wrote on it has re-read its history. How much that says against it:
//   - written behind actions still in flight, nothing: the cut may as well be the server closing
//     right after answering them. It is resent alone (write_gate.hpp), uncharged, so that its
//     next cut is evidence;
//   - written alone, half a send: a transport fault is as likely as a refusal (a server that
//     drops a connection now and then hits the action it was reading, and an ERROR that names
//     no frame may be a heart-beat timeout), so it takes two such cuts to charge a send. An
//     action that keeps killing the connection still fails, after 6; an innocent one would
//     need the fault to strike it 6 times.
// Everything else the cut swallowed is resent uncharged. A cut the engine or the server
// explained (the app went offline; an ERROR named the action) charges nobody.
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

/// The action a cut's judgement names, and whether it pays a send (`why` not, for the logs).
struct Culprit {
  std::string local_id;
  bool pays = false;
  std::string why;
};

class CutLedger {
 public:
  /// `cuts_per_charge`: how many cuts an alone culprit takes to pay one send (2 in the engine;
  /// 1 in tests of other rules).
  explicit CutLedger(int cuts_per_charge = 2) : cuts_per_charge_(cuts_per_charge) {}

  /// The connection went down having written `writes`. An unexplained cut adds them to the
  /// suspects (behind any still unjudged: a cut that came before its judgement was made);
  /// an explained one adds nothing. Reports of the previous connection are forgotten: the chats
  /// report again after the next reconnect.
  void on_cut(std::vector<Written> writes, bool explained);

  /// A chat's actions the cut left unconfirmed after its history was re-read, in the user's
  /// order. Returns true when the verdict for this chat is known now (see verdict()).
  bool report(const std::string& chat_id, std::vector<std::string> unconfirmed);

  /// Forgets the strikes of the chat's actions that are no longer in its outbox (`queued`):
  /// they were confirmed or failed.
  void forget_strikes(const std::string& chat_id, const std::vector<std::string>& queued);

  /// Whether the chat must wait: it holds a suspect and the culprit is not known yet.
  bool waiting(const std::string& chat_id) const;

  /// The chat's action that is the cut's culprit, if any, and whether it pays (see above).
  /// Valid once waiting() is false; handed out once.
  std::optional<Culprit> take_culprit(const std::string& chat_id);

  /// Suspects still to judge (for tests and logs).
  std::size_t suspects() const { return suspects_.size(); }
  /// Actions with uncharged cuts held against them (for tests).
  std::size_t strikes() const { return strikes_.size(); }

 private:
  void judge();

  std::vector<Written> suspects_;                        // unjudged, in write order
  std::map<std::string, std::set<std::string>> reports_;  // chat -> unconfirmed local ids
  std::optional<Written> culprit_;                       // decided, not yet handed out
  struct Strikes {
    std::string chat_id;
    int cuts = 0;
  };
  int cuts_per_charge_;
  std::map<std::string, Strikes> strikes_;  // alone culprits with uncharged cuts: by local id
  bool decided_ = true;                                  // nothing to judge
};

}  // namespace whisp::actors
