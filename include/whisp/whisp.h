/* whisp-engine C API: embed the offline-first Whisp sync engine from C, or from any language
 * with a C FFI (Swift, Kotlin/JNI, Dart, Python ctypes).
 *
 * The same engine as the C++ API (whisp/engine.hpp), with plain C types: configuration,
 * snapshots and results travel as JSON text (UTF-8, NUL-terminated), errors as a status code plus
 * an optional message.
 *
 *   whisp_engine* engine = NULL;
 *   char* err = NULL;
 *   if (whisp_engine_start(config_json, on_event, my_state, &engine, &err) != WHISP_OK) {
 *     fprintf(stderr, "%s\n", err);  whisp_string_free(err);  return 1;
 *   }
 *   char* local_id = NULL;
 *   whisp_send_message(engine, chat_id, "hello", &local_id, NULL);
 *   whisp_string_free(local_id);
 *   char* snapshot = NULL;
 *   whisp_snapshot(engine, NULL, &snapshot, NULL);   // the contract's snapshot JSON
 *   whisp_string_free(snapshot);
 *   whisp_engine_free(engine);                       // stops and joins the engine
 *
 * CONFIG JSON (whisp_engine_start):
 *   { "serverUrl": "http://127.0.0.1:8080",          required
 *     "databasePath": "/path/to/store.db",            required; ":memory:" for tests
 *     "auth": { "username": "...", "password": "...", "apiKey": "..." }      sign in, or
 *             { "userId": "...", "jwt": "...", "refreshToken": "..." },      resume a session
 *     "tls": { "verifyPeer": true, "caFile": "" },    optional
 *     "backoffInitialMs": 1000, "backoffMaxMs": 30000, "heartBeatMs": 10000,
 *     "requestTimeoutMs": 10000, "echoTimeoutMs": 10000, "initialHistoryDepth": 50,
 *     "revalidateHistoryDepth": 500, "syncConcurrency": 4, "maxSends": 3,
 *     "startOnline": true }                                                all optional
 *   Unknown keys are refused (a misspelt option is an error, not a silent default).
 *
 * SNAPSHOT JSON: exactly DESIGN.md's "Snapshot JSON" contract; a running engine adds "typing" to
 * chats and "error" to failed messages.
 *
 * OWNERSHIP: every `char*` the library hands out (results, error messages) is the caller's and
 * must be released with whisp_string_free(). Strings passed in are only read during the call.
 * Output parameters may be NULL when the caller does not want them; they are set to NULL when
 * nothing is returned. A handle is released with whisp_engine_free() exactly once.
 *
 * THREADS: every function may be called from any thread, concurrently, on the same handle,
 * except whisp_engine_free() and whisp_engine_logout(), which must not race with other calls on
 * that handle and must never be called from inside the callback. The callback runs on one
 * engine-internal thread, one event at a time, in commit order; it may call whisp_snapshot()
 * and the action functions, and must return quickly (the engine's notifications wait for it).
 * The `json` argument of the callback is valid only during the call: copy what you keep.
 */
#ifndef WHISP_WHISP_H
#define WHISP_WHISP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define WHISP_API __attribute__((visibility("default")))
#else
#define WHISP_API
#endif

/* Status of a call. WHISP_OK is zero; the others follow whisp::ErrorCode. */
typedef enum whisp_status {
  WHISP_OK = 0,
  WHISP_ERR_INVALID_ARGUMENT = 1, /* a parameter is unusable (NULL, empty, bad config JSON) */
  WHISP_ERR_MALFORMED_JSON = 2,
  WHISP_ERR_MISSING_FIELD = 3,
  WHISP_ERR_WRONG_TYPE = 4,
  WHISP_ERR_INVALID_VALUE = 5,
  WHISP_ERR_PROTOCOL = 6,
  WHISP_ERR_FRAME_TOO_LARGE = 7,
  WHISP_ERR_IO = 8,
  WHISP_ERR_STORAGE = 9,
  WHISP_ERR_AUTH_FAILED = 10, /* credentials refused, or the session expired beyond refresh */
  WHISP_ERR_NOT_FOUND = 11,   /* the named chat, message or reaction does not exist */
  WHISP_ERR_REJECTED = 12,    /* refused: e.g. editing someone else's message */
  WHISP_ERR_TIMEOUT = 13,
  WHISP_ERR_CLOSED = 14       /* the engine is stopping or stopped */
} whisp_status;

/* Kinds of events delivered to the callback, each with a JSON payload:
 *   WHISP_EVENT_CHANGED     {"version": N, "chatIds": ["..."], "chatListChanged": bool}
 *                           after each commit; version is the log sequence now reflected.
 *   WHISP_EVENT_CONNECTION  {"state": "disconnected|connecting|connected|reconnecting|
 *                           auth_failed", "attempt": N, "reason": "..."}
 *   WHISP_EVENT_ERROR       {"code": "malformed_json", "message": "..."}: bad input from the
 *                           server, a failed call; the engine goes on.
 *   WHISP_EVENT_TOKENS      {"userId": "...", "jwt": "...", "refreshToken": "..."}: a new JWT
 *                           or session. Persist it (securely) to resume later without a
 *                           password; never log it. */
typedef enum whisp_event_kind {
  WHISP_EVENT_CHANGED = 1,
  WHISP_EVENT_CONNECTION = 2,
  WHISP_EVENT_ERROR = 3,
  WHISP_EVENT_TOKENS = 4
} whisp_event_kind;

typedef void (*whisp_callback)(void* user_data, int kind, const char* json);

/* The engine handle: opaque. */
typedef struct whisp_engine whisp_engine;

/* The library's version, "MAJOR.MINOR.PATCH". Static storage: do not free. */
WHISP_API const char* whisp_version(void);

/* Releases a string returned by this library. NULL is ignored. */
WHISP_API void whisp_string_free(char* s);

/* Opens the store, signs in when the config asks to, and starts connecting in the background.
 * On success *out_engine is the new handle. On failure nothing is left running, *out_engine is
 * NULL and *out_error (when not NULL) names the problem. `callback` may be NULL; `user_data` is
 * passed to it untouched. Blocks for the store's opening and, for a sign-in, one HTTP call. */
WHISP_API whisp_status whisp_engine_start(const char* config_json, whisp_callback callback,
                                          void* user_data, whisp_engine** out_engine,
                                          char** out_error);

/* Stops the engine (closes the connection, finishes pending commits, joins its threads) and
 * releases the handle. Queued actions stay in the store for the next start. NULL is ignored. */
WHISP_API void whisp_engine_free(whisp_engine* engine);

/* The signed-in user's id. Caller frees. */
WHISP_API char* whisp_user_id(const whisp_engine* engine);

/* ---- reading --------------------------------------------------------------------------------
 * The snapshot JSON of all chats (chat_id NULL) or of one chat. */
WHISP_API whisp_status whisp_snapshot(whisp_engine* engine, const char* chat_id,
                                      char** out_json, char** out_error);

/* Loads up to `count` older messages of a chat, from the store first and the server for a gap;
 * *out_loaded is how many were added. */
WHISP_API whisp_status whisp_load_older(whisp_engine* engine, const char* chat_id, int count,
                                        int* out_loaded, char** out_error);

/* ---- live chat views for UIs ---------------------------------------------------------------
 * A subscription to one chat delivers, after each commit that changed the chat, the chat's new
 * snapshot JSON and the diff from the previous one (the JSON of src/capi/chat_diff.hpp):
 *   {"chatId", "version", "removed": [key], "inserted": [{index, key, message}],
 *    "updated": [{index, key, message}], "chat": {name, unreadCount, members, typing}}
 * A message's key is "L:<localId>" when it was made on this device, else "M:<messageId>", so
 * it stays the same when an own message is delivered (a UI list does not jump). Replaying the
 * diffs onto the first snapshot's messages gives the latest snapshot's messages: drop the
 * removed keys, insert the inserted items at their index in order, replace the updated ones.
 * The first call (everything inserted) happens inside whisp_subscribe_chat, on the calling
 * thread; later ones on the engine's callback thread; never two at once for one subscription.
 * The strings are valid only during the call. */
typedef void (*whisp_chat_callback)(void* user_data, const char* snapshot_json,
                                    const char* diff_json);
WHISP_API whisp_status whisp_subscribe_chat(whisp_engine* engine, const char* chat_id,
                                            whisp_chat_callback callback, void* user_data,
                                            uint64_t* out_subscription, char** out_error);
/* Ends a subscription; when it returns, its callback is not running and will not run again.
 * From inside that subscription's own callback it returns at once (the callback runs to its
 * end, then never again). From inside another subscription's callback it waits for the one
 * being ended to finish a delivery in progress: do not end, from a callback, a subscription
 * whose whisp_subscribe_chat is still delivering its first snapshot on another thread while
 * that first callback ends yours (each would wait for the other). Unknown ids are ignored. */
WHISP_API void whisp_unsubscribe(whisp_engine* engine, uint64_t subscription);

/* ---- own actions ----------------------------------------------------------------------------
 * Each returns once the action is durable in the store (it survives a crash), and is shown in
 * snapshots at once. A message or reaction is named by its server id (`is_local` 0) or, before
 * the server confirmed it, by the local id an earlier call returned (`is_local` 1). The new
 * item's local id is returned in *out_local_id (caller frees). */
WHISP_API whisp_status whisp_send_message(whisp_engine* engine, const char* chat_id,
                                          const char* text, char** out_local_id,
                                          char** out_error);
WHISP_API whisp_status whisp_reply(whisp_engine* engine, const char* chat_id,
                                   const char* parent_id, int parent_is_local, const char* text,
                                   char** out_local_id, char** out_error);
WHISP_API whisp_status whisp_edit_message(whisp_engine* engine, const char* chat_id,
                                          const char* message_id, int is_local, const char* text,
                                          char** out_error);
WHISP_API whisp_status whisp_delete_message(whisp_engine* engine, const char* chat_id,
                                            const char* message_id, int is_local,
                                            char** out_error);
WHISP_API whisp_status whisp_react(whisp_engine* engine, const char* chat_id,
                                   const char* message_id, int is_local, const char* emoji,
                                   char** out_local_id, char** out_error);
WHISP_API whisp_status whisp_unreact(whisp_engine* engine, const char* chat_id,
                                     const char* reaction_id, int is_local, char** out_error);
WHISP_API whisp_status whisp_mark_read(whisp_engine* engine, const char* chat_id,
                                       const char* message_id, char** out_error);
/* Ephemeral: sent when connected, dropped otherwise. */
WHISP_API whisp_status whisp_typing(whisp_engine* engine, const char* chat_id, char** out_error);

/* ---- chats (REST calls; need a connection). *out_json is the server's answer as JSON
 * ("{}" when it has no body). user_names_json is a JSON array of usernames, own included. */
WHISP_API whisp_status whisp_create_chat(whisp_engine* engine, const char* name,
                                         const char* user_names_json, char** out_json,
                                         char** out_error);
WHISP_API whisp_status whisp_add_user(whisp_engine* engine, const char* chat_id,
                                      const char* username, char** out_json, char** out_error);
WHISP_API whisp_status whisp_remove_user(whisp_engine* engine, const char* chat_id,
                                         const char* user_id, char** out_json, char** out_error);
WHISP_API whisp_status whisp_rename_chat(whisp_engine* engine, const char* chat_id,
                                         const char* name, char** out_json, char** out_error);
WHISP_API whisp_status whisp_delete_chat(whisp_engine* engine, const char* chat_id,
                                         char** out_json, char** out_error);

/* ---- connection ----------------------------------------------------------------------------- */
/* Drops the connection and stays offline (actions queue) until whisp_go_online(). */
WHISP_API void whisp_go_offline(whisp_engine* engine);
/* Connects now, skipping any backoff wait. */
WHISP_API void whisp_go_online(whisp_engine* engine);
/* Waits until connected, backfill done and the outbox empty (returns 1), or the timeout (0). */
WHISP_API int whisp_wait_idle(whisp_engine* engine, int64_t timeout_ms);

/* The server's logout for this session, then stop; with erase_store != 0 also deletes the
 * database file and its -wal and -shm files. The handle stays valid only for whisp_engine_free()
 * (which the caller still calls); every other call on it returns WHISP_ERR_CLOSED. */
WHISP_API whisp_status whisp_engine_logout(whisp_engine* engine, int erase_store,
                                           char** out_error);

#ifdef __cplusplus
}
#endif

#endif /* WHISP_WHISP_H */
