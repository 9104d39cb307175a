// Lifetime totals (schema version 6): figures over every row ever written, for counters that must never go
// down (Prometheus). The writer adds each batch in the same transaction as its rows; nothing subtracts:
// retention (prune_before), clear() and a superseding row leave them alone, so a report replaced later is
// still counted. The migration to version 6 starts them from the rows stored then.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "reader/row.hpp"
#include "store/database.hpp"
#include "store/sqlite.hpp"

namespace nod::store {

// Upper bounds of the duration histogram's buckets, in µs: 0.1 s … 2 days. Fixed forever (stored counts are
// per bucket index).
inline constexpr std::array<Micros, 19> lifetime_bucket_bounds_us = {
    100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000,
    120'000'000, 300'000'000, 600'000'000, 1'800'000'000, 3'600'000'000, 7'200'000'000, 14'400'000'000,
    28'800'000'000, 86'400'000'000, 172'800'000'000};
// The index of the bucket a duration falls in: the first bound >= duration (Prometheus' `le`), or
// lifetime_bucket_bounds_us.size() for longer ones (+Inf).
std::size_t lifetime_bucket(Micros duration);
// Distinct substituters that get their own lifetime entry; later ones are counted under "" (other).
inline constexpr std::size_t max_lifetime_substituters = 16;

struct LifetimeActivity {  // one per (kind, outcome, direction) that has rows
    Kind kind;
    Outcome outcome;
    Direction direction;
    std::uint64_t count = 0;           // rows
    std::uint64_t timed = 0;           // rows with a known duration
    std::uint64_t duration_us = 0;     // sum of the known durations
    std::uint64_t bytes = 0;           // NAR bytes (clamped as rows are)
    std::uint64_t download_bytes = 0;

    bool operator==(const LifetimeActivity&) const = default;
};
struct LifetimeDurations {  // one per kind that has a timed row
    Kind kind;
    // NON-cumulative counts per bucket index; last = above 2 days
    std::array<std::uint64_t, lifetime_bucket_bounds_us.size() + 1> buckets{};

    bool operator==(const LifetimeDurations&) const = default;
};
struct LifetimeSubstituter {  // substitutions (Kind::substitute) per (substituter, outcome)
    std::string substituter;  // Row::machine; "" = other (past the cap, or the row had no machine)
    Outcome outcome;
    std::uint64_t count = 0, bytes = 0, download_bytes = 0;

    bool operator==(const LifetimeSubstituter&) const = default;
};
struct Lifetime {
    std::vector<LifetimeActivity> activities;       // sorted by (kind, outcome, direction)
    std::vector<LifetimeDurations> durations;       // sorted by kind
    std::vector<LifetimeSubstituter> substituters;  // sorted by (substituter, outcome)

    bool operator==(const Lifetime&) const = default;
};

// Reads the lifetime totals (any connection, read-only is fine); throws store::Error with context.
Lifetime read_lifetime(const Database& db);

// The writer's side: sums the rows of one transaction in memory, then upserts each group once (a few
// statements per batch, none per row). Statements are prepared once on the writer's connection.
class LifetimeWriter {
public:
    LifetimeWriter(sqlite3* db, const std::string& context);

    // One written row (byte counts clamped as stored). Rows must come in row id order: which substituters
    // get their own entry depends on it, and the migration counts in that order.
    void add(const Row& row);
    // The same from a stored row's columns (the migration).
    void add(Kind kind, Outcome outcome, Direction direction, std::optional<Micros> duration, std::uint64_t bytes,
             std::uint64_t download_bytes, std::string_view machine, bool root_reported);
    // Adds the sums to the tables, inside the caller's transaction, and starts over.
    void flush();
    // Forgets the sums (the transaction was rolled back).
    void discard() noexcept;

private:
    struct Figures {
        std::uint64_t count = 0, timed = 0, duration_us = 0, bytes = 0, download_bytes = 0;
    };
    const std::string& substituter_entry(std::string_view machine, bool root_reported);

    sql::Statement upsert_activity_, upsert_duration_, upsert_substituter_, named_substituters_;
    std::map<std::tuple<int, int, int>, Figures> activities_;      // (kind, outcome, direction)
    std::map<std::pair<int, std::size_t>, std::uint64_t> buckets_;  // (kind, bucket) -> rows
    std::map<std::pair<std::string, int>, Figures> substituters_;   // (substituter, outcome)
    // The substituters with an entry, read from the table at the batch's first substitution.
    std::optional<std::set<std::string, std::less<>>> named_;
};

// Fills the lifetime tables from the rows, in row id order: the data step of the migration to version 6.
void fill_lifetime_from_rows(sqlite3* db, const std::string& context);

}  // namespace nod::store
