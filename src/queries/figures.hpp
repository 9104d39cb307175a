// The figures every summary query reports for a group of rows, and the accumulator that builds them from
// aggregate rows (store::Totals, as columns or decoded) and, for windows of days per name, single rows.
#pragma once

#include <cstdint>

#include "reader/row.hpp"
#include "store/histogram.hpp"
#include "store/sqlite.hpp"
#include "store/totals.hpp"

namespace nod::queries {

// Times in seconds. Rows without a known duration count in `count` (and failed/cancelled) but not in the
// time figures; `unknown_duration` says how many there were. Percentiles come from the log histograms
// and are within store::percentile_error_bound (2.47 %) of the exact value; total, mean and max are exact.
struct Figures {
    std::uint64_t count = 0;
    std::uint64_t failed = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t unknown_duration = 0;
    double total_seconds = 0;
    double mean_seconds = 0;  // over rows with a duration; 0 when there are none
    double p50_seconds = 0;
    double p90_seconds = 0;
    double max_seconds = 0;
    std::uint64_t bytes = 0;
    std::uint64_t download_bytes = 0;
    // CPU time of the rows that had one (Determinate Nix's build results): both sums are 0 when cpu_rows is.
    std::uint64_t cpu_rows = 0;
    double cpu_user_seconds = 0;
    double cpu_system_seconds = 0;

    bool operator==(const Figures&) const = default;
};

// Sums aggregate rows. Histogram is store::Histogram (sparse, cheap per name) or store::DenseHistogram
// (fast merging of many blobs for one group).
template <typename Histogram>
class Accumulator {
public:
    // Adds the figure columns (store::figure_columns order) of the current row from column `first` on.
    void add_columns(const store::sql::Statement& statement, int first);
    void add(const store::EncodedTotals& totals);
    // One row (read from the covering index rows_by_day).
    void add_row(std::optional<Micros> duration, Outcome outcome, std::uint64_t bytes,
                 std::uint64_t download_bytes, std::optional<std::uint64_t> cpu_user_us = {},
                 std::optional<std::uint64_t> cpu_system_us = {});
    void merge(const Accumulator& other);
    Figures figures() const;
    std::uint64_t count() const { return counts_.count; }
    std::int64_t total_us() const { return counts_.total_us; }

private:
    // The histogram to add to, decoding the kept single blob first (sparse only).
    Histogram& own_histogram();

    store::Counts counts_;
    Histogram histogram_;
    // Sparse only: the first blob is kept encoded; most groups (a day of one kind, a name over all time) have
    // exactly one aggregate row, and their percentiles are then read without decoding.
    std::vector<std::uint8_t> single_blob_;
    int blobs_ = 0;
};

using SparseAccumulator = Accumulator<store::Histogram>;
using DenseAccumulator = Accumulator<store::DenseHistogram>;

}  // namespace nod::queries
