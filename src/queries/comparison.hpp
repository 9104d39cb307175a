// The comparison behind `nodctl stats --output test` and the Test method: did things get slower? The
// window's durations against those of the prior window of equal length, per kind and (grouped) per
// derivation name, the way Go's benchstat compares benchmark runs: medians, change in percent, two-sided
// Mann-Whitney U p-value, an effect size, Holm correction across names.
// Reads raw durations through the covering index rows_by_day.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "queries/row_filter.hpp"
#include "queries/window.hpp"
#include "reader/row.hpp"
#include "stats/mann_whitney.hpp"
#include "store/database.hpp"

namespace nod::queries {

struct ComparisonRequest {
    Window window = Window::last_days(30);  // all time has no prior window: InvalidArgument
    std::string name_filter{};              // literal substring; empty = every row
    RowFilter filter{};
    bool group_by_name = false;
};

struct Comparison {
    Kind kind = Kind::build;
    std::string name;  // empty for a whole kind
    std::size_t n_old = 0, n_new = 0;
    double median_old_seconds = 0, median_new_seconds = 0;  // NaN for an empty sample
    double change_percent = 0;  // 100 * (new - old) / old medians; NaN when not defined (empty or old 0)
    double p_value = 1;         // two-sided; 1 when too_few_samples
    double p_adjusted = 1;      // Holm-adjusted across all names compared; equals p_value for kinds
    stats::Method method = stats::Method::exact;
    bool too_few_samples = false;  // no p below alpha is possible: report "too few samples", not a p
    bool significant = false;      // p_adjusted < stats::mann_whitney_alpha; otherwise benchstat prints "~"
    double cliffs_delta = 0;       // P(new > old) - P(new < old), in [-1, 1]; NaN for an empty sample
    // Hodges-Lehmann estimate of new - old; NaN for an empty sample, and not computed (NaN) when both samples
    // together exceed 20,000 values: it costs far more than the test itself there, and Cliff's delta is
    // given.
    double shift_seconds = 0;
};

struct ComparisonResult {
    DayRange old_days, new_days;
    std::vector<Comparison> kinds;  // every kind, in Kind order
    std::vector<Comparison> names;  // when grouping: names with durations in either window, by kind then name
};

// The durations (seconds) the comparison is made of; public so that tests can check them against the rows.
struct Samples {
    std::vector<double> old_seconds, new_seconds;
};
struct ComparisonSamples {
    DayRange old_days, new_days;
    std::array<Samples, kind_count> kinds;
    std::map<std::pair<int, std::string>, Samples> names;  // (kind, name); filled when grouping
};

ComparisonSamples collect_comparison_samples(const store::Database& db, const ComparisonRequest& request, Micros now);
Comparison compare_samples(Kind kind, std::string name, const Samples& samples);

ComparisonResult compare_windows(const store::Database& db, const ComparisonRequest& request, Micros now);

}  // namespace nod::queries
