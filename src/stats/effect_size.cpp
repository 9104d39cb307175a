#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>

#include "stats/mann_whitney.hpp"
#include "stats/ranks.hpp"

namespace nod::stats {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Pairwise differences y[j] - x[i] of two ascending arrays form a matrix sorted along both axes (rounding
// is monotone, so this holds for the computed differences too). That lets us count the differences <= v
// with one staircase walk in O(n + m), and the walk never needs to materialise the n*m differences.
std::uint64_t count_at_most(const std::vector<double>& x, const std::vector<double>& y, double v) {
    std::uint64_t count = 0;
    std::size_t j = 0;  // y[0..j) - x[i] <= v; j only grows because x[i] does
    for (double xi : x) {
        while (j < y.size() && y[j] - xi <= v) ++j;
        count += j;
    }
    return count;
}

// Smallest difference strictly greater than v (v below the maximum difference), by the same walk.
double smallest_above(const std::vector<double>& x, const std::vector<double>& y, double v) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t j = 0;
    for (double xi : x) {
        while (j < y.size() && y[j] - xi <= v) ++j;
        if (j < y.size()) best = std::min(best, y[j] - xi);
    }
    return best;
}

// Order-preserving map between doubles and unsigned integers (IEEE 754 bit trick): lets us bisect over
// every representable value, so the search ends on an exact difference after at most 64 steps.
std::uint64_t ordered_key(double v) {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

double from_ordered_key(std::uint64_t key) {
    return std::bit_cast<double>((key >> 63) != 0 ? key & ~(std::uint64_t{1} << 63) : ~key);
}

// k-th smallest (1-based) difference y[j] - x[i], exactly: the smallest representable v with at least k
// differences <= v is itself a difference. O((n + m) * 64) instead of O(n*m) memory and time.
double kth_difference(const std::vector<double>& x, const std::vector<double>& y, std::uint64_t k) {
    std::uint64_t lo = ordered_key(y.front() - x.back());
    std::uint64_t hi = ordered_key(y.back() - x.front());
    while (lo < hi) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (count_at_most(x, y, from_ordered_key(mid)) >= k) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return from_ordered_key(lo);
}

}  // namespace

double cliffs_delta(std::span<const double> old_sample, std::span<const double> new_sample) noexcept {
    const std::vector<double> old_sorted = detail::sorted_without_nan(old_sample);
    const std::vector<double> new_sorted = detail::sorted_without_nan(new_sample);
    if (old_sorted.empty() || new_sorted.empty()) return nan;
    // (#new>old - #new<old) / nm = 2U/nm - 1 with ties counted half in U: one sort instead of n*m compares.
    const double pairs = static_cast<double>(old_sorted.size()) * static_cast<double>(new_sorted.size());
    const double u = detail::rank_summary(old_sorted, new_sorted).u;
    return std::clamp(2 * u / pairs - 1, -1.0, 1.0);
}

double hodges_lehmann_shift(std::span<const double> old_sample, std::span<const double> new_sample) noexcept {
    const std::vector<double> x = detail::sorted_without_nan(old_sample);
    const std::vector<double> y = detail::sorted_without_nan(new_sample);
    if (x.empty() || y.empty()) return nan;
    // The same infinity on both sides makes some differences inf - inf = NaN, which have no order.
    const bool both_plus_inf = std::isinf(x.back()) && x.back() > 0 && y.back() == x.back();
    const bool both_minus_inf = std::isinf(x.front()) && x.front() < 0 && y.front() == x.front();
    if (both_plus_inf || both_minus_inf) return nan;
    const std::uint64_t pairs = static_cast<std::uint64_t>(x.size()) * y.size();
    const std::uint64_t k = (pairs + 1) / 2;  // lower middle
    const double lower = kth_difference(x, y, k);
    if (pairs % 2 == 1 || count_at_most(x, y, lower) > k) return lower;
    return std::midpoint(lower, smallest_above(x, y, lower));
}

}  // namespace nod::stats
