// The server's truth (DESIGN.md invariant 4) from fresh REST calls, in one comparable form with
// an engine's snapshot JSON.
//
// A View holds what invariant 4 names: chats (ids, names), members (ids, usernames, read
// pointers), messages (ids, senders, texts, edit flags, replies, reactions by id). Left out
// because they are not the server's word: unreadCount (derived), timeStamp texts (the order of
// the messages is compared instead), editedAt (the server's own clock on an edit echo), localIds,
// statuses, typing and errors. Own items the server never confirmed (messageId or reactionId
// null) are not part of the comparison: the tests judge them on their own (delivered / failed).
//
// Read pointers and the read-receipt side effect of getMessages (PROTOCOL.md section 2): reading
// history as a user moves that user's read pointer on the server (and the server emits READ_MSG
// to every member). So the truth is read in two parts:
//   - `fetch_history` (getMessages, every page of every chat) once, AFTER the engines are idle:
//     its side effect may move pointers, never content;
//   - `fetch_structure` (getChats all pages, getUsers per chat: no side effect) at every
//     comparison attempt, giving names, members and the read pointers of ALL users, own included.
// A comparison is retried (waiting for the engines' next change) until engines and server agree
// or a deadline passes; the READ_MSG events our own history reads caused reach the engines
// meanwhile. So every user's read pointer is compared, consistently: engine and server state are
// both taken after the side effect.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "whisp/result.hpp"

namespace whisp::synctest {

struct Reaction {
  std::string id, sender, emoji;
  bool operator<(const Reaction& o) const { return id < o.id; }
  bool operator==(const Reaction& o) const {
    return id == o.id && sender == o.sender && emoji == o.emoji;
  }
};

struct Message {
  std::string id, sender, text;
  bool edited = false;
  std::optional<std::string> reply_id, reply_sender, reply_text;
  std::vector<Reaction> reactions;  // sorted by id
};

struct Member {
  std::string user_id;
  std::optional<std::string> username, last_read;
};

struct Chat {
  std::string id;
  std::optional<std::string> name;
  std::vector<Member> members;    // sorted by user id
  std::vector<Message> messages;  // in the server's order: (timeStamp, messageId)
};

/// Chats by id.
struct View {
  std::map<std::string, Chat> chats;
};

/// Own items of an engine snapshot that the server never confirmed.
struct Unconfirmed {
  struct Item {
    std::string chat_id, local_id, text, status, error;
  };
  std::vector<Item> messages;
  struct Reaction {
    std::string chat_id, message_id, emoji;
  };
  std::vector<Reaction> reactions;
};

/// The engine's snapshot JSON as a View (confirmed items only) plus its unconfirmed own items.
Result<View> view_of_snapshot(const std::string& snapshot_json, Unconfirmed* unconfirmed = nullptr);

/// How the replies are compared. The dev server's getMessages gives a reply's parent as it is
/// NOW (edited text), the live REPLY event as it was then: see the report of issue 6.
struct CompareOptions {
  bool reply_text = false;
};

/// Line-per-difference description; empty when equal.
std::string differences(const View& engine, const View& server, const CompareOptions& options = {});

/// A signed-in REST session of one user against a server, blocking calls.
class RestUser {
 public:
  static Result<RestUser> sign_in(const std::string& server_url, const std::string& api_key,
                                  const std::string& username, const std::string& password);
  const std::string& user_id() const { return user_id_; }

  /// Chats (names), members and read pointers: getChats (all pages), getUsers per chat.
  Result<View> fetch_structure() const;
  /// Every message of every chat of the user, getMessages page by page (size `page_size`).
  /// Side effect: the server records the user's read of each chat's newest message.
  Result<std::map<std::string, std::vector<Message>>> fetch_history(int page_size = 100) const;
  /// Raw GET/POST with the session's JWT: the body, or an error naming the status.
  Result<std::string> get(const std::string& path) const;
  Result<std::string> post(const std::string& path, const std::string& body) const;

 private:
  std::string url_, jwt_, user_id_;
};

/// structure + history in one View.
View merge(View structure, const std::map<std::string, std::vector<Message>>& history);

/// One engine under comparison: how to read its snapshot, how to wait for its next change
/// (at most the time given), and the REST session of its user.
struct Probe {
  std::string name;
  const RestUser* rest = nullptr;
  std::function<Result<std::string>()> snapshot;
  std::function<void(std::chrono::milliseconds)> wait_change;
};

/// Invariant 4 for every probe: reads each user's history once (the side effect above), then
/// compares every engine with a fresh structure until all agree (returns "") or `timeout`
/// passes (returns the differences of the last attempt, engine by engine).
std::string converge(const std::vector<Probe>& probes, std::chrono::milliseconds timeout,
                     const CompareOptions& options = {});

/// Own messages and reactions never confirmed, one line each.
std::string describe_unconfirmed(const Unconfirmed& u);

/// The seed of a randomized test: WHISP_SEED from the environment, else a random one.
std::uint64_t test_seed();

}  // namespace whisp::synctest
