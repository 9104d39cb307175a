#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stats/mann_whitney.hpp"

namespace nod::stats {
namespace {

const double nan = std::numeric_limits<double>::quiet_NaN();

TEST(Median, SmallCases) {
    EXPECT_EQ(median(std::vector{3.0}), 3);
    EXPECT_EQ(median(std::vector{5.0, 1.0, 3.0}), 3);
    EXPECT_EQ(median(std::vector{4.0, 1.0, 3.0, 2.0}), 2.5);
    EXPECT_EQ(median(std::vector{2.0, 2.0, 2.0, 9.0}), 2);
    EXPECT_EQ(median(std::vector{-1.0, nan, 1.0}), 0);
}

TEST(Median, EmptyIsNaN) {
    EXPECT_TRUE(std::isnan(median({})));
    EXPECT_TRUE(std::isnan(median(std::vector{nan, nan})));
}

TEST(Median, MatchesSortAndLeavesInputAlone) {
    std::mt19937_64 rng(40);
    std::uniform_int_distribution<int> value(-50, 50);
    for (std::size_t n = 1; n <= 200; ++n) {
        std::vector<double> v(n);
        for (double& x : v) x = value(rng);
        const std::vector<double> before = v;
        std::vector<double> sorted = v;
        std::sort(sorted.begin(), sorted.end());
        const double expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        EXPECT_EQ(median(v), expected) << n;
        EXPECT_EQ(v, before);
    }
}

}  // namespace
}  // namespace nod::stats
