// The database layout, versioned in PRAGMA user_version and marked as nod's by PRAGMA application_id.
// Migrations are steps from version N-1 to N, each applied in the same transaction as the version bump.
#pragma once

#include <string>
#include <string_view>

#include "store/sqlite.hpp"

namespace nod::store {

inline constexpr int schema_version = 6;
inline constexpr int application_id = 0x6e6f6401;  // "nod" 0x01

// The SQL that turns version `to - 1` into `to` (1 <= to <= schema_version).
std::string_view migration_sql(int to);

// Applies the steps from the database's current version up to `target` in one write transaction,
// re-reading the version inside it (another process may have created the schema meanwhile).
// Refuses a database newer than `target` with ErrorCode::newer_schema.
void migrate(sqlite3* db, const std::string& context, const std::string& path, int target = schema_version);

// "database X has schema version 7, this nod understands up to 1; upgrade nod"
std::string newer_schema_message(const std::string& path, int found);

}  // namespace nod::store
