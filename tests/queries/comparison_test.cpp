// The test query must feed the statistics the right samples: the durations of exactly the rows in each
// window (and name). The statistics themselves are tested in tests/stats.
#include "queries/comparison.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "reference.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

using store::testing::utc;

constexpr Micros day = 86'400'000'000LL;

std::vector<double> sorted(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values;
}

std::vector<double> durations_of(const std::vector<store::StoredRow>& rows, Kind kind, DayRange days,
                                 const std::string& name_part, const std::string* exact_name = nullptr) {
    std::vector<double> values;
    for (const auto& r : rows) {
        if (r.row.kind != kind || r.day < days.first || r.day > days.last || !r.row.duration) continue;
        if (r.row.name.find(name_part) == std::string::npos) continue;
        if (exact_name != nullptr && r.row.name != *exact_name) continue;
        values.push_back(static_cast<double>(*r.row.duration) / 1e6);
    }
    return sorted(values);
}

class ComparisonTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "Pacific/Auckland", 1);
        tzset();
        store_ = std::make_unique<store::Store>(dir_ / "nod.db");
        std::mt19937_64 random(17);
        store_->write(store::testing::random_rows(random, 4000, utc(2026, 3, 1), 70 * day));
        rows_ = testing::all_rows(store_->database());
    }
    store::testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    std::vector<store::StoredRow> rows_;
    Micros now_ = utc(2026, 5, 5, 3);
};

TEST_F(ComparisonTest, SamplesAreTheDurationsOfBothWindows) {
    for (std::string filter : {"", "pkg-1"}) {
        ComparisonSamples samples = collect_comparison_samples(store_->database(),
                                                   {.window = Window::last_days(20), .name_filter = filter}, now_);
        EXPECT_EQ(samples.new_days.last - samples.new_days.first, 19);
        EXPECT_EQ(samples.old_days.last + 1, samples.new_days.first);
        EXPECT_EQ(samples.old_days.last - samples.old_days.first, 19);
        for (int k = 0; k < kind_count; ++k) {
            auto kind = static_cast<Kind>(k);
            const Samples& s = samples.kinds[static_cast<std::size_t>(k)];
            EXPECT_EQ(sorted(s.old_seconds), durations_of(rows_, kind, samples.old_days, filter)) << k;
            EXPECT_EQ(sorted(s.new_seconds), durations_of(rows_, kind, samples.new_days, filter)) << k;
            EXPECT_FALSE(s.old_seconds.empty());
        }
    }
}

TEST_F(ComparisonTest, GroupedSamplesArePerName) {
    ComparisonSamples samples = collect_comparison_samples(
        store_->database(), {.window = Window::last_days(15), .name_filter = "pkg-2", .group_by_name = true}, now_);
    EXPECT_FALSE(samples.names.empty());
    for (const auto& [key, s] : samples.names) {
        EXPECT_NE(key.second.find("pkg-2"), std::string::npos);
        auto kind = static_cast<Kind>(key.first);
        EXPECT_EQ(sorted(s.old_seconds), durations_of(rows_, kind, samples.old_days, "", &key.second));
        EXPECT_EQ(sorted(s.new_seconds), durations_of(rows_, kind, samples.new_days, "", &key.second));
    }
}

TEST_F(ComparisonTest, ResultIsTheStatisticsOfTheSamples) {
    ComparisonRequest request{.window = Window::last_days(20), .group_by_name = true};
    ComparisonSamples samples = collect_comparison_samples(store_->database(), request, now_);
    ComparisonResult result = compare_windows(store_->database(), request, now_);
    ASSERT_EQ(result.kinds.size(), static_cast<std::size_t>(kind_count));
    for (int k = 0; k < kind_count; ++k) {
        const Samples& s = samples.kinds[static_cast<std::size_t>(k)];
        const Comparison& c = result.kinds[static_cast<std::size_t>(k)];
        auto expected = stats::mann_whitney(s.old_seconds, s.new_seconds);
        EXPECT_EQ(c.n_old, s.old_seconds.size());
        EXPECT_EQ(c.n_new, s.new_seconds.size());
        EXPECT_EQ(c.p_value, expected.p_value);
        EXPECT_EQ(c.median_old_seconds, stats::median(s.old_seconds));
        EXPECT_EQ(c.median_new_seconds, stats::median(s.new_seconds));
        EXPECT_NEAR(c.change_percent, 100 * (c.median_new_seconds / c.median_old_seconds - 1), 1e-9);
        EXPECT_NEAR(c.cliffs_delta, stats::cliffs_delta(s.old_seconds, s.new_seconds), 1e-12);
    }
    ASSERT_EQ(result.names.size(), samples.names.size());
    std::vector<double> p;
    for (const Comparison& c : result.names) p.push_back(c.too_few_samples ? std::nan("") : c.p_value);
    auto holm = stats::holm_adjust(p);
    for (std::size_t i = 0; i < result.names.size(); ++i) {
        if (result.names[i].too_few_samples) continue;
        EXPECT_EQ(result.names[i].p_adjusted, holm[i]);
        EXPECT_GE(result.names[i].p_adjusted, result.names[i].p_value);
    }
}

TEST(Comparison, DetectsASlowdownAndSaysWhenSamplesAreTooFew) {
    setenv("TZ", "UTC", 1);
    tzset();
    store::testing::TempDir dir;
    store::Store store(dir / "nod.db");
    Micros now = utc(2026, 5, 31, 12);
    std::vector<Row> rows;
    for (int i = 0; i < 30; ++i) {
        rows.push_back(store::testing::make_row(Kind::build, "slow", utc(2026, 5, 2) + i * 3600'000'000LL,
                                                10'000'000 + i * 1000));  // old window: ~10 s
        rows.push_back(store::testing::make_row(Kind::build, "slow", utc(2026, 5, 20) + i * 3600'000'000LL,
                                                20'000'000 + i * 1000));  // new window: ~20 s
    }
    rows.push_back(store::testing::make_row(Kind::build, "rare", utc(2026, 5, 2), 5'000'000));
    rows.push_back(store::testing::make_row(Kind::build, "rare", utc(2026, 5, 20), 9'000'000));
    store.write(rows);
    ComparisonResult result = compare_windows(store.database(), {.window = Window::last_days(15), .group_by_name = true}, now);
    ASSERT_EQ(result.names.size(), 2U);
    const Comparison& rare = result.names[0];
    const Comparison& slow = result.names[1];
    EXPECT_EQ(rare.name, "rare");
    EXPECT_TRUE(rare.too_few_samples);
    EXPECT_FALSE(rare.significant);
    EXPECT_EQ(slow.name, "slow");
    EXPECT_EQ(slow.n_old, 30U);
    EXPECT_EQ(slow.n_new, 30U);
    EXPECT_TRUE(slow.significant);
    EXPECT_LT(slow.p_adjusted, 1e-6);
    EXPECT_NEAR(slow.change_percent, 100.0, 0.5);
    EXPECT_EQ(slow.cliffs_delta, 1.0);
    EXPECT_NEAR(slow.shift_seconds, 10.0, 0.1);
    EXPECT_THROW(compare_windows(store.database(), {.window = Window::all_time()}, now), InvalidArgument);
}

}  // namespace
}  // namespace nod::queries
