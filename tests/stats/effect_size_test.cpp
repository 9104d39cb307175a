#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "reference.hpp"
#include "stats/mann_whitney.hpp"

namespace nod::stats {
namespace {

namespace ref = reference;

const double nan = std::numeric_limits<double>::quiet_NaN();

// Random sample mixing heavy ties, continuous values and negative numbers.
std::vector<double> mixed_sample(std::size_t n, int round, std::mt19937_64& rng) {
    if (round % 3 == 0) return ref::tied_values(n, 6, rng);
    std::vector<double> v = ref::distinct_values(n, rng);
    if (round % 3 == 2) {
        for (double& x : v) x -= 100;
    }
    return v;
}

// --- Cliff's delta --------------------------------------------------------------------------------------

TEST(CliffsDelta, MatchesBruteForce) {
    std::mt19937_64 rng(10);
    std::uniform_int_distribution<std::size_t> size(1, 60);
    for (int round = 0; round < 200; ++round) {
        const std::vector<double> a = mixed_sample(size(rng), round, rng);
        const std::vector<double> b = mixed_sample(size(rng), round, rng);
        EXPECT_NEAR(cliffs_delta(a, b), ref::cliffs_delta(a, b), 1e-12) << round;
    }
}

TEST(CliffsDelta, MatchesBruteForceOnLargeSamples) {
    std::mt19937_64 rng(11);
    const std::vector<double> a = ref::tied_values(3000, 500, rng);
    std::vector<double> b = ref::tied_values(2500, 500, rng);
    for (double& x : b) x += 20;
    EXPECT_NEAR(cliffs_delta(a, b), ref::cliffs_delta(a, b), 1e-12);
}

TEST(CliffsDelta, ExtremesAndEmpty) {
    const std::vector<double> low{1, 2, 3}, high{4, 5}, same{2, 2};
    EXPECT_EQ(cliffs_delta(low, high), 1);
    EXPECT_EQ(cliffs_delta(high, low), -1);
    EXPECT_EQ(cliffs_delta(same, same), 0);
    EXPECT_TRUE(std::isnan(cliffs_delta({}, high)));
    EXPECT_TRUE(std::isnan(cliffs_delta(low, std::vector{nan})));
    EXPECT_EQ(cliffs_delta(std::vector{1.0, nan}, std::vector{nan, 2.0}), 1);
}

// --- Hodges-Lehmann -------------------------------------------------------------------------------------

TEST(HodgesLehmann, MatchesBruteForceSmall) {
    std::mt19937_64 rng(20);
    std::uniform_int_distribution<std::size_t> size(1, 40);
    for (int round = 0; round < 300; ++round) {
        const std::vector<double> a = mixed_sample(size(rng), round, rng);
        const std::vector<double> b = mixed_sample(size(rng), round, rng);
        // Same computed differences and the same midpoint: the results must be identical, not just close.
        EXPECT_EQ(hodges_lehmann_shift(a, b), ref::hodges_lehmann(a, b)) << round;
    }
}

TEST(HodgesLehmann, MatchesBruteForceLarge) {
    std::mt19937_64 rng(21);
    for (auto [n1, n2] : {std::pair{900, 1100}, {1000, 1000}, {1, 2001}}) {
        std::vector<double> a = ref::distinct_values(n1, rng);
        std::vector<double> b = ref::distinct_values(n2, rng);
        for (double& x : b) x *= 1.1;
        EXPECT_EQ(hodges_lehmann_shift(a, b), ref::hodges_lehmann(a, b)) << n1 << " vs " << n2;
    }
    const std::vector<double> ta = ref::tied_values(1000, 30, rng), tb = ref::tied_values(1000, 40, rng);
    EXPECT_EQ(hodges_lehmann_shift(ta, tb), ref::hodges_lehmann(ta, tb));
}

TEST(HodgesLehmann, TextbookChorioamnion) {
    // Hollander & Wolfe (1999), table 4.1: R's coin::wilcox_test reports the "difference in location"
    // (12-26 weeks minus at term) as -0.305; wilcox.test(x, y, conf.int = TRUE) gives +0.305 for x - y.
    const std::vector<double> at_term{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
    const std::vector<double> weeks{1.15, 0.88, 0.90, 0.74, 1.21};
    EXPECT_NEAR(hodges_lehmann_shift(at_term, weeks), -0.305, 1e-12);
    EXPECT_NEAR(hodges_lehmann_shift(weeks, at_term), 0.305, 1e-12);
    EXPECT_EQ(hodges_lehmann_shift(at_term, weeks), ref::hodges_lehmann(at_term, weeks));
}

TEST(HodgesLehmann, SimpleCases) {
    EXPECT_EQ(hodges_lehmann_shift(std::vector{1.0}, std::vector{4.0}), 3);
    EXPECT_EQ(hodges_lehmann_shift(std::vector{1.0, 2.0}, std::vector{1.0, 2.0}), 0);  // -1 0 0 1
    EXPECT_EQ(hodges_lehmann_shift(std::vector{0.0}, std::vector{1.0, 2.0}), 1.5);
    EXPECT_EQ(hodges_lehmann_shift(std::vector{5.0, 5.0, 5.0}, std::vector{5.0, 5.0}), 0);
    EXPECT_EQ(hodges_lehmann_shift(std::vector{-3.0, nan}, std::vector{nan, 4.0}), 7);
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(hodges_lehmann_shift(std::vector{1.0, 2.0}, std::vector{3.0, inf}), inf);  // 1 2 inf inf
    EXPECT_EQ(hodges_lehmann_shift(std::vector{-inf, 0.0, 1.0}, std::vector{3.0}), 3);   // 2 3 inf
    EXPECT_TRUE(std::isnan(hodges_lehmann_shift(std::vector{1.0, inf}, std::vector{2.0, inf})));
    EXPECT_TRUE(std::isnan(hodges_lehmann_shift(std::vector{-inf}, std::vector{-inf, 2.0})));
    EXPECT_TRUE(std::isnan(hodges_lehmann_shift({}, std::vector{1.0})));
    EXPECT_TRUE(std::isnan(hodges_lehmann_shift(std::vector{1.0}, std::vector{nan})));
}

// 10^12 pairs: only the selection algorithm can do this (no wall-clock assertion, see MannWhitneyLarge).
TEST(HodgesLehmann, MillionValuesPerSide) {
    // old = 0..n-1 shuffled, new = old + 250: the differences j - i + 250 have median exactly 250.
    const std::size_t n = 1'000'000;
    std::vector<double> old_sample(n), new_sample(n);
    for (std::size_t i = 0; i < n; ++i) {
        old_sample[i] = static_cast<double>((i * 7919) % n);
        new_sample[i] = static_cast<double>(i) + 250;
    }
    EXPECT_EQ(hodges_lehmann_shift(old_sample, new_sample), 250);
    EXPECT_NEAR(cliffs_delta(old_sample, new_sample), 2 * 250e-6 - 250e-6 * 250e-6, 1e-9);
}

}  // namespace
}  // namespace nod::stats
