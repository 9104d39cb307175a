#include "store/schema.hpp"

#include "store/day_durations.hpp"
#include "store/error.hpp"
#include "store/lifetime.hpp"

namespace nod::store {

namespace {

// Version 1. Column order matters for speed: SQLite decodes a record from the front, so the columns the
// pruner and exporters read most come first. Small integers (kind, outcome 0/1) cost no payload bytes.
constexpr std::string_view version_1 = R"sql(
CREATE TABLE names (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE machines (
    id INTEGER PRIMARY KEY,
    machine TEXT NOT NULL UNIQUE
);
CREATE TABLE rows (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,            -- nod::Kind
    day INTEGER NOT NULL,             -- local calendar day of start (days since 1970-01-01) when written
    name_id INTEGER NOT NULL,         -- names.id
    duration INTEGER,                 -- µs; NULL when unknown
    outcome INTEGER NOT NULL,         -- nod::Outcome
    start_offset INTEGER NOT NULL,    -- start µs since the epoch - day * 86400e6 (row_encoding.hpp)
    bytes INTEGER NOT NULL,
    download_bytes INTEGER NOT NULL,
    machine_id INTEGER,               -- machines.id; NULL for this machine
    uid INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    activity_bits INTEGER NOT NULL,   -- activity id XOR (pid << 32) (row_encoding.hpp)
    path ANY NOT NULL,                -- TEXT, or a BLOB from encode_store_path
    direction INTEGER NOT NULL        -- nod::Direction: copies in (1) or out (2), else 0 (no payload bytes)
);
-- Covers the test query (durations per kind and day, per name) and the pruner's oldest-first walk.
CREATE INDEX rows_by_kind_day ON rows (kind, day, name_id, duration);
CREATE TABLE day_totals (
    day INTEGER NOT NULL, kind INTEGER NOT NULL,
    count INTEGER NOT NULL, failed INTEGER NOT NULL, cancelled INTEGER NOT NULL,
    unknown_duration INTEGER NOT NULL, total_us INTEGER NOT NULL, max_us INTEGER,
    bytes INTEGER NOT NULL, download_bytes INTEGER NOT NULL, histogram BLOB NOT NULL,
    PRIMARY KEY (day, kind)
) WITHOUT ROWID;
-- Keyed by day first so that a batch's upserts land at the end of the tree (few pages per commit).
CREATE TABLE name_day_totals (
    day INTEGER NOT NULL, kind INTEGER NOT NULL, name_id INTEGER NOT NULL,
    count INTEGER NOT NULL, failed INTEGER NOT NULL, cancelled INTEGER NOT NULL,
    unknown_duration INTEGER NOT NULL, total_us INTEGER NOT NULL, max_us INTEGER,
    bytes INTEGER NOT NULL, download_bytes INTEGER NOT NULL, histogram BLOB NOT NULL,
    PRIMARY KEY (day, kind, name_id)
) WITHOUT ROWID;
CREATE TABLE name_totals (
    kind INTEGER NOT NULL, name_id INTEGER NOT NULL,
    count INTEGER NOT NULL, failed INTEGER NOT NULL, cancelled INTEGER NOT NULL,
    unknown_duration INTEGER NOT NULL, total_us INTEGER NOT NULL, max_us INTEGER,
    bytes INTEGER NOT NULL, download_bytes INTEGER NOT NULL, histogram BLOB NOT NULL,
    PRIMARY KEY (kind, name_id)
) WITHOUT ROWID;
)sql";

// Version 2: the exact durations per kind and day, for the test query (day_durations.hpp).
constexpr std::string_view version_2 = R"sql(
CREATE TABLE day_durations (
    kind INTEGER NOT NULL, day INTEGER NOT NULL, chunk INTEGER NOT NULL,
    durations BLOB NOT NULL,          -- sorted varint deltas (duration_chunks.hpp)
    PRIMARY KEY (kind, day, chunk)
) WITHOUT ROWID;
)sql";

// Version 3: windowed per-name queries read the rows through a covering index instead of a per-day,
// per-name aggregate (name_day_totals was nearly as large as the rows and slowed every write), and
// per-name totals are appended per batch to name_pending and folded into name_totals later
// (name_deltas.hpp). name_totals of version 2 is complete, so nothing is pending after the step.
// The index leads with the day, so that new rows (today's) are appended at its end, where SQLite finds
// the place without a search from the root; it serves every read by window of days, per kind and name.
constexpr std::string_view version_3 = R"sql(
DROP TABLE name_day_totals;
DROP INDEX rows_by_kind_day;
CREATE INDEX rows_by_day ON rows (day, kind, name_id, duration, outcome, bytes, download_bytes);
CREATE TABLE name_pending (
    seq INTEGER PRIMARY KEY,
    rows INTEGER NOT NULL,            -- rows of the batch, for the fold threshold
    deltas BLOB NOT NULL              -- per (kind, name) sums of the batch (name_deltas.hpp)
);
)sql";

// Version 4: who a row is for and who vouched for it. `user` is the uid the row is for (the client's, for a
// daemon build; rows from before are their reporter's); `flags` (row_encoding.hpp) say whether a root
// connection reported the row (trusted: rows from before, when root reported them) and whether the id's
// origin did. Both join the covering index, with machine_id, so that filters and grouping by user, trust,
// machine or substituter read only the index.
constexpr std::string_view version_4 = R"sql(
ALTER TABLE rows ADD COLUMN user INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rows ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
UPDATE rows SET user = uid, flags = (uid = 0);
DROP INDEX rows_by_day;
CREATE INDEX rows_by_day ON rows (day, kind, name_id, duration, outcome, bytes, download_bytes, user, flags,
                                  machine_id);
)sql";

// Version 5: what Determinate Nix's build results tell: `status` (nod::BuildStatus, 0: none) and the CPU
// time in µs (NULL: unknown), which the covering index holds too (windowed per-name figures sum it); the
// aggregates count the rows with CPU time and sum it (cpu_rows, cpu_user_us, cpu_system_us), and the
// pending per-name sums say which blob format they are in (name_deltas.hpp: 3 without CPU figures, as
// versions 3 and 4 wrote them; 4 with).
constexpr std::string_view version_5 = R"sql(
ALTER TABLE rows ADD COLUMN status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rows ADD COLUMN cpu_user_us INTEGER;
ALTER TABLE rows ADD COLUMN cpu_system_us INTEGER;
DROP INDEX rows_by_day;
CREATE INDEX rows_by_day ON rows (day, kind, name_id, duration, outcome, bytes, download_bytes, user, flags,
                                  machine_id, cpu_user_us, cpu_system_us);
ALTER TABLE day_totals ADD COLUMN cpu_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_totals ADD COLUMN cpu_user_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE day_totals ADD COLUMN cpu_system_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE name_totals ADD COLUMN cpu_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE name_totals ADD COLUMN cpu_user_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE name_totals ADD COLUMN cpu_system_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE name_pending ADD COLUMN format INTEGER NOT NULL DEFAULT 3;
)sql";

// Version 6: lifetime totals (lifetime.hpp), which only grow: per (kind, outcome, direction), a duration
// histogram per kind with fixed buckets, and substitutions per (substituter, outcome), at most
// max_lifetime_substituters named ones plus "" (other). The data step starts them from the rows.
constexpr std::string_view version_6 = R"sql(
CREATE TABLE lifetime_totals (
    kind INTEGER NOT NULL, outcome INTEGER NOT NULL, direction INTEGER NOT NULL,
    count INTEGER NOT NULL, timed INTEGER NOT NULL, duration_us INTEGER NOT NULL,
    bytes INTEGER NOT NULL, download_bytes INTEGER NOT NULL,
    PRIMARY KEY (kind, outcome, direction)
) WITHOUT ROWID;
CREATE TABLE lifetime_durations (
    kind INTEGER NOT NULL, bucket INTEGER NOT NULL,   -- index into lifetime_bucket_bounds_us; last: longer
    count INTEGER NOT NULL,
    PRIMARY KEY (kind, bucket)
) WITHOUT ROWID;
CREATE TABLE lifetime_substituters (
    substituter TEXT NOT NULL,        -- machines.machine, not its id: clear() deletes machines, not these
    outcome INTEGER NOT NULL,
    count INTEGER NOT NULL, bytes INTEGER NOT NULL, download_bytes INTEGER NOT NULL,
    PRIMARY KEY (substituter, outcome)
) WITHOUT ROWID;
)sql";

// The part of a step that SQL alone cannot do.
void migrate_data(sqlite3* db, const std::string& context, int to) {
    if (to == 2) fill_day_durations_from_rows(db, context);
    if (to == 6) fill_lifetime_from_rows(db, context);
}

}  // namespace

std::string_view migration_sql(int to) {
    switch (to) {
        case 1: return version_1;
        case 2: return version_2;
        case 3: return version_3;
        case 4: return version_4;
        case 5: return version_5;
        case 6: return version_6;
        default: return {};
    }
}

std::string newer_schema_message(const std::string& path, int found) {
    return "database " + path + " has schema version " + std::to_string(found) +
           ", this nod understands up to " + std::to_string(schema_version) + "; upgrade nod";
}

void migrate(sqlite3* db, const std::string& context, const std::string& path, int target) {
    sql::Transaction transaction(db, context);
    auto found = static_cast<int>(sql::query_int(db, "PRAGMA user_version", context));
    if (found > target) throw Error(ErrorCode::newer_schema, newer_schema_message(path, found));
    if (found == target) return;
    for (int version = found + 1; version <= target; ++version) {
        sql::exec(db, migration_sql(version), context);
        migrate_data(db, context, version);
    }
    sql::exec(db, "PRAGMA application_id = " + std::to_string(application_id), context);
    sql::exec(db, "PRAGMA user_version = " + std::to_string(target), context);
    transaction.commit();
}

}  // namespace nod::store
