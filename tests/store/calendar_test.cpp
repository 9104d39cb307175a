#include "store/calendar.hpp"

#include <gtest/gtest.h>

namespace nod::store {
namespace {

TEST(Calendar, DaysRoundTrip) {
    EXPECT_EQ(day_of_date({1970, 1, 1}), 0);
    EXPECT_EQ(day_of_date({1969, 12, 31}), -1);
    for (Day day = -800; day < 30000; day += 37) {
        Date date = date_of_day(day);
        EXPECT_EQ(day_of_date(date), day);
    }
    EXPECT_EQ(day_label(day_of_date({2026, 11, 25})), "2026-11-25");
}

TEST(Calendar, IsoWeeks) {
    Day wednesday = day_of_date({2026, 11, 25});
    EXPECT_EQ(iso_week_start(wednesday), day_of_date({2026, 11, 23}));
    EXPECT_EQ(iso_week_label(wednesday), "2026-W48");
    // 2021-01-03 (Sunday) belongs to the last week of 2020; 2024-12-30 (Monday) to 2025-W01.
    EXPECT_EQ(iso_week_label(day_of_date({2021, 1, 3})), "2020-W53");
    EXPECT_EQ(iso_week_start(day_of_date({2021, 1, 3})), day_of_date({2020, 12, 28}));
    EXPECT_EQ(iso_week_label(day_of_date({2024, 12, 30})), "2025-W01");
    EXPECT_EQ(iso_week_start(day_of_date({2024, 12, 30})), day_of_date({2024, 12, 30}));
}

TEST(Calendar, Months) {
    Day day = day_of_date({2026, 3, 31});
    EXPECT_EQ(month_start(day), day_of_date({2026, 3, 1}));
    EXPECT_EQ(add_months(month_start(day), -3), day_of_date({2025, 12, 1}));
    EXPECT_EQ(add_months(month_start(day), 10), day_of_date({2027, 1, 1}));
    EXPECT_EQ(month_label(day), "2026-03");
}

}  // namespace
}  // namespace nod::store
