#include "queries/clean.hpp"

#include <gtest/gtest.h>

#include "queries/stats.hpp"
#include "reference.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

using store::testing::utc;

class CleanTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
        store_ = std::make_unique<store::Store>(dir_ / "nod.db");
        std::mt19937_64 random(9);
        store_->write(store::testing::random_rows(random, 3000, utc(2026, 1, 1), 30 * 86'400'000'000LL));
    }
    store::testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    Micros now_ = utc(2026, 1, 30, 12);
};

TEST_F(CleanTest, KeepsTheLastNDaysAndCountsWhatWent) {
    std::size_t older = 0;
    store::Day cutoff = store::day_of_date({2026, 1, 21});  // keep 10 days: the 21st to the 30th
    for (const auto& row : testing::all_rows(store_->database())) older += row.day < cutoff ? 1 : 0;
    EXPECT_EQ(clean(*store_, {.before_days = 10, .chunk = 250}, now_), older);
    for (const auto& row : testing::all_rows(store_->database())) EXPECT_GE(row.day, cutoff);
    EXPECT_EQ(store::testing::describe_difference(store::testing::read_aggregates(store_->database()),
                                                  store::testing::recount_aggregates(store_->database())),
              "");
    StatsResult all = stats(store_->database(), {}, now_);
    EXPECT_EQ(all.days.first, cutoff);
    EXPECT_EQ(clean(*store_, {.before_days = 10}, now_), 0U);
}

TEST_F(CleanTest, EverythingGoes) {
    EXPECT_EQ(clean(*store_, {}, now_), 3000U);
    EXPECT_EQ(stats(store_->database(), {.group_by = GroupBy::name}, now_).kinds[0].figures.count, 0U);
    EXPECT_THROW(clean(*store_, {.before_days = -1}, now_), InvalidArgument);
}

}  // namespace
}  // namespace nod::queries
