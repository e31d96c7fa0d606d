#include "store/store.hpp"

#include <cstdio>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <sqlite3.h>

#include "store/apply.hpp"
#include "store/checkpointer.hpp"
#include "store/envelope.hpp"
#include "store/log_codec.hpp"
#include "store/queries.hpp"
#include "store/schema.hpp"

namespace whisp::store {

struct Store::Impl {
  // Declared first, destroyed last: the writer's connection is closed before it stops.
  std::unique_ptr<Checkpointer> checkpointer;
  std::string path;
  std::unique_ptr<SQLite::Database> db;
  std::string self_id;
  std::int64_t last_seq = 0;
  std::unique_ptr<Applier> applier;
  std::unique_ptr<SQLite::Statement> append;
  std::string packed;  // the packed form of the line being appended
};

namespace {

// SQLite's own threshold (pages in the WAL) for an automatic checkpoint, now asked of the
// background thread instead.
constexpr int kCheckpointPages = 1000;

int on_wal_commit(void* checkpointer, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) static_cast<Checkpointer*>(checkpointer)->request();
  return SQLITE_OK;
}

Error storage(const std::string& what, const std::exception& e) {
  return Error{ErrorCode::storage_error, what + ": " + e.what()};
}

bool is_typing(const LogEntry& e) {
  const auto* live = std::get_if<LiveEvent>(&e);
  return live && std::holds_alternative<event::Typing>(live->event);
}

OutboxItem::State outbox_state(int code) {
  switch (code) {
    case kPending: return OutboxItem::State::pending;
    case kSent: return OutboxItem::State::sent;
    case kFailed: return OutboxItem::State::failed;
    default: return OutboxItem::State::delivered;
  }
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::string& path, const OpenOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  try {
    int flags = SQLite::OPEN_READWRITE | (options.create ? SQLite::OPEN_CREATE : 0);
    impl->db = std::make_unique<SQLite::Database>(path, flags);
    SQLite::Database& db = *impl->db;
    configure_connection(db, true);
    migrate(db);
    SQLite::Statement q(db, "SELECT value FROM meta WHERE key='self_user_id'");
    if (q.executeStep()) {
      impl->self_id = q.getColumn(0).getString();
      if (!options.self_user_id.empty() && options.self_user_id != impl->self_id) {
        return Error{ErrorCode::invalid_argument,
                     "self_user_id: the store belongs to " + impl->self_id + ", not " +
                         options.self_user_id};
      }
    } else {
      if (options.self_user_id.empty()) {
        return Error{ErrorCode::invalid_argument, "self_user_id: required to create a store"};
      }
      impl->self_id = options.self_user_id;
      SQLite::Statement ins(db, "INSERT INTO meta(key, value) VALUES('self_user_id', ?)");
      ins.bind(1, impl->self_id);
      ins.exec();
    }
    impl->last_seq = db.execAndGet("SELECT COALESCE(MAX(seq), 0) FROM log").getInt64();
    if (path != ":memory:" && !path.empty()) {
      // Replaces SQLite's automatic checkpoint (itself a WAL hook) on this connection.
      impl->checkpointer = std::make_unique<Checkpointer>(path);
      sqlite3_wal_hook(db.getHandle(), on_wal_commit, impl->checkpointer.get());
    }
    impl->applier = std::make_unique<Applier>(db, impl->self_id);
    impl->append = std::make_unique<SQLite::Statement>(db, "INSERT INTO log(line) VALUES(?)");
  } catch (const std::exception& e) {
    return storage("open " + path, e);
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

// Appends and applies each entry `for_each` hands over, in one transaction.
template <class ForEach>
Result<CommitInfo> Store::commit_each(ForEach for_each) {
  CommitInfo info;
  Impl& s = *impl_;
  try {
    SQLite::Transaction tx(*s.db);
    std::int64_t seq = s.last_seq;
    std::string line;
    for_each([&](const LogEntry& e) {
      if (is_typing(e)) return;  // typing is ephemeral, never in the log
      s.append->reset();
      const auto* live = std::get_if<LiveEvent>(&e);
      if (!live) line = encode_entry(e);
      const std::string& text = live ? live->json : line;  // a live event: the JSON as received
      // Packed when it can be (a BLOB), else the text itself (read_log tells them by type).
      if (pack_line(text, s.self_id, s.packed)) {
        s.append->bindNoCopy(1, static_cast<const void*>(s.packed.data()),
                             static_cast<int>(s.packed.size()));
      } else {
        s.append->bindNoCopy(1, text);
      }
      s.append->exec();
      seq = s.db->getLastInsertRowid();
      if (info.first_seq == 0) info.first_seq = seq;
      info.last_seq = seq;
      s.applier->apply(e, seq, info);
    });
    s.applier->reset_statements();
    tx.commit();
    s.last_seq = seq;
  } catch (const std::exception& e) {
    s.applier->reset_statements();
    s.applier->reset_caches();
    return storage("commit", e);
  }
  return info;
}

Result<CommitInfo> Store::commit(const std::vector<LogEntry>& entries) {
  return commit_each([&](const auto& apply) {
    for (const auto& e : entries) apply(e);
  });
}

Result<CommitInfo> Store::commit_groups(const std::vector<std::vector<LogEntry>>& groups) {
  return commit_each([&](const auto& apply) {
    for (const auto& group : groups) {
      for (const auto& e : group) apply(e);
    }
  });
}

const std::string& Store::self_user_id() const { return impl_->self_id; }
std::int64_t Store::last_seq() const { return impl_->last_seq; }
const std::string& Store::path() const { return impl_->path; }

Result<std::vector<OutboxItem>> Store::outbox(const std::optional<std::string>& chat_id) const {
  std::vector<OutboxItem> out;
  try {
    std::string sql =
        "SELECT o.seq, l.line, o.state, o.sends, o.reason, o.target_id FROM outbox o "
        "JOIN log l ON l.seq=o.seq JOIN chats c ON c.chat_key=o.chat_key "
        "WHERE o.state IN (1,2)";
    if (chat_id) sql += " AND c.chat_id=?";
    sql += " ORDER BY o.seq";
    SQLite::Statement q(*impl_->db, sql);
    if (chat_id) q.bind(1, *chat_id);
    std::string buf;
    while (q.executeStep()) {
      const SQLite::Column stored = q.getColumn(1);
      auto line = stored_line({static_cast<const char*>(stored.getBlob()),
                               static_cast<std::size_t>(stored.getBytes())},
                              stored.isBlob(), impl_->self_id, buf);
      auto entry = line ? decode_entry(*line) : Result<LogEntry>(line.error());
      if (!entry || !std::holds_alternative<LocalIntent>(*entry)) {
        return Error{ErrorCode::storage_error,
                     "outbox: log entry " + std::to_string(q.getColumn(0).getInt64()) +
                         " is not an intent"};
      }
      OutboxItem item;
      item.seq = q.getColumn(0).getInt64();
      item.intent = std::get<LocalIntent>(std::move(*entry));
      item.state = outbox_state(q.getColumn(2).getInt());
      item.sends = q.getColumn(3).getInt();
      item.reason = q.getColumn(4).getString();
      if (!q.getColumn(5).isNull()) item.resolved_target = q.getColumn(5).getString();
      out.push_back(std::move(item));
    }
  } catch (const std::exception& e) {
    return storage("outbox", e);
  }
  return out;
}

Result<std::optional<std::string>> Store::server_id_of(const std::string& local_id) const {
  try {
    SQLite::Statement q(*impl_->db, "SELECT server_id FROM outbox WHERE local_id=?");
    q.bind(1, local_id);
    if (q.executeStep() && !q.getColumn(0).isNull()) {
      return std::optional<std::string>(q.getColumn(0).getString());
    }
    return std::optional<std::string>{};
  } catch (const std::exception& e) {
    return storage("server_id_of", e);
  }
}

Result<Snapshot> Store::snapshot(const std::optional<std::string>& chat_id) const {
  try {
    SQLite::Transaction tx(*impl_->db);  // one consistent state (a read on the writer)
    Queries q(*impl_->db, impl_->self_id);
    auto s = q.snapshot(chat_id);
    tx.commit();
    return s;
  } catch (const std::exception& e) {
    return storage("snapshot", e);
  }
}

Result<std::vector<HistorySegment>> Store::segments(const std::string& chat_id) const {
  std::vector<HistorySegment> out;
  try {
    SQLite::Statement q(*impl_->db,
                        "SELECT s.lo_ts, s.lo_id, s.hi_ts, s.hi_id, s.from_start FROM segments s "
                        "JOIN chats c ON c.chat_key=s.chat_key WHERE c.chat_id=? "
                        "ORDER BY s.lo_ts, s.lo_id");
    q.bind(1, chat_id);
    while (q.executeStep()) {
      HistorySegment seg;
      seg.lo_micros = q.getColumn(0).getInt64();
      seg.lo_message_id = q.getColumn(1).getString();
      seg.hi_micros = q.getColumn(2).getInt64();
      seg.hi_message_id = q.getColumn(3).getString();
      seg.from_start = q.getColumn(4).getInt() != 0;
      out.push_back(std::move(seg));
    }
  } catch (const std::exception& e) {
    return storage("segments", e);
  }
  return out;
}

Result<bool> Store::chat_deleted(const std::string& chat_id) const {
  try {
    SQLite::Statement q(*impl_->db, "SELECT deleted FROM chats WHERE chat_id=?");
    q.bind(1, chat_id);
    return q.executeStep() && q.getColumn(0).getInt() != 0;
  } catch (const std::exception& e) {
    return storage("chat_deleted", e);
  }
}

Result<Store::HistoryBounds> Store::history_bounds(const std::string& chat_id) const {
  HistoryBounds out;
  try {
    // Confirmed messages whose content is known; tombstones and placeholders do not count.
    const char* sql =
        "SELECT id_text(m.message_id), m.ts FROM messages m JOIN chats c ON c.chat_key=m.chat_key "
        "WHERE c.chat_id=?1 AND m.message_id IS NOT NULL AND (m.flags & 1)=1 "
        "ORDER BY m.ts %s, 1 %s LIMIT 1";
    for (bool newest : {true, false}) {
      char buf[512];
      std::snprintf(buf, sizeof buf, sql, newest ? "DESC" : "ASC", newest ? "DESC" : "ASC");
      SQLite::Statement q(*impl_->db, buf);
      q.bind(1, chat_id);
      if (!q.executeStep()) break;
      if (newest) {
        out.newest_id = q.getColumn(0).getString();
        out.newest_micros = q.getColumn(1).getInt64();
      } else {
        out.oldest_id = q.getColumn(0).getString();
        out.oldest_micros = q.getColumn(1).getInt64();
      }
    }
  } catch (const std::exception& e) {
    return storage("history_bounds", e);
  }
  return out;
}

Result<std::optional<Store::MessageInfo>> Store::find_message(const std::string& chat_id,
                                                              const Target& ref) const {
  try {
    std::string sql =
        "SELECT id_text(m.message_id), m.local_id, u.user_id, m.flags FROM messages m "
        "JOIN chats c ON c.chat_key=m.chat_key LEFT JOIN users u ON u.user_key=m.sender_key "
        "WHERE c.chat_id=?1 AND ";
    sql += ref.message_id ? "m.message_id=id_pack(?2)" : "m.local_id=?2";
    SQLite::Statement q(*impl_->db, sql);
    q.bind(1, chat_id);
    q.bind(2, ref.message_id ? *ref.message_id : ref.local_id.value_or(""));
    if (!q.executeStep()) return std::optional<MessageInfo>{};
    MessageInfo info;
    if (!q.getColumn(0).isNull()) info.message_id = q.getColumn(0).getString();
    if (!q.getColumn(1).isNull()) info.local_id = q.getColumn(1).getString();
    info.sender_id = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
    int flags = q.getColumn(3).getInt();
    info.deleted = (flags & (kDeleted | kPendingDelete)) != 0;
    if ((flags & kHasBase) == 0 && !info.deleted) return std::optional<MessageInfo>{};  // placeholder
    return std::optional<MessageInfo>(std::move(info));
  } catch (const std::exception& e) {
    return storage("find_message", e);
  }
}

std::uint64_t Store::background_checkpoints() const {
  return impl_->checkpointer ? impl_->checkpointer->done() : 0;
}

Status Store::check_intent(const LocalIntent& intent) const {
  using namespace intent;
  const std::string& chat_id = std::visit([](const auto& w) -> const std::string& { return w.chat_id; },
                                          intent.what);
  auto refused = [](ErrorCode code, std::string why) { return Status(Error{code, std::move(why)}); };
  try {
    SQLite::Database& db = *impl_->db;
    SQLite::Statement c(db, "SELECT deleted, hidden FROM chats WHERE chat_id=?");
    c.bind(1, chat_id);
    if (!c.executeStep()) {
      return refused(ErrorCode::invalid_argument, "chatId: chat " + chat_id + " is not known");
    }
    if (c.getColumn(0).getInt() != 0) {
      return refused(ErrorCode::rejected, "chatId: chat " + chat_id + " was deleted");
    }
    if (c.getColumn(1).getInt() != 0) {
      return refused(ErrorCode::rejected,
                     "chatId: chat " + chat_id + " is no longer one of yours (left or removed)");
    }
    const Target* message = nullptr;
    bool own_only = false;  // edit, delete: besides known, an own message not deleted
    if (auto* r = std::get_if<Reply>(&intent.what)) message = &r->parent;
    if (auto* e = std::get_if<Edit>(&intent.what)) message = &e->target, own_only = true;
    if (auto* d = std::get_if<Delete>(&intent.what)) message = &d->target, own_only = true;
    if (auto* r = std::get_if<React>(&intent.what)) message = &r->target;
    Target read_target;
    if (auto* m = std::get_if<MarkRead>(&intent.what)) {
      read_target.message_id = m->message_id;
      message = &read_target;
    }
    if (message) {
      const std::string& id = message->message_id ? *message->message_id : message->local_id.value_or("");
      const char* field = message->message_id ? "messageId" : "localId";
      auto info = find_message(chat_id, *message);
      if (!info.ok()) return info.error();
      if (!*info || id.empty()) {
        return refused(ErrorCode::invalid_argument,
                       std::string(field) + ": message " + id + " is not known in chat " + chat_id);
      }
      if ((*info)->deleted) {
        return refused(ErrorCode::rejected, std::string(field) + ": message " + id + " was deleted");
      }
      if (own_only && (*info)->sender_id != impl_->self_id) {
        return refused(ErrorCode::rejected, std::string(field) + ": message " + id + " was sent by " +
                                                (*info)->sender_id + ", not by you");
      }
    }
    if (auto* u = std::get_if<Unreact>(&intent.what)) {
      const auto& ref = u->reaction;
      const std::string& id = ref.message_id ? *ref.message_id : ref.local_id.value_or("");
      const char* field = ref.message_id ? "reactionId" : "localId";
      SQLite::Statement q(db,
                          std::string("SELECT u.user_id, r.deleted FROM reactions r JOIN chats c "
                                      "ON c.chat_key=r.chat_key LEFT JOIN users u ON "
                                      "u.user_key=r.sender_key WHERE c.chat_id=?1 AND ") +
                              (ref.message_id ? "r.reaction_id=?2" : "r.local_id=?2"));
      q.bind(1, chat_id);
      q.bind(2, id);
      if (id.empty() || !q.executeStep() || q.getColumn(1).getInt() != 0) {
        return refused(ErrorCode::invalid_argument,
                       std::string(field) + ": reaction " + id + " is not known in chat " + chat_id);
      }
      std::string sender = q.getColumn(0).isNull() ? "" : q.getColumn(0).getString();
      if (sender != impl_->self_id) {
        return refused(ErrorCode::rejected, std::string(field) + ": reaction " + id +
                                                " was made by " + sender + ", not by you");
      }
    }
    return Ok{};
  } catch (const std::exception& e) {
    return storage("check_intent", e);
  }
}

}  // namespace whisp::store
