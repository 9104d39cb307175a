// Internal: the pooled-ranking step shared by the U test and Cliff's delta.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace nod::stats::detail {

// Ascending copy of `sample` without NaN: NaN breaks the strict weak order std::sort relies on.
std::vector<double> sorted_without_nan(std::span<const double> sample) noexcept;

struct RankSummary {
    double u = 0;         // pairs new>old plus half the pairs new==old
    double tie_term = 0;  // sum over groups of equal pooled values of t^3 - t
    bool ties = false;    // some value occurs more than once in the pooled sample
};

// Both inputs sorted ascending. One merge pass, O(n + m): U is counted per group of equal values rather
// than via rank sums so it stays exact (integer arithmetic) for millions of values.
RankSummary rank_summary(std::span<const double> sorted_old, std::span<const double> sorted_new) noexcept;

}  // namespace nod::stats::detail
