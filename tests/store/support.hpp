// Shared by the store and query tests: temporary folders, row factories, and the independent recount of
// the aggregates from the raw rows that every consistency check compares against.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "reader/row.hpp"
#include "store/database.hpp"
#include "store/totals.hpp"
#include "support/processes.hpp"

namespace nod::store::testing {

// A fresh folder under /tmp, removed with everything in it (the one all end-to-end tests use).
using TempDir = nod::test::TempDir;

// µs since the epoch of a UTC wall-clock time.
Micros utc(int year, unsigned month, unsigned day, int hour = 0, int minute = 0, int second = 0);

Row make_row(Kind kind, const std::string& name, Micros start, std::optional<Micros> duration,
             Outcome outcome = Outcome::succeeded, std::uint64_t bytes = 0);

// Random but plausible rows: a few dozen names, mixed kinds and outcomes, some without duration,
// starts spread uniformly over [first, first + span); most builds have CPU times, a few only the user's.
std::vector<Row> random_rows(std::mt19937_64& random, std::size_t count, Micros first, Micros span);

// A database at `path` holding `count` random rows over the `days` days before now (seed `seed`).
void write_recent_history(const std::filesystem::path& path, std::size_t count, int days, unsigned seed);

// Everything the writer keeps beside the rows: day_totals, the per-name totals (name_totals plus the
// pending sums of name_pending) and day_durations (per (day, kind), the durations sorted).
struct AggregateSnapshot {
    std::map<AggregateTable, std::map<AggregateKey, Totals>> tables;
    std::map<std::pair<Day, int>, std::vector<Micros>> day_durations;

    std::map<AggregateKey, Totals>& operator[](AggregateTable table) { return tables[table]; }
    const std::map<AggregateKey, Totals>& at(AggregateTable table) const { return tables.at(table); }
};

// The columns of each row that the aggregates count, read straight from the rows table of any schema
// version (so also from a file an older nod left).
struct CountedRow {
    int kind = 0;
    std::int64_t name_id = 0;
    Day day = 0;
    std::optional<Micros> duration;
    Outcome outcome = Outcome::succeeded;
    std::uint64_t bytes = 0, download_bytes = 0;
    std::optional<std::uint64_t> cpu_user_us, cpu_system_us;  // schema 4 on
};
void for_each_counted_row(sqlite3* db, const std::string& context,
                          const std::function<void(const CountedRow&)>& visit);

// The aggregates as stored.
AggregateSnapshot read_aggregates(const Database& db);
// The same figures counted again from the rows table, without the store's code paths.
AggregateSnapshot recount_aggregates(const Database& db);

// A string naming the first difference, empty when the snapshots agree.
std::string describe_difference(const AggregateSnapshot& stored, const AggregateSnapshot& recounted);

// A database as nod with schema version 3 left it, with history: `rows` rows over four days from day 20000
// (2024-10-04) and aggregates as that nod kept them: day_totals; name_totals holding the first half of the
// rows, and the second half still pending in name_pending as two format 3 blobs (store/name_deltas.hpp).
void make_version_3_history(const std::filesystem::path& path, int rows);

// Runs `command` with /bin/sh, returns its exit status and fills `output` with stdout+stderr.
int run_shell(const std::string& command, std::string& output);

}  // namespace nod::store::testing
