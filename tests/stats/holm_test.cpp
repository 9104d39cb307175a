#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "stats/mann_whitney.hpp"

namespace nod::stats {
namespace {

// Holm's adjusted p straight from the definition, O(m^2): the largest (m - rank) * p over every p that is
// not larger, where rank counts the strictly smaller p-values (equal p-values share a rank).
std::vector<double> holm_by_definition(const std::vector<double>& p) {
    std::vector<double> out(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        double best = 0;
        for (double pj : p) {
            if (pj > p[i]) continue;
            std::size_t smaller = 0;
            for (double pk : p) smaller += pk < pj ? 1 : 0;
            best = std::max(best, static_cast<double>(p.size() - smaller) * pj);
        }
        out[i] = std::min(1.0, best);
    }
    return out;
}

TEST(Holm, WikipediaExample) {
    // Wikipedia, "Holm-Bonferroni method": p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05 rejects H1 and H4.
    // Adjusted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.04*1, 0.06) = 0.06.
    const std::vector<double> adjusted = holm_adjust(std::vector{0.01, 0.04, 0.03, 0.005});
    ASSERT_EQ(adjusted.size(), 4U);
    EXPECT_NEAR(adjusted[0], 0.03, 1e-15);
    EXPECT_NEAR(adjusted[1], 0.06, 1e-15);
    EXPECT_NEAR(adjusted[2], 0.06, 1e-15);
    EXPECT_NEAR(adjusted[3], 0.02, 1e-15);
    EXPECT_LT(adjusted[0], 0.05);
    EXPECT_GE(adjusted[1], 0.05);
    EXPECT_GE(adjusted[2], 0.05);
    EXPECT_LT(adjusted[3], 0.05);
}

TEST(Holm, SixHypotheses) {
    // p.adjust(c(0.01, 0.04, 0.20, 0.03, 0.005, 0.07), "holm"), worked by hand:
    // sorted 0.005*6 = 0.03, 0.01*5 = 0.05, 0.03*4 = 0.12, 0.04*3 = 0.12, 0.07*2 = 0.14, 0.20*1 -> 0.20.
    const std::vector<double> adjusted = holm_adjust(std::vector{0.01, 0.04, 0.20, 0.03, 0.005, 0.07});
    const std::vector<double> expected{0.05, 0.12, 0.20, 0.12, 0.03, 0.14};
    ASSERT_EQ(adjusted.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(adjusted[i], expected[i], 1e-15) << i;
}

TEST(Holm, MatchesDefinitionMonotoneCappedOrderPreserved) {
    std::mt19937_64 rng(30);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::uniform_int_distribution<std::size_t> size(1, 40);
    for (int round = 0; round < 200; ++round) {
        std::vector<double> p(size(rng));
        // Odd rounds use two decimals, so equal p-values are common.
        for (double& v : p) v = round % 2 == 0 ? uniform(rng) * 0.1 : std::round(uniform(rng) * 20) / 100;
        const std::vector<double> adjusted = holm_adjust(p);
        const std::vector<double> expected = holm_by_definition(p);
        ASSERT_EQ(adjusted.size(), p.size());
        for (std::size_t i = 0; i < p.size(); ++i) {
            EXPECT_NEAR(adjusted[i], expected[i], 1e-15);
            EXPECT_GE(adjusted[i], p[i]);
            EXPECT_LE(adjusted[i], 1.0);
            for (std::size_t j = 0; j < p.size(); ++j) {
                if (p[i] <= p[j]) {
                    EXPECT_LE(adjusted[i], adjusted[j]);
                }
            }
        }
    }
}

TEST(Holm, CapAtOne) {
    const std::vector<double> adjusted = holm_adjust(std::vector{0.5, 0.9, 0.3});
    ASSERT_EQ(adjusted.size(), 3U);
    EXPECT_EQ(adjusted[0], 1);             // 0.5 * 2 = 1 exactly
    EXPECT_EQ(adjusted[1], 1);             // max(0.9 * 1, 1)
    EXPECT_NEAR(adjusted[2], 0.9, 1e-15);  // 0.3 * 3
}

TEST(Holm, EmptySingleAndNaN) {
    EXPECT_TRUE(holm_adjust({}).empty());
    EXPECT_EQ(holm_adjust(std::vector{0.04}), std::vector{0.04});
    // Like R's p.adjust: NaN stays NaN and is not counted among the hypotheses.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> adjusted = holm_adjust(std::vector{0.02, nan, 0.01});
    EXPECT_DOUBLE_EQ(adjusted[0], 0.02);
    EXPECT_TRUE(std::isnan(adjusted[1]));
    EXPECT_DOUBLE_EQ(adjusted[2], 0.02);
}

}  // namespace
}  // namespace nod::stats
