#include "store/schema.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include "store/log_codec.hpp"

namespace whisp::store {
namespace {

// Version 1. Integer surrogate keys for chats, users and messages; text ids appear once.
const char* const kSchemaV1 = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE log(seq INTEGER PRIMARY KEY, line TEXT NOT NULL);
CREATE TABLE chats(
  chat_key INTEGER PRIMARY KEY,
  chat_id TEXT NOT NULL UNIQUE,
  name TEXT,
  name_from_list INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  hidden INTEGER NOT NULL DEFAULT 0);
CREATE TABLE users(user_key INTEGER PRIMARY KEY, user_id TEXT NOT NULL UNIQUE);
CREATE TABLE members(
  chat_key INTEGER NOT NULL, user_key INTEGER NOT NULL, username TEXT,
  present INTEGER NOT NULL,
  PRIMARY KEY(chat_key, user_key)) WITHOUT ROWID;
CREATE TABLE messages(
  msg_key INTEGER PRIMARY KEY,
  chat_key INTEGER NOT NULL,
  message_id TEXT,
  local_id TEXT,
  sender_key INTEGER,
  ts INTEGER,
  ts_text TEXT,
  text TEXT,
  edit_text TEXT,
  edit_at INTEGER,
  edit_at_text TEXT,
  reply_id TEXT,
  reply_sender TEXT,
  reply_text TEXT,
  reply_local TEXT,
  flags INTEGER NOT NULL DEFAULT 0,
  status INTEGER NOT NULL DEFAULT 0,
  own_seq INTEGER);
CREATE UNIQUE INDEX messages_by_id ON messages(chat_key, message_id);
CREATE INDEX messages_by_pos ON messages(chat_key, ts);
CREATE UNIQUE INDEX messages_by_local ON messages(local_id) WHERE local_id IS NOT NULL;
CREATE TABLE reactions(
  react_key INTEGER PRIMARY KEY,
  chat_key INTEGER NOT NULL,
  reaction_id TEXT,
  local_id TEXT,
  msg_key INTEGER,
  sender_key INTEGER,
  emoji TEXT,
  deleted INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX reactions_by_id ON reactions(chat_key, reaction_id);
CREATE INDEX reactions_by_msg ON reactions(msg_key);
CREATE UNIQUE INDEX reactions_by_local ON reactions(local_id) WHERE local_id IS NOT NULL;
CREATE TABLE read_pointers(
  chat_key INTEGER NOT NULL, user_key INTEGER NOT NULL, msg_key INTEGER NOT NULL,
  PRIMARY KEY(chat_key, user_key)) WITHOUT ROWID;
CREATE TABLE held_reads(
  msg_key INTEGER NOT NULL, user_key INTEGER NOT NULL,
  PRIMARY KEY(msg_key, user_key)) WITHOUT ROWID;
CREATE TABLE outbox(
  local_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  chat_key INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  sends INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  server_id TEXT,
  match_text TEXT,
  target_id TEXT,
  target_local TEXT) WITHOUT ROWID;
CREATE INDEX outbox_match ON outbox(chat_key, kind, state, seq);
CREATE INDEX outbox_by_seq ON outbox(seq);
CREATE TABLE segments(
  chat_key INTEGER NOT NULL,
  lo_ts INTEGER NOT NULL, lo_id TEXT NOT NULL,
  hi_ts INTEGER NOT NULL, hi_id TEXT NOT NULL,
  from_start INTEGER NOT NULL,
  PRIMARY KEY(chat_key, lo_ts, lo_id)) WITHOUT ROWID;
)SQL";

// id_pack(x): a lowercase UUID text as its 16 bytes (a BLOB); anything else as it is.
void id_pack(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_value* v = argv[0];
  if (sqlite3_value_type(v) == SQLITE_TEXT) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
    unsigned char bytes[16];
    if (uuid_bytes({text, static_cast<std::size_t>(sqlite3_value_bytes(v))}, bytes)) {
      sqlite3_result_blob(ctx, bytes, 16, SQLITE_TRANSIENT);
      return;
    }
  }
  sqlite3_result_value(ctx, v);
}

// id_text(x): the inverse, a 16-byte BLOB as the UUID's text; anything else as it is.
void id_text(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_value* v = argv[0];
  if (sqlite3_value_type(v) == SQLITE_BLOB && sqlite3_value_bytes(v) == 16) {
    std::string text;
    append_uuid(static_cast<const unsigned char*>(sqlite3_value_blob(v)), text);
    sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return;
  }
  sqlite3_result_value(ctx, v);
}

}  // namespace

void configure_connection(SQLite::Database& db, bool writer) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  for (auto [name, fn] : {std::pair{"id_pack", &id_pack}, std::pair{"id_text", &id_text}}) {
    if (sqlite3_create_function_v2(db.getHandle(), name, 1, kFlags, nullptr, fn, nullptr,
                                   nullptr, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("register SQL function ") + name + ": " +
                               sqlite3_errmsg(db.getHandle()));
    }
  }
  db.setBusyTimeout(5000);
  if (writer) {
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
  }
  db.exec("PRAGMA cache_size=-16384");
  db.exec("PRAGMA temp_store=MEMORY");
}

void migrate(SQLite::Database& db) {
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version == kSchemaVersion) return;
  if (version > kSchemaVersion) {
    throw std::runtime_error("store schema version " + std::to_string(version) +
                             " is newer than this build (" + std::to_string(kSchemaVersion) + ")");
  }
  SQLite::Transaction tx(db);
  if (version == 0) {
    db.exec(kSchemaV1);
    version = 1;
  }
  if (version == 1) {
    // Version 2: an own edit not yet confirmed is an overlay (pending_edit) over the server's
    // edit fact, so a failed edit rolls back to what the server holds. A v1 file keeps its
    // optimistic edits in edit_text; `whisp-replay` of its log rebuilds them as overlays.
    // And since_seq on reactions, members and chats: the log seq of the live event that last
    // asserted the row, so a REST result requested before it does not undo it (afterSeq).
    db.exec(
        "ALTER TABLE messages ADD COLUMN pending_edit TEXT;"
        "ALTER TABLE messages ADD COLUMN pending_edit_at_text TEXT;"
        "ALTER TABLE reactions ADD COLUMN since_seq INTEGER;"
        "ALTER TABLE members ADD COLUMN since_seq INTEGER;"
        "ALTER TABLE chats ADD COLUMN since_seq INTEGER;");
    version = 2;
  }
  if (version == 2) {
    // Version 3: since_seq on messages, the log seq of the entry that last made the row a known
    // message: the newest history page covers everything above its own newest message too,
    // except what arrived after its request went out (afterSeq).
    db.exec("ALTER TABLE messages ADD COLUMN since_seq INTEGER;");
    version = 3;
  }
  if (version == 3) {
    // Version 4: log lines may be packed (a BLOB, log_codec.hpp); text lines stay as they are
    // and nothing in the log is converted. Message ids that are UUIDs are kept as their 16
    // bytes (id_pack), in the row and in messages_by_id. The version keeps older builds, which
    // would misread both, from opening the file.
    db.exec("UPDATE messages SET message_id=id_pack(message_id) WHERE message_id IS NOT NULL");
    // And outbox.unconfirmed: failed for want of an echo, not refused; its echo or a history
    // page may still deliver it (an own message).
    db.exec("ALTER TABLE outbox ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0");
    // And on read_pointers: listed_id, a member list's pointer at a message whose position the
    // store does not know (shown instead of msg_key's), listed_seq, the list's entry, and
    // since_seq, the entry that last set the row.
    db.exec("ALTER TABLE read_pointers ADD COLUMN listed_id TEXT;"
            "ALTER TABLE read_pointers ADD COLUMN listed_seq INTEGER;"
            "ALTER TABLE read_pointers ADD COLUMN since_seq INTEGER;");
    version = 4;
  }
  if (version == 4) {
    // Version 5: since_seq on held_reads, the entry that held the read, so that a member list
    // requested after it (which holds the server's pointer at that time) supersedes it.
    db.exec("ALTER TABLE held_reads ADD COLUMN since_seq INTEGER;");
    // And a failed own react hides its reaction (reactions.deleted 1, reaction_id NULL): the
    // server does not hold it. Older files showed it as pending for good; replaying their log
    // hides it, and so does this.
    db.exec(
        "UPDATE reactions SET deleted=1 WHERE reaction_id IS NULL AND local_id IN "
        "(SELECT local_id FROM outbox WHERE kind=5 AND state=3)");
    version = 5;
  }
  db.exec("PRAGMA user_version=" + std::to_string(version));
  tx.commit();
}

}  // namespace whisp::store
