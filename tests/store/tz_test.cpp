// Days are local calendar days of the collector's time zone: the same rows land on different days under
// different TZ values.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "store/store.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

using testing::utc;

class TimeZone {
public:
    explicit TimeZone(const char* tz) {
        const char* old = std::getenv("TZ");
        if (old != nullptr) old_ = old;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~TimeZone() {
        if (old_.empty())
            unsetenv("TZ");
        else
            setenv("TZ", old_.c_str(), 1);
        tzset();
    }

private:
    std::string old_;
};

// Days of the day_totals rows of kind build, with their counts.
std::map<std::string, std::int64_t> days_in(const std::filesystem::path& path, const std::vector<Row>& rows) {
    Store store(path);
    store.write(rows);
    std::map<std::string, std::int64_t> days;
    auto statement = store.database().prepare("SELECT day, count FROM day_totals ORDER BY day");
    while (statement.step()) days[day_label(static_cast<Day>(statement.column_int(0)))] = statement.column_int(1);
    return days;
}

std::vector<Row> rows_around_midnight() {
    return {
        testing::make_row(Kind::build, "a", utc(2026, 11, 25, 10, 30), 1'000'000),  // Auckland 23:30 on the 25th
        testing::make_row(Kind::build, "b", utc(2026, 11, 25, 11, 30), 1'000'000),  // Auckland 00:30 on the 26th
        testing::make_row(Kind::build, "c", utc(2026, 11, 26, 3, 0), 1'000'000),    // New York 22:00 on the 25th
        testing::make_row(Kind::build, "d", utc(2026, 11, 26, 5, 30), 1'000'000),   // New York 00:30 on the 26th
    };
}

TEST(TimeZones, UtcAssignsUtcDays) {
    testing::TempDir dir;
    TimeZone tz("UTC");
    auto days = days_in(dir / "nod.db", rows_around_midnight());
    EXPECT_EQ(days, (std::map<std::string, std::int64_t>{{"2026-11-25", 2}, {"2026-11-26", 2}}));
}

TEST(TimeZones, AucklandAssignsLocalDays) {
    testing::TempDir dir;
    TimeZone tz("Pacific/Auckland");
    auto days = days_in(dir / "nod.db", rows_around_midnight());
    EXPECT_EQ(days, (std::map<std::string, std::int64_t>{{"2026-11-25", 1}, {"2026-11-26", 3}}));
    // Local midnight of the 26th in Auckland (NZDT, UTC+13) is 11:00 UTC on the 25th.
    EXPECT_EQ(local_day_start(day_of_date({2026, 11, 26})), utc(2026, 11, 25, 11, 0));
}

TEST(TimeZones, NewYorkAssignsLocalDays) {
    testing::TempDir dir;
    TimeZone tz("America/New_York");
    auto days = days_in(dir / "nod.db", rows_around_midnight());
    EXPECT_EQ(days, (std::map<std::string, std::int64_t>{{"2026-11-25", 3}, {"2026-11-26", 1}}));
    EXPECT_EQ(local_day_start(day_of_date({2026, 11, 26})), utc(2026, 11, 26, 5, 0));
}

}  // namespace
}  // namespace nod::store
