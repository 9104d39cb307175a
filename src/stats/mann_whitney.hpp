// Distribution-free comparison of two samples of durations (old vs new): the Mann-Whitney U test,
// effect sizes and multiple-comparison adjustment, modelled on benchstat (golang.org/x/perf).
//
// Every function copies its input, ignores NaN values (an unmeasured value carries no rank) and never
// throws: they are noexcept because the only possible failure is running out of memory, which the daemon
// treats as fatal anyway, and callers must not need a try block around statistics.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace nod::stats {

enum class Method { exact, normal };

struct MannWhitney {
    std::size_t n_old = 0, n_new = 0;  // non-NaN values actually compared
    double u = 0;        // U statistic of the *new* sample (number of pairs new>old, ties count 1/2)
    double p_value = 1;  // two-sided
    Method method = Method::exact;
    // True when no p below alpha=0.05 is even possible with these sample sizes (see benchstat); p_value
    // is then 1.
    bool too_few_samples = false;
};

// Samples up to this size (both sides) without ties get the exact null distribution of U; larger or tied
// samples get the normal approximation. 50 is benchstat's MannWhitneyExactLimit.
inline constexpr std::size_t mann_whitney_exact_limit = 50;

// The significance level `too_few_samples` refers to (benchstat's default).
inline constexpr double mann_whitney_alpha = 0.05;

// Two-sided Mann-Whitney U test of `old_sample` against `new_sample`.
// Exact distribution when both sizes are <= mann_whitney_exact_limit and the pooled sample has no ties,
// otherwise the normal approximation with tie and continuity correction, as benchstat does. O(n log n) time.
// Empty sample or all values equal: p_value 1 (no evidence of a difference), never NaN.
MannWhitney mann_whitney(std::span<const double> old_sample, std::span<const double> new_sample) noexcept;

// Cliff's delta of new vs old in [-1, 1] (P(new>old) - P(new<old)); NaN when a sample is empty.
double cliffs_delta(std::span<const double> old_sample, std::span<const double> new_sample) noexcept;

// Hodges-Lehmann shift estimate: median of all pairwise differences new_j - old_i (the mean of the two
// middle differences when there is an even number of pairs). Exact at any size without materialising the
// n*m differences: two sorts plus at most 65 linear passes. NaN when a sample is empty or when both
// samples hold the same infinity.
double hodges_lehmann_shift(std::span<const double> old_sample, std::span<const double> new_sample) noexcept;

// Holm-Bonferroni step-down adjusted p-values, same order as input, monotone, capped at 1.
// NaN entries stay NaN and do not count as hypotheses (as R's p.adjust does).
std::vector<double> holm_adjust(std::span<const double> p_values) noexcept;

// Median (mean of the two middle values for an even count); NaN for an empty sample.
double median(std::span<const double> sample) noexcept;

}  // namespace nod::stats
