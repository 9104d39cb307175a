// Internal: null distribution of the Mann-Whitney U statistic and the p-values derived from it.
#pragma once

#include <cstddef>
#include <vector>

namespace nod::stats::detail {

// counts[k] = number of the C(n1+n2, n1) equally likely rankings (no ties) in which U == k, for
// k = 0 .. n1*n2. Exact as integers; converted to double on return, so exact below 2^53.
// Precondition: n1 + n2 <= 128 (the counts must fit in 128 bits); O(n1 * n1*n2) time, O(n1*n2) memory.
std::vector<double> u_null_counts(std::size_t n1, std::size_t n2) noexcept;

// Two-sided exact p-value of U == u (an integer) under the no-ties null distribution (falls back to the
// normal approximation beyond 128 values).
double exact_p(std::size_t n1, std::size_t n2, double u) noexcept;

// Two-sided p-value from the normal approximation with tie correction (`tie_term` = sum of t^3 - t over
// groups of equal values) and continuity correction. 1 when the variance vanishes (all values equal).
double normal_p(std::size_t n1, std::size_t n2, double u, double tie_term) noexcept;

// True when even the most extreme ranking cannot give p <= alpha: the smallest two-sided exact p-value is
// 2 / C(n1+n2, n1) (all of one sample below all of the other).
bool too_few_samples(std::size_t n1, std::size_t n2, double alpha) noexcept;

}  // namespace nod::stats::detail
