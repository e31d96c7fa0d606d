#include "state.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "state_guard.hpp"

namespace whisp::devserver {

using detail::guarded;

int http_status_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::invalid_argument:
    case ErrorCode::malformed_json:
    case ErrorCode::missing_field:
    case ErrorCode::wrong_type:
      return 400;
    case ErrorCode::auth_failed: return 401;
    case ErrorCode::rejected: return 403;
    case ErrorCode::not_found: return 404;
    case ErrorCode::invalid_value: return 409;
    default: return 500;
  }
}

Result<std::unique_ptr<State>> State::open(const std::string& path) {
  return guarded("open database", [&]() -> Result<std::unique_ptr<State>> {
    auto db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    std::unique_ptr<State> s(new State(std::move(db)));
    s->create_schema();
    return s;
  });
}

State::State(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
State::~State() = default;

void State::create_schema() {
  db_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  db_->exec(R"sql(
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT NOT NULL,
      first_name TEXT, sur_name TEXT,
      salt BLOB NOT NULL, hash BLOB NOT NULL, iterations INTEGER NOT NULL,
      created_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS refresh_tokens (
      token TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
      revoked INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS tickets (
      ticket TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS chats (
      id TEXT PRIMARY KEY, name TEXT NOT NULL, creator TEXT NOT NULL,
      created_at INTEGER NOT NULL, group_chat INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS members (
      chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE, user_id TEXT NOT NULL,
      joined_at INTEGER NOT NULL, last_seen TEXT, last_seen_at INTEGER,
      PRIMARY KEY (chat_id, user_id));
    CREATE INDEX IF NOT EXISTS members_by_user ON members(user_id);
    CREATE TABLE IF NOT EXISTS messages (
      id TEXT PRIMARY KEY, chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
      sender_id TEXT NOT NULL, content TEXT NOT NULL, ts INTEGER NOT NULL,
      edited INTEGER NOT NULL DEFAULT 0, edited_at INTEGER, reply_to TEXT,
      deleted INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX IF NOT EXISTS messages_by_chat ON messages(chat_id, ts, id);
    CREATE TABLE IF NOT EXISTS reactions (
      id TEXT PRIMARY KEY, chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
      message_id TEXT NOT NULL, sender_id TEXT NOT NULL, emoji TEXT NOT NULL,
      created_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS reactions_by_message ON reactions(message_id);
  )sql");
}

Result<std::string> State::jwt_key() {
  return guarded("jwt key", [&]() -> Result<std::string> {
    SQLite::Statement q(*db_, "SELECT value FROM meta WHERE key = 'jwt_key'");
    if (q.executeStep()) return q.getColumn(0).getString();
    const std::string key = random_bytes(32);
    SQLite::Statement ins(*db_, "INSERT INTO meta (key, value) VALUES ('jwt_key', ?)");
    ins.bind(1, key.data(), static_cast<int>(key.size()));
    ins.exec();
    return key;
  });
}

Result<UserRow> State::create_user(const rest::RegisterRequest& r, const PasswordHash& h,
                                   std::int64_t now_us) {
  return guarded("registerUser", [&]() -> Result<UserRow> {
    if (r.username.empty()) return detail::bad_request("username: must not be empty");
    if (r.password.empty()) return detail::bad_request("password: must not be empty");
    if (user_by_name(r.username)) {
      return detail::conflict("username: \"" + r.username + "\" is already taken");
    }
    UserRow u{uuid_v4(), r.username, r.email};
    SQLite::Statement q(*db_,
                        "INSERT INTO users (id, username, email, first_name, sur_name, salt, "
                        "hash, iterations, created_at) VALUES (?,?,?,?,?,?,?,?,?)");
    q.bind(1, u.id);
    q.bind(2, u.username);
    q.bind(3, u.email);
    if (r.first_name) q.bind(4, *r.first_name); else q.bind(4);
    if (r.sur_name) q.bind(5, *r.sur_name); else q.bind(5);
    q.bind(6, h.salt.data(), static_cast<int>(h.salt.size()));
    q.bind(7, h.hash.data(), static_cast<int>(h.hash.size()));
    q.bind(8, static_cast<int>(h.iterations));
    q.bind(9, static_cast<std::int64_t>(now_us));
    q.exec();
    return u;
  });
}

Result<std::pair<UserRow, PasswordHash>> State::credentials(const std::string& username) {
  return guarded("signin", [&]() -> Result<std::pair<UserRow, PasswordHash>> {
    SQLite::Statement q(*db_,
                        "SELECT id, username, email, salt, hash, iterations FROM users "
                        "WHERE username = ?");
    q.bind(1, username);
    if (!q.executeStep()) return Error{ErrorCode::auth_failed, "bad credentials"};
    UserRow u{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()};
    PasswordHash h;
    h.salt = q.getColumn(3).getString();
    h.hash = q.getColumn(4).getString();
    h.iterations = static_cast<unsigned>(q.getColumn(5).getInt());
    return std::make_pair(std::move(u), std::move(h));
  });
}

std::optional<UserRow> State::user_by_id(const std::string& id) {
  auto r = guarded("user", [&]() -> Result<std::optional<UserRow>> {
    SQLite::Statement q(*db_, "SELECT id, username, email FROM users WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::optional<UserRow>();
    return std::optional<UserRow>(UserRow{q.getColumn(0).getString(),
                                          q.getColumn(1).getString(),
                                          q.getColumn(2).getString()});
  });
  return r ? *r : std::nullopt;
}

std::optional<UserRow> State::user_by_name(const std::string& username) {
  auto r = guarded("user", [&]() -> Result<std::optional<UserRow>> {
    SQLite::Statement q(*db_, "SELECT id, username, email FROM users WHERE username = ?");
    q.bind(1, username);
    if (!q.executeStep()) return std::optional<UserRow>();
    return std::optional<UserRow>(UserRow{q.getColumn(0).getString(),
                                          q.getColumn(1).getString(),
                                          q.getColumn(2).getString()});
  });
  return r ? *r : std::nullopt;
}

Status State::add_refresh_token(const std::string& token, const std::string& user_id,
                                std::int64_t expires_at) {
  return guarded("refresh token", [&]() -> Status {
    SQLite::Statement q(*db_,
                        "INSERT INTO refresh_tokens (token, user_id, expires_at) VALUES (?,?,?)");
    q.bind(1, token);
    q.bind(2, user_id);
    q.bind(3, static_cast<std::int64_t>(expires_at));
    q.exec();
    return Ok{};
  });
}

Result<std::string> State::check_refresh_token(const std::string& token, std::int64_t now) {
  return guarded("refresh", [&]() -> Result<std::string> {
    SQLite::Statement q(*db_,
                        "SELECT user_id, expires_at, revoked FROM refresh_tokens WHERE token = ?");
    q.bind(1, token);
    if (!q.executeStep()) return Error{ErrorCode::auth_failed, "refresh token: unknown"};
    if (q.getColumn(2).getInt() != 0) {
      return Error{ErrorCode::auth_failed, "refresh token: revoked"};
    }
    if (q.getColumn(1).getInt64() <= now) {
      return Error{ErrorCode::auth_failed, "refresh token: expired"};
    }
    return q.getColumn(0).getString();
  });
}

Status State::revoke_refresh_token(const std::string& token, const std::string& user_id) {
  return guarded("logout", [&]() -> Status {
    SQLite::Statement q(*db_,
                        "UPDATE refresh_tokens SET revoked = 1 WHERE token = ? AND user_id = ?");
    q.bind(1, token);
    q.bind(2, user_id);
    if (q.exec() == 0) return detail::not_found("refreshToken: unknown for this user");
    return Ok{};
  });
}

Status State::revoke_all_refresh_tokens(const std::string& user_id) {
  return guarded("logoutAll", [&]() -> Status {
    SQLite::Statement q(*db_, "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?");
    q.bind(1, user_id);
    q.exec();
    return Ok{};
  });
}

Status State::add_ticket(const std::string& ticket, const std::string& user_id,
                         std::int64_t expires_at) {
  return guarded("ticket", [&]() -> Status {
    SQLite::Statement q(*db_, "INSERT INTO tickets (ticket, user_id, expires_at) VALUES (?,?,?)");
    q.bind(1, ticket);
    q.bind(2, user_id);
    q.bind(3, static_cast<std::int64_t>(expires_at));
    q.exec();
    return Ok{};
  });
}

Result<std::string> State::consume_ticket(const std::string& ticket, std::int64_t now) {
  return guarded("ticket", [&]() -> Result<std::string> {
    SQLite::Statement q(*db_, "SELECT user_id, expires_at FROM tickets WHERE ticket = ?");
    q.bind(1, ticket);
    if (!q.executeStep()) return Error{ErrorCode::auth_failed, "ticket: unknown or already used"};
    std::string user = q.getColumn(0).getString();
    const auto expires = q.getColumn(1).getInt64();
    q.reset();
    SQLite::Statement del(*db_, "DELETE FROM tickets WHERE ticket = ?");
    del.bind(1, ticket);
    del.exec();
    if (expires <= now) return Error{ErrorCode::auth_failed, "ticket: expired"};
    return user;
  });
}

}  // namespace whisp::devserver
