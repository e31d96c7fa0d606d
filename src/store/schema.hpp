// Schema of a store file (docs/store-format.md) and its migrations, keyed by PRAGMA user_version.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string>

namespace whisp::store {

constexpr int kSchemaVersion = 5;

/// Connection settings every store connection uses (WAL, busy timeout, foreign keys off).
void configure_connection(SQLite::Database& db, bool writer);

/// Creates the schema in an empty database or migrates an older one to kSchemaVersion, in one
/// transaction. Throws SQLite::Exception (caught at the Store's edge); a file with a newer
/// version than this build knows is refused with a std::runtime_error.
void migrate(SQLite::Database& db);

}  // namespace whisp::store
