#include "queries/bucket.hpp"

#include <gtest/gtest.h>

#include "reference.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

using store::testing::utc;

class BucketTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "America/New_York", 1);
        tzset();
        store_ = std::make_unique<store::Store>(dir_ / "nod.db");
        std::mt19937_64 random(3);
        // Two bursts with a gap of empty days between them.
        store_->write(store::testing::random_rows(random, 800, utc(2026, 9, 1), 10 * day_));
        store_->write(store::testing::random_rows(random, 800, utc(2026, 10, 20), 15 * day_));
        rows_ = testing::all_rows(store_->database());
    }

    void expect_buckets_match_rows(const BucketResult& result, const std::string& filter) {
        for (const Bucket& b : result.buckets) {
            ASSERT_EQ(b.kinds.size(), static_cast<std::size_t>(kind_count));
            for (const KindFigures& k : b.kinds) {
                auto expected = testing::expected_figures(rows_, [&](const store::StoredRow& r) {
                    return r.row.kind == k.kind && r.day >= b.days.first && r.day <= b.days.last &&
                           r.row.name.find(filter) != std::string::npos;
                });
                testing::expect_figures(k.figures, expected, b.label + " " + std::string(to_string(k.kind)));
            }
        }
    }

    static constexpr Micros day_ = 86'400'000'000LL;
    store::testing::TempDir dir_;
    Micros now_ = utc(2026, 11, 3, 17);
    std::unique_ptr<store::Store> store_;
    std::vector<store::StoredRow> rows_;
};

TEST_F(BucketTest, DaysIncludeEmptyOnesAsZeros) {
    BucketResult result = bucket(store_->database(), {.window = Window::last_days(90), .unit = BucketUnit::day}, now_);
    ASSERT_EQ(result.buckets.size(), 90U);
    EXPECT_EQ(result.buckets.back().label, "2026-11-03");
    EXPECT_EQ(result.buckets.front().label, "2026-08-06");
    int empty = 0;
    for (const Bucket& b : result.buckets) {
        EXPECT_EQ(b.days.first, b.days.last);
        bool none = true;
        for (const KindFigures& k : b.kinds) none = none && k.figures == Figures{};
        empty += none ? 1 : 0;
    }
    EXPECT_GT(empty, 50);
    expect_buckets_match_rows(result, "");
}

TEST_F(BucketTest, IsoWeeksAndMonths) {
    BucketResult weeks = bucket(store_->database(), {.window = Window::last_days(70), .unit = BucketUnit::week}, now_);
    // 70 days ending on Tuesday 2026-11-03 start on Wednesday 2026-08-26: a partial first week.
    EXPECT_EQ(weeks.buckets.front().label, "2026-W35");
    EXPECT_EQ(weeks.buckets.front().days.first, store::day_of_date({2026, 8, 26}));
    EXPECT_EQ(weeks.buckets.front().days.last, store::day_of_date({2026, 8, 30}));
    EXPECT_EQ(weeks.buckets.back().label, "2026-W45");
    EXPECT_EQ(weeks.buckets.size(), 11U);
    expect_buckets_match_rows(weeks, "");

    BucketResult months = bucket(store_->database(), {.window = Window::last_months(4), .unit = BucketUnit::month}, now_);
    ASSERT_EQ(months.buckets.size(), 4U);
    EXPECT_EQ(months.buckets[0].label, "2026-08");
    EXPECT_EQ(months.buckets[3].label, "2026-11");
    expect_buckets_match_rows(months, "");
}

TEST_F(BucketTest, NameFilterAndAllTime) {
    BucketResult result = bucket(store_->database(),
                                 {.window = Window::all_time(), .unit = BucketUnit::week, .name_filter = "pkg-2"}, now_);
    EXPECT_EQ(result.days.first, store::day_of_date({2026, 8, 31}));  // 1 Sep 00:00 UTC is 31 Aug in New York
    expect_buckets_match_rows(result, "pkg-2");
}

}  // namespace
}  // namespace nod::queries
