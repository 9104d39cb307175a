// Brute-force reference implementations for the stats tests: straight from the definitions, quadratic or
// exponential on purpose, and sharing no code with src/stats.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace nod::stats::reference {

// 2U of `y` against `x`: 2 per pair y > x, 1 per tie. Doubled so that it stays an integer.
inline std::int64_t twice_u(const std::vector<double>& x, const std::vector<double>& y) {
    std::int64_t total = 0;
    for (double b : y) {
        for (double a : x) total += b > a ? 2 : (b == a ? 1 : 0);
    }
    return total;
}

// Calls f(x, y) for every way of splitting `pooled` into a first group of n1 values and the rest.
template <class F>
void for_each_split(const std::vector<double>& pooled, std::size_t n1, F f) {
    const std::size_t n = pooled.size();
    for (std::uint32_t mask = 0; mask < (std::uint32_t{1} << n); ++mask) {
        if (static_cast<std::size_t>(std::popcount(mask)) != n1) continue;
        std::vector<double> x, y;
        for (std::size_t i = 0; i < n; ++i) ((mask >> i) & 1U ? x : y).push_back(pooled[i]);
        f(x, y);
    }
}

// Exact two-sided permutation p-value of the U test: the share of all C(n1+n2, n1) relabellings whose U is
// at least as far from its mean n1*n2/2 as the observed one. Valid with ties (conditional on them).
inline double permutation_p(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> pooled = x;
    pooled.insert(pooled.end(), y.begin(), y.end());
    const auto centre2 = static_cast<std::int64_t>(x.size() * y.size());  // 2 * mean of U
    const std::int64_t observed = std::abs(twice_u(x, y) - centre2);
    std::int64_t extreme = 0, all = 0;
    for_each_split(pooled, x.size(), [&](const std::vector<double>& a, const std::vector<double>& b) {
        ++all;
        if (std::abs(twice_u(a, b) - centre2) >= observed) ++extreme;
    });
    return static_cast<double>(extreme) / static_cast<double>(all);
}

// Number of splits of 1..n1+n2 giving each U = 0..n1*n2.
inline std::vector<double> u_counts(std::size_t n1, std::size_t n2) {
    std::vector<double> pooled(n1 + n2);
    std::iota(pooled.begin(), pooled.end(), 1.0);
    std::vector<double> counts(n1 * n2 + 1, 0.0);
    for_each_split(pooled, n1, [&](const std::vector<double>& a, const std::vector<double>& b) {
        counts[static_cast<std::size_t>(twice_u(a, b) / 2)] += 1;
    });
    return counts;
}

inline double cliffs_delta(const std::vector<double>& x, const std::vector<double>& y) {
    double more = 0, less = 0;
    for (double b : y) {
        for (double a : x) {
            more += b > a ? 1 : 0;
            less += b < a ? 1 : 0;
        }
    }
    return (more - less) / (static_cast<double>(x.size()) * static_cast<double>(y.size()));
}

inline double hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y) {
    std::vector<double> d;
    d.reserve(x.size() * y.size());
    for (double a : x) {
        for (double b : y) d.push_back(b - a);
    }
    std::sort(d.begin(), d.end());
    const std::size_t n = d.size();
    return n % 2 == 1 ? d[n / 2] : std::midpoint(d[n / 2 - 1], d[n / 2]);
}

// `n` distinct values in random order (continuous data: no ties).
inline std::vector<double> distinct_values(std::size_t n, std::mt19937_64& rng) {
    std::normal_distribution<double> dist(100.0, 15.0);
    std::vector<double> out;
    while (out.size() < n) {
        const double v = dist(rng);
        if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
}

// `n` small integers (heavily tied data, like durations rounded to seconds).
inline std::vector<double> tied_values(std::size_t n, int levels, std::mt19937_64& rng) {
    std::uniform_int_distribution<int> dist(1, levels);
    std::vector<double> out(n);
    for (double& v : out) v = dist(rng);
    return out;
}

}  // namespace nod::stats::reference
