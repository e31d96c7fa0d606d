#include "store/reader.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <cstring>
#include <fstream>

#include "store/log_codec.hpp"
#include "store/queries.hpp"
#include "store/schema.hpp"

namespace whisp::store {

struct Reader::Impl {
  std::unique_ptr<SQLite::Database> db;
  std::string self_id;
  std::unique_ptr<Queries> queries;
  std::mutex mutex;
};

namespace {

Error storage(const std::string& what, const std::exception& e) {
  return Error{ErrorCode::storage_error, what + ": " + e.what()};
}

// One read transaction around a query: BEGIN (deferred) ... COMMIT.
template <class F>
auto in_read_tx(SQLite::Database& db, F&& f) -> decltype(f()) {
  db.exec("BEGIN");
  try {
    auto r = f();
    db.exec("COMMIT");
    return r;
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace

Reader::Reader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Reader::~Reader() = default;

Result<std::unique_ptr<Reader>> Reader::open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
    configure_connection(*impl->db, false);
    int version = impl->db->execAndGet("PRAGMA user_version").getInt();
    if (version != kSchemaVersion) {
      return Error{ErrorCode::storage_error,
                   "reader: store schema version " + std::to_string(version) + ", expected " +
                       std::to_string(kSchemaVersion) + " (open it with Store first)"};
    }
    SQLite::Statement q(*impl->db, "SELECT value FROM meta WHERE key='self_user_id'");
    if (!q.executeStep()) return Error{ErrorCode::storage_error, "reader: no self_user_id"};
    impl->self_id = q.getColumn(0).getString();
    impl->queries = std::make_unique<Queries>(*impl->db, impl->self_id);
  } catch (const std::exception& e) {
    return storage("reader open " + path, e);
  }
  return std::unique_ptr<Reader>(new Reader(std::move(impl)));
}

const std::string& Reader::self_user_id() const { return impl_->self_id; }

Result<Snapshot> Reader::snapshot(const std::optional<std::string>& chat_id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    return in_read_tx(*impl_->db, [&] { return impl_->queries->snapshot(chat_id); });
  } catch (const std::exception& e) {
    return storage("snapshot", e);
  }
}

Result<ChatList> Reader::chat_list() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    return in_read_tx(*impl_->db, [&] { return impl_->queries->chat_list(); });
  } catch (const std::exception& e) {
    return storage("chat_list", e);
  }
}

Result<HistoryWindow> Reader::latest(const std::string& chat_id, int count) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    return in_read_tx(*impl_->db,
                      [&] { return impl_->queries->window(chat_id, count, std::nullopt); });
  } catch (const std::exception& e) {
    return storage("latest", e);
  }
}

Result<HistoryWindow> Reader::before(const std::string& chat_id, const std::string& message_id,
                                     int count) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  try {
    return in_read_tx(*impl_->db,
                      [&] { return impl_->queries->window(chat_id, count, message_id); });
  } catch (const std::exception& e) {
    return storage("before", e);
  }
}

Status read_log(const std::string& path, std::int64_t after_seq,
                const std::function<bool(std::int64_t, std::string_view)>& fn) {
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    std::string self_id;
    {
      SQLite::Statement self(db, "SELECT value FROM meta WHERE key='self_user_id'");
      if (self.executeStep()) self_id = self.getColumn(0).getString();
    }
    SQLite::Statement q(db, "SELECT seq, line FROM log WHERE seq>? ORDER BY seq");
    q.bind(1, static_cast<std::int64_t>(after_seq));
    std::string unpacked;
    while (q.executeStep()) {
      const std::int64_t seq = q.getColumn(0).getInt64();
      const SQLite::Column line = q.getColumn(1);
      auto text = stored_line({static_cast<const char*>(line.getBlob()),
                               static_cast<std::size_t>(line.getBytes())},
                              line.isBlob(), self_id, unpacked);
      if (!text) {
        return Error{text.error().code, "read_log " + path + ": seq " + std::to_string(seq) +
                                            ": " + text.error().message};
      }
      if (!fn(seq, *text)) break;
    }
  } catch (const std::exception& e) {
    return storage("read_log " + path, e);
  }
  return Ok{};
}

bool is_sqlite_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  if (!in.read(header, sizeof header)) return false;
  return std::memcmp(header, "SQLite format 3\0", 16) == 0;
}

}  // namespace whisp::store
