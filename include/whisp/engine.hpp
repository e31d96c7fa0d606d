// whisp-engine: an offline-first sync engine for the Whisp chat API.
//
// An app creates one Engine per signed-in user, hands it the server URL, credentials and a
// database path, and from then on renders its chat screens from snapshots the engine keeps
// current. Every own action is durable in the local store before the call returns its local id,
// is shown at once (status "pending"), and is confirmed when the server echoes it ("delivered").
// Offline, the engine serves everything it has and queues actions; on reconnect it backfills what
// it missed and sends what waited, without duplicates.
//
// Threading: every public member function may be called from any thread, concurrently, except
// that `stop()` and the destructor must not be called from inside a callback. Callbacks
// (`Callbacks`) are invoked on one engine-internal thread, one at a time, in commit order; they
// may call any const member function (snapshots), but must not block for long: the engine's
// notifications wait for them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "whisp/result.hpp"

namespace whisp {

/// Sign in with username and password (the API key is the app's, sent as `x-api-key`).
struct SignIn {
  std::string api_key;
  std::string username;
  std::string password;
};

/// Resume a session from stored tokens.
struct Tokens {
  std::string user_id;
  std::string jwt;
  std::string refresh_token;
};

struct TlsConfig {
  bool verify_peer = true;  // verify the certificate chain and the host name
  std::string ca_file;      // PEM bundle; empty = the system store
};

struct Config {
  std::string server_url;     // "http(s)://host[:port]"; ws(s) is derived from it
  std::string database_path;  // SQLite file; created when missing. ":memory:" for tests.
  std::variant<SignIn, Tokens> auth;
  TlsConfig tls;

  std::chrono::milliseconds backoff_initial{1000};  // reconnect: full jitter, doubling…
  std::chrono::milliseconds backoff_max{30000};     // …up to this cap
  std::chrono::milliseconds heart_beat{10000};      // STOMP heart-beat we offer and ask for
  std::chrono::milliseconds request_timeout{10000}; // each REST call and connect step
  std::chrono::milliseconds echo_timeout{10000};    // a sent action unconfirmed this long is
                                                    // looked up in history, then resent
  int initial_history_depth = 50;  // messages fetched for a chat never synced
  // Messages per chat re-read after each (re)connect below the new ones: the protocol has no
  // change feed, so an edit, deletion or reaction made to an older message while the engine was
  // away (or lost in a cut) is seen only this way. -1: all the history the store holds.
  int revalidate_history_depth = 500;
  int sync_concurrency = 4;        // REST requests in flight during backfill
  int max_sends = 3;               // an action never confirmed after this many sends fails
  std::size_t max_frame_bytes = 64 * 1024;  // the server's inbound STOMP frame limit
  bool start_online = true;        // false: open the store and serve it, connect on go_online()
};

enum class ConnectionState { disconnected, connecting, connected, reconnecting, auth_failed };
const char* to_string(ConnectionState state);

struct ConnectionEvent {
  ConnectionState state;
  int attempt = 0;      // reconnect attempt number (reconnecting)
  std::string reason;   // why the connection went down (disconnected, auth_failed)
};

/// What one commit changed. `seq` is the log sequence number the store now reflects.
struct Change {
  std::int64_t seq = 0;
  std::vector<std::string> chat_ids;
  bool chat_list_changed = false;
};

/// A reference to a message or reaction of the snapshot: its server id, or for an own item
/// not yet delivered, its local id.
struct ItemRef {
  std::string id;
  bool local = false;
  static ItemRef server(std::string id) { return {std::move(id), false}; }
  static ItemRef local_id(std::string id) { return {std::move(id), true}; }
};

struct Callbacks {
  std::function<void(const Change&)> on_change;               // after each commit
  std::function<void(const ConnectionEvent&)> on_connection;  // state transitions, in order
  std::function<void(const Error&)> on_error;                 // malformed input, failed calls
  std::function<void(const Tokens&)> on_tokens;               // new JWT or session: persist it
};

class Engine {
 public:
  /// Opens the store, signs in when asked to, and starts connecting in the background.
  /// Fails (without starting anything) on an unusable config, an unreadable store, or a refused
  /// sign-in. Cost: opening the store; sign-in is one HTTP round trip.
  static Result<std::unique_ptr<Engine>> start(Config config, Callbacks callbacks = {});

  /// Stops: closes the connection, finishes pending commits, joins every thread.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::string& user_id() const;

  // --- own actions -----------------------------------------------------------------------
  // Each returns once the intent is committed to the log (durable, survives kill -9), with the
  // local id that names the new item until the server confirms it. Cost: one group commit.
  // Errors: invalid_argument (empty text, unknown chat or message), rejected (editing or
  // deleting someone else's message), closed (engine stopping).
  Result<std::string> send_message(const std::string& chat_id, const std::string& text);
  Result<std::string> reply(const std::string& chat_id, const ItemRef& parent,
                            const std::string& text);
  Status edit_message(const std::string& chat_id, const ItemRef& message, const std::string& text);
  Status delete_message(const std::string& chat_id, const ItemRef& message);
  Result<std::string> react(const std::string& chat_id, const ItemRef& message,
                            const std::string& emoji);
  Status unreact(const std::string& chat_id, const ItemRef& reaction);
  Status mark_read(const std::string& chat_id, const std::string& message_id);
  /// Ephemeral: sent when connected, dropped otherwise. Never stored.
  Status typing(const std::string& chat_id);

  // --- REST passthroughs (need a connection; the result body as JSON) -----------------------
  Result<std::string> create_chat(const std::string& name, const std::vector<std::string>& user_names);
  Result<std::string> add_user(const std::string& chat_id, const std::string& username);
  Result<std::string> remove_user(const std::string& chat_id, const std::string& user_id);
  Result<std::string> rename_chat(const std::string& chat_id, const std::string& name);
  Result<std::string> delete_chat(const std::string& chat_id);

  // --- reading ------------------------------------------------------------------------------
  /// The snapshot JSON of the contract (DESIGN.md), all chats or one. A running engine adds
  /// "typing" to chats and "error" to failed messages. Reads its own connection: never waits
  /// for a write, always one committed state. Cost: O(size of the snapshot).
  Result<std::string> snapshot_json(const std::optional<std::string>& chat_id = {}) const;
  /// Loads up to `count` older messages of a chat: from the store first, the server for a gap.
  /// Returns how many messages were added to the store.
  Result<int> load_older(const std::string& chat_id, int count);

  // --- connection -----------------------------------------------------------------------------
  /// Drops the connection and stays offline (actions queue) until go_online().
  void go_offline();
  /// Connects now (skipping any backoff wait).
  void go_online();
  ConnectionState connection_state() const;
  /// Waits until connected, backfill done and the outbox empty (true), or the timeout (false).
  bool wait_idle(std::chrono::milliseconds timeout);
  /// The server's logout for this session, then stop. With `erase_store`, also deletes the
  /// database file and its WAL/SHM.
  Status logout(bool erase_store);

  struct Impl;

 private:
  // Live views (whisp/live.hpp) read through the engine's read connection and listen to its
  // commits; LiveAccess is their internal door to impl_.
  friend struct LiveAccess;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace whisp
