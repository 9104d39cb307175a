#include "stats/u_distribution.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace nod::stats::detail {

namespace {

// 128 bits hold C(128, 64) ~ 2.4e37; doubles would lose the tail counts to rounding.
__extension__ using Count = unsigned __int128;

// Coefficients of the Gaussian binomial [n1+n2 choose n1]_q, which is the generating function of U:
//   prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i).
// Multiplying by (1 - q^s) and dividing by (1 - q^i) are one pass each over a single O(n1*n2) array.
// Intermediate coefficients may be "negative", but unsigned arithmetic is exact modulo 2^128 and the
// final coefficients are known to lie in [0, 2^128), so the result is exact.
std::vector<Count> gaussian_binomial(std::size_t n1, std::size_t n2) {
    const std::size_t degree = n1 * n2;
    std::vector<Count> c{1};  // the constant polynomial 1 (written this way to keep -Wnull-dereference quiet)
    c.resize(degree + 1, 0);
    for (std::size_t i = 1; i <= n1; ++i) {
        const std::size_t s = n2 + i;
        if (s <= degree) {
            for (std::size_t k = degree; k >= s; --k) c[k] -= c[k - s];
        }
        for (std::size_t k = i; k <= degree; ++k) c[k] += c[k - i];
    }
    return c;
}

}  // namespace

std::vector<double> u_null_counts(std::size_t n1, std::size_t n2) noexcept {
    const std::vector<Count> counts = gaussian_binomial(n1, n2);
    std::vector<double> out(counts.size());
    std::transform(counts.begin(), counts.end(), out.begin(), [](Count c) { return static_cast<double>(c); });
    return out;
}

double exact_p(std::size_t n1, std::size_t n2, double u) noexcept {
    // Beyond 128 values the counts overflow 128 bits; the normal curve is excellent there anyway.
    if (n1 + n2 > 128) return normal_p(n1, n2, u, 0);
    const double n_pairs = static_cast<double>(n1 * n2);
    const double u_small = std::min(u, n_pairs - u);
    // At the centre both tails include the central mass; doubling would exceed 1 (Go's utest does the same).
    if (!(u_small < n_pairs - u_small)) return 1;
    const std::vector<Count> counts = gaussian_binomial(n1, n2);
    Count tail = 0, total = 0;
    const auto last = static_cast<std::size_t>(std::max(0.0, std::floor(u_small)));
    for (std::size_t k = 0; k < counts.size(); ++k) {
        total += counts[k];
        if (k <= last) tail += counts[k];
    }
    return std::min(1.0, 2 * static_cast<double>(tail) / static_cast<double>(total));
}

double normal_p(std::size_t n1, std::size_t n2, double u, double tie_term) noexcept {
    const auto a = static_cast<double>(n1);
    const auto b = static_cast<double>(n2);
    const double n = a + b;
    if (n < 2) return 1;
    const double variance = a * b * ((n + 1) - tie_term / (n * (n - 1))) / 12;
    if (!(variance > 0)) return 1;
    double deviation = std::abs(u - a * b / 2);
    // Continuity correction (benchstat, R): a discrete U read off a continuous curve is moved half a unit
    // towards the mean; U - mean is a multiple of 1/2, so this never overshoots past 0.
    deviation = std::max(0.0, deviation - 0.5);
    const double z = deviation / std::sqrt(variance);
    // erfc keeps precision in the far tail where 1 - Phi(z) would cancel to 0.
    return std::min(1.0, std::erfc(z / std::numbers::sqrt2));
}

bool too_few_samples(std::size_t n1, std::size_t n2, double alpha) noexcept {
    const std::size_t k = std::min(n1, n2);
    if (k == 0) return true;
    const std::size_t n = n1 + n2;
    // C(n, k) built as C(n-k+1, 1), C(n-k+2, 2), ...: each step is an integer, exact while small, and we
    // stop as soon as it is large enough.
    double c = 1;
    for (std::size_t i = 1; i <= k; ++i) {
        c = c * static_cast<double>(n - k + i) / static_cast<double>(i);
        if (2 / c <= alpha) return false;
    }
    return true;
}

}  // namespace nod::stats::detail
