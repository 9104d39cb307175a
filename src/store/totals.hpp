// The figures every aggregate row holds (per day and kind, per kind and name), and how they are read from
// and written to the aggregate tables.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "reader/row.hpp"
#include "store/aggregate_key.hpp"
#include "store/calendar.hpp"
#include "store/histogram.hpp"
#include "store/sqlite.hpp"

namespace nod::store {

// Sums of byte counts and durations stay at the largest SQLite integer instead of wrapping (or, in SQL,
// turning into a REAL): rows are clamped (max_row_bytes), but there may be many of them.
inline constexpr std::uint64_t sum_cap = static_cast<std::uint64_t>(INT64_MAX);
std::uint64_t add_capped(std::uint64_t a, std::uint64_t b);
// Upsert SQL `column = column + excluded.column`, held at sum_cap instead of overflowing into a REAL.
std::string capped_sum(const std::string& column);

// The figures of a group of rows other than the histogram.
struct Counts {
    std::uint64_t count = 0;  // every row, timed or not
    std::uint64_t failed = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t unknown_duration = 0;  // rows without a duration: in count, not in time figures
    std::int64_t total_us = 0;
    std::optional<Micros> max_us;  // empty when no row had a duration
    std::uint64_t bytes = 0;
    std::uint64_t download_bytes = 0;
    // CPU time (Determinate Nix's build results): rows that had some, and their sums.
    std::uint64_t cpu_rows = 0;
    std::uint64_t cpu_user_us = 0;
    std::uint64_t cpu_system_us = 0;

    // Adds one row; true when it had a duration (which then belongs in the group's histogram too).
    bool add(std::optional<Micros> duration, Outcome outcome, std::uint64_t row_bytes,
             std::uint64_t row_download_bytes);
    // Adds one row's CPU times (after add): a row with either counts in cpu_rows.
    void add_cpu(std::optional<std::uint64_t> user_us, std::optional<std::uint64_t> system_us);
    void merge(const Counts& other);

    bool operator==(const Counts&) const = default;
};

struct Totals : Counts {
    Histogram histogram;  // durations of the timed rows

    void add(std::optional<Micros> duration, Outcome outcome, std::uint64_t row_bytes,
             std::uint64_t row_download_bytes);
    // The same with the duration's histogram bucket computed already (histogram_bucket(*duration)).
    void add(std::optional<Micros> duration, int bucket, Outcome outcome, std::uint64_t row_bytes,
             std::uint64_t row_download_bytes);
    void clear() noexcept;  // back to zero, keeping the histogram's capacity
    void merge(const Totals& other);
    // Removes figures that were added before (pruning); max_us is left to the caller, who must recount it.
    // Returns false, changing nothing, when `other` is not part of this.
    bool subtract(const Totals& other);

    bool operator==(const Totals&) const = default;
};

enum class AggregateTable { day, name };
inline constexpr AggregateTable aggregate_tables[] = {AggregateTable::day, AggregateTable::name};

// The same figures with the histogram still encoded, pointing into a statement's column or a blob (valid
// while those are): what readers sum, without decoding a histogram they may never need.
struct EncodedTotals : Counts {
    std::span<const std::uint8_t> histogram;

    Totals decode() const;  // throws Error(not_a_database) on a malformed histogram
};


const char* table_name(AggregateTable table);
// "day, kind, name_id" etc., in primary key order.
const char* key_columns(AggregateTable table);
// The figure columns in the order bind_totals and read_totals use (the CPU figures came with schema 5).
inline constexpr const char* figure_columns =
    "count, failed, cancelled, unknown_duration, total_us, max_us, bytes, download_bytes, histogram, cpu_rows, "
    "cpu_user_us, cpu_system_us";
inline constexpr int figure_column_count = 12;
// figure_columns qualified with a table alias, for joins: "n.count, n.failed, ...".
std::string figure_columns_of(const std::string& alias);

// Binds the key columns of `table` from `first` on; returns the next free index.
int bind_key(sql::Statement& statement, AggregateTable table, const AggregateKey& key, int first = 1);
int bind_totals(sql::Statement& statement, const Totals& totals, int first);
Totals read_totals(const sql::Statement& statement, int first);
EncodedTotals read_encoded_totals(const sql::Statement& statement, int first);

// SQL text for the writer and the pruner.
std::string aggregate_upsert_sql(AggregateTable table);  // adds to a row, creating it (nod_histogram_merge)
std::string aggregate_select_sql(AggregateTable table);  // figures of one key
std::string aggregate_replace_sql(AggregateTable table);
std::string aggregate_delete_sql(AggregateTable table);

}  // namespace nod::store
