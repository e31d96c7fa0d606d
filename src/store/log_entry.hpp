// What the event log holds: every state change of a store, in the order it was committed.
// `apply(entry)` is the only writer of projections. The JSON form of each entry (one line each,
// the replay tool's input) is documented in docs/store-format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "protocol/events.hpp"
#include "protocol/rest.hpp"

namespace whisp::store {

/// A realtime event exactly as received (the STOMP MESSAGE body) and its decoded form.
struct LiveEvent {
  std::string json;
  Event event;
};

/// A getMessages result with its request. `before` is the `lastMessage` cursor (nullopt for
/// "newest"); `size` the requested size (a shorter page reached the start of the chat).
/// `after_seq` on a REST result: the log's last seq when the request went out. A row a later
/// entry (live event) asserted is newer than the result and is not undone by it (a reaction,
/// membership or chat the page omits because it predates them). Absent: the result is taken
/// as the newest word (older logs, tests).
struct HistoryPage {
  std::optional<std::int64_t> after_seq;
  std::string chat_id;
  std::optional<std::string> before;
  int size = 50;
  rest::MessageList page;
};

/// A getChats result. `complete` is true when this page set ended the listing (the last page
/// of a full pass): then a known chat absent from all pages of the pass has vanished.
/// `page` kCreated: the reply of the user's own createChat (one chat, never complete).
struct ChatsPage {
  static constexpr int kCreated = -1;
  std::optional<std::int64_t> after_seq;
  int page = 0;
  int size = 20;
  bool complete = false;
  rest::ChatList chats;
  std::vector<std::string> pass_chat_ids;  // when complete: every chat id seen in the pass
};

/// A getUsers result for one chat: members and their read pointers.
struct MembersPage {
  std::optional<std::int64_t> after_seq;
  std::string chat_id;
  rest::UserList users;
};

/// A target of an own action: a server id, or the localId of an own not-yet-delivered item.
struct Target {
  std::optional<std::string> message_id;  // server id (message or reaction)
  std::optional<std::string> local_id;
};

namespace intent {
struct Send { std::string chat_id, text; };
struct Reply { std::string chat_id; Target parent; std::string text; };
struct Edit { std::string chat_id; Target target; std::string text; };
struct Delete { std::string chat_id; Target target; };
struct React { std::string chat_id; Target target; std::string emoji; };
struct Unreact { std::string chat_id; Target reaction; };
struct MarkRead { std::string chat_id, message_id; };
}  // namespace intent

/// A user's own action, durable before the API returns its local id.
struct LocalIntent {
  std::string local_id;
  Timestamp made_at;  // client clock; also the action's timeStamp on the wire
  std::variant<intent::Send, intent::Reply, intent::Edit, intent::Delete, intent::React,
               intent::Unreact, intent::MarkRead>
      what;
};

/// Delivery progress of an own action (invariant 5). `delivered` is not here: it is derived
/// by apply from the echo or from history.
struct OutboxTransition {
  // resend: back to pending after a disconnect or an echo timeout, the send counted.
  // lost: back to pending, the send not counted: it was lost to a connection cut this action did
  // not cause (frames written behind the culprit, or never written at all).
  // unconfirmed: failed because no echo ever confirmed it, not because the server refused it. The
  // server may hold it all the same (stored, then the connection cut): if its echo or a history
  // page shows it later, it becomes delivered after all.
  enum class State { sent, failed, resend, lost, unconfirmed };
  std::string local_id;
  State state = State::sent;
  std::string reason;  // for failed
};

using LogEntry = std::variant<LiveEvent, HistoryPage, ChatsPage, MembersPage, LocalIntent,
                              OutboxTransition>;

}  // namespace whisp::store
