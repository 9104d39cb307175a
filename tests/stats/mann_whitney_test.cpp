#include "stats/mann_whitney.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "reference.hpp"
#include "stats/u_distribution.hpp"

namespace nod::stats {
namespace {

namespace ref = reference;

struct Split {
    std::vector<double> old_sample, new_sample;
};

Split split_distinct(std::size_t n1, std::size_t n2, std::mt19937_64& rng) {
    std::vector<double> pooled = ref::distinct_values(n1 + n2, rng);
    return {{pooled.begin(), pooled.begin() + static_cast<std::ptrdiff_t>(n1)},
            {pooled.begin() + static_cast<std::ptrdiff_t>(n1), pooled.end()}};
}

// --- Exact distribution -------------------------------------------------------------------------------

TEST(MannWhitneyExact, NullCountsMatchEnumeration) {
    for (std::size_t n1 = 0; n1 <= 7; ++n1) {
        for (std::size_t n2 = 0; n2 <= 7; ++n2) {
            EXPECT_EQ(detail::u_null_counts(n1, n2), ref::u_counts(n1, n2)) << n1 << " vs " << n2;
        }
    }
}

TEST(MannWhitneyExact, PValueMatchesEnumerationForEverySmallSize) {
    std::mt19937_64 rng(1);
    for (std::size_t n1 = 1; n1 <= 7; ++n1) {
        for (std::size_t n2 = 1; n2 <= 7; ++n2) {
            for (int round = 0; round < 4; ++round) {
                const Split s = split_distinct(n1, n2, rng);
                const MannWhitney r = mann_whitney(s.old_sample, s.new_sample);
                const double expected = ref::permutation_p(s.old_sample, s.new_sample);
                EXPECT_EQ(r.method, Method::exact);
                EXPECT_EQ(r.n_old, n1);
                EXPECT_EQ(r.n_new, n2);
                EXPECT_DOUBLE_EQ(2 * r.u, static_cast<double>(ref::twice_u(s.old_sample, s.new_sample)));
                EXPECT_NEAR(detail::exact_p(n1, n2, r.u), expected, 1e-12) << n1 << " vs " << n2;
                EXPECT_NEAR(r.p_value, r.too_few_samples ? 1.0 : expected, 1e-12) << n1 << " vs " << n2;
            }
        }
    }
}

TEST(MannWhitneyExact, FiftyByFiftyIsSymmetricAndMonotone) {
    const std::vector<double> counts = detail::u_null_counts(50, 50);
    ASSERT_EQ(counts.size(), 2501U);
    double total = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
        EXPECT_EQ(counts[k], counts[2500 - k]) << k;
        total += counts[k];
    }
    EXPECT_NEAR(total / 1.0089134454556419e29, 1.0, 1e-12);  // C(100, 50)
    // Partitions of k into at most 50 parts of size <= 50, for k <= 50: p(0..5) = 1 1 2 3 5 7.
    EXPECT_EQ(counts[5], 7);
    double previous = 0;
    for (int u = 0; u < 1250; u += 25) {
        const double p = detail::exact_p(50, 50, u);
        EXPECT_GT(p, previous);
        EXPECT_DOUBLE_EQ(p, detail::exact_p(50, 50, 2500 - u));
        previous = p;
    }
    EXPECT_EQ(detail::exact_p(50, 50, 1250), 1.0);
}

// --- Normal approximation -------------------------------------------------------------------------------

TEST(MannWhitneyNormal, AgreesWithExactAtThirtyPerSide) {
    double worst = 0;
    for (int u = 0; u <= 900; ++u) {
        worst = std::max(worst, std::abs(detail::normal_p(30, 30, u, 0) - detail::exact_p(30, 30, u)));
    }
    EXPECT_LT(worst, 0.01);
}

TEST(MannWhitneyNormal, UsedAboveTheExactLimit) {
    std::mt19937_64 rng(2);
    const Split s = split_distinct(51, 20, rng);
    const MannWhitney r = mann_whitney(s.old_sample, s.new_sample);
    EXPECT_EQ(r.method, Method::normal);
    // Continuous data at these sizes: the approximation is within a hair of the exact value.
    EXPECT_NEAR(r.p_value, detail::exact_p(51, 20, r.u), 0.01);
}

TEST(MannWhitneyNormal, UsedWithTiesAndCloseToPermutationP) {
    // The exact permutation distribution of tied data is lumpy at 7 vs 7, so only loose agreement is
    // expected: over 500 random cases with 10 levels the worst error was 0.049 and the mean 0.011 (with 5
    // levels the worst reaches 0.09).
    std::mt19937_64 rng(3);
    double total_error = 0;
    const int rounds = 20;
    for (int round = 0; round < rounds; ++round) {
        const std::vector<double> old_sample = ref::tied_values(7, 10, rng);
        const std::vector<double> new_sample = ref::tied_values(7, 10, rng);
        const MannWhitney r = mann_whitney(old_sample, new_sample);
        EXPECT_EQ(r.method, Method::normal);
        const double error = std::abs(r.p_value - ref::permutation_p(old_sample, new_sample));
        EXPECT_LT(error, 0.06) << round;
        total_error += error;
    }
    EXPECT_LT(total_error / rounds, 0.02);
}

TEST(MannWhitneyNormal, HandComputedTieCorrection) {
    // Pooled 1 2 2 2 3 3 3 4: U(new) = 2 + 3.5 + 3.5 + 4 = 13, mean 8, two groups of three tied values:
    // var = 16 * (9 - 48/56) / 12 = 10.857..., z = (5 - 0.5) / sqrt(var) = 1.3657, p = erfc(z / sqrt 2).
    const MannWhitney r = mann_whitney(std::vector{1.0, 2.0, 2.0, 3.0}, std::vector{2.0, 3.0, 3.0, 4.0});
    EXPECT_EQ(r.u, 13);
    EXPECT_EQ(r.method, Method::normal);
    EXPECT_NEAR(r.p_value, 0.17203370892182296, 1e-12);
}

// --- Published examples ---------------------------------------------------------------------------------

TEST(MannWhitneyTextbook, SciPyMalesFemales) {
    // SciPy's scipy.stats.mannwhitneyu documentation example: males vs females, U = 17, exact two-sided
    // p = 0.1111 (asymptotic: 0.11134688653314041).
    const std::vector<double> males{19, 22, 16, 29, 24};
    const std::vector<double> females{20, 11, 17, 12};
    const MannWhitney r = mann_whitney(females, males);
    EXPECT_EQ(r.u, 17);
    EXPECT_EQ(r.method, Method::exact);
    EXPECT_NEAR(r.p_value, 0.1111, 5e-5);
    EXPECT_NEAR(r.p_value, 14.0 / 126.0, 1e-15);
    EXPECT_NEAR(r.p_value, ref::permutation_p(females, males), 1e-15);
    EXPECT_NEAR(detail::normal_p(4, 5, 17, 0), 0.11134688653314041, 1e-12);
}

TEST(MannWhitneyTextbook, HollanderWolfeChorioamnion) {
    // Hollander & Wolfe (1973) p. 69, the example of R's ?wilcox.test: permeability at term (x) vs at
    // 12-26 weeks (y). W = 35 for x; the exact two-sided p is 0.2544 (twice R's one-sided 0.1272).
    const std::vector<double> x{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const std::vector<double> y{1.15, 0.88, 0.90, 0.74, 1.21};
    const MannWhitney r = mann_whitney(y, x);
    EXPECT_EQ(r.u, 35);
    EXPECT_EQ(r.method, Method::exact);
    EXPECT_NEAR(r.p_value, 0.2544, 5e-5);
    EXPECT_NEAR(r.p_value, ref::permutation_p(y, x), 1e-12);
}

TEST(MannWhitneyTextbook, RWithTiesUsesCorrectedNormal) {
    // R: wilcox.test(x, y) prints "W = 51.5, p-value = 0.5966" and, against y2, "W = 0, p-value = 0.001364",
    // both "with continuity correction" because of ties.
    const std::vector<double> x{1, 5, 9, 24, 56, 21, 3, 7, 21, 4};
    const std::vector<double> y{12, 15, 5, 9, 9, 14, 56, 22, 3, 7, 32, 5};
    const std::vector<double> y2{1233, 4356, 987, 39999, 1111, 200000};
    const MannWhitney r = mann_whitney(y, x);
    EXPECT_EQ(r.u, 51.5);
    EXPECT_EQ(r.method, Method::normal);
    EXPECT_NEAR(r.p_value, 0.5966, 5e-5);
    const MannWhitney r2 = mann_whitney(y2, x);
    EXPECT_EQ(r2.u, 0);
    EXPECT_NEAR(r2.p_value, 0.001364, 5e-7);
}

// --- Too few samples ------------------------------------------------------------------------------------

TEST(MannWhitneyTooFew, SmallSizesCannotReachAlpha) {
    for (auto [n1, n2] : {std::pair{1, 1}, {2, 2}, {3, 2}, {2, 3}, {3, 3}, {3, 4}, {1, 38}, {2, 7}}) {
        EXPECT_TRUE(detail::too_few_samples(n1, n2, 0.05)) << n1 << " vs " << n2;
    }
    // 2 / C(n1+n2, n1) <= 0.05; (1, 39) reaches exactly 0.05, which benchstat accepts (minP <= alpha).
    for (auto [n1, n2] : {std::pair{4, 4}, {5, 5}, {3, 5}, {2, 8}, {1, 39}, {1000, 1}, {1000000, 1000000}}) {
        EXPECT_FALSE(detail::too_few_samples(n1, n2, 0.05)) << n1 << " vs " << n2;
    }
}

TEST(MannWhitneyTooFew, AgreesWithSmallestExactP) {
    for (std::size_t n1 = 1; n1 <= 12; ++n1) {
        for (std::size_t n2 = 1; n2 <= 12; ++n2) {
            // U = 0 is the most extreme outcome, so its p is the smallest attainable one.
            EXPECT_EQ(detail::too_few_samples(n1, n2, 0.05), detail::exact_p(n1, n2, 0) > 0.05)
                << n1 << " " << n2;
        }
    }
}

TEST(MannWhitneyTooFew, ReportsPOneEvenForSeparatedSamples) {
    const MannWhitney r = mann_whitney(std::vector{1.0, 2.0, 3.0}, std::vector{10.0, 11.0, 12.0});
    EXPECT_TRUE(r.too_few_samples);
    EXPECT_EQ(r.p_value, 1);
    EXPECT_EQ(r.u, 9);
    const MannWhitney enough =
        mann_whitney(std::vector{1.0, 2.0, 3.0, 4.0, 5.0}, std::vector{10.0, 11.0, 12.0, 13.0, 14.0});
    EXPECT_FALSE(enough.too_few_samples);
    EXPECT_NEAR(enough.p_value, 2.0 / 252.0, 1e-15);
}

// --- Edge cases -----------------------------------------------------------------------------------------

TEST(MannWhitneyEdge, EmptySamples) {
    const std::vector<double> some{1, 2, 3, 4, 5};
    for (const MannWhitney& r : {mann_whitney({}, {}), mann_whitney(some, {}), mann_whitney({}, some)}) {
        EXPECT_TRUE(r.too_few_samples);
        EXPECT_EQ(r.p_value, 1);
        EXPECT_EQ(r.u, 0);
    }
}

TEST(MannWhitneyEdge, AllValuesEqual) {
    const std::vector<double> same(20, 42.0);
    const MannWhitney r = mann_whitney(same, same);
    EXPECT_FALSE(r.too_few_samples);
    EXPECT_EQ(r.u, 200);
    EXPECT_EQ(r.p_value, 1);
    const std::vector<double> large(200, 7.0);
    EXPECT_EQ(mann_whitney(large, large).p_value, 1);
}

TEST(MannWhitneyEdge, NaNIsIgnoredAndInfinityRanks) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const MannWhitney r =
        mann_whitney(std::vector{1.0, nan, 2.0, 3.0, 4.0, -inf}, std::vector{nan, 5.0, 6.0, 7.0, 8.0, inf});
    EXPECT_EQ(r.n_old, 5U);
    EXPECT_EQ(r.n_new, 5U);
    EXPECT_EQ(r.u, 25);
    EXPECT_NEAR(r.p_value, 2.0 / 252.0, 1e-15);
    const MannWhitney all_nan = mann_whitney(std::vector{nan, nan}, std::vector{nan});
    EXPECT_EQ(all_nan.n_old, 0U);
    EXPECT_EQ(all_nan.p_value, 1);
}

TEST(MannWhitneyEdge, PValueIsAlwaysAProbability) {
    std::mt19937_64 rng(4);
    std::uniform_int_distribution<std::size_t> size(0, 80);
    for (int round = 0; round < 300; ++round) {
        const std::size_t n1 = size(rng), n2 = size(rng);
        const bool tied = round % 2 == 0;
        const std::vector<double> a =
            tied ? ref::tied_values(n1, 1 + round % 4, rng) : ref::distinct_values(n1, rng);
        const std::vector<double> b =
            tied ? ref::tied_values(n2, 1 + round % 4, rng) : ref::distinct_values(n2, rng);
        const MannWhitney r = mann_whitney(a, b);
        EXPECT_GE(r.p_value, 0);
        EXPECT_LE(r.p_value, 1);
        EXPECT_FALSE(std::isnan(r.p_value));
        EXPECT_DOUBLE_EQ(r.u + mann_whitney(b, a).u, static_cast<double>(r.n_old * r.n_new));
    }
}

// --- Scale ----------------------------------------------------------------------------------------------

// No wall-clock assertion (flaky under sanitizers): an O(n*m) regression would take hours here and hit the
// test timeout instead.
TEST(MannWhitneyLarge, MillionValuesPerSide) {
    // old = 0..n-1, new = old + 1000.5: new j beats exactly min(n, j + 1001) old values, no ties.
    const std::size_t n = 1'000'000;
    std::vector<double> old_sample(n), new_sample(n);
    for (std::size_t i = 0; i < n; ++i) {
        old_sample[i] = static_cast<double>((i * 7919) % n);  // shuffled order: 7919 is prime, coprime to n
        new_sample[i] = static_cast<double>(i) + 1000.5;
    }
    double expected_u = 0;
    for (std::size_t j = 0; j < n; ++j) expected_u += static_cast<double>(std::min(n, j + 1001));
    const MannWhitney r = mann_whitney(old_sample, new_sample);
    EXPECT_EQ(r.u, expected_u);
    EXPECT_EQ(r.method, Method::normal);
    // The shift is 0.1% of the range, yet a million values per side detect it.
    EXPECT_LT(r.p_value, 0.05);
    EXPECT_GT(r.p_value, 0);
}

}  // namespace
}  // namespace nod::stats
