// Local calendar days: "yesterday" means the collector's time zone (TZ), and a day is stored as a
// number, days since 1970-01-01 of the local date.
#pragma once

#include <cstdint>
#include <string>

#include "reader/row.hpp"

namespace nod::store {

using Day = std::int32_t;

struct Date {
    int year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

Day day_of_date(Date date);
Date date_of_day(Day day);

// The local calendar day that contains `time`, in the current TZ (localtime_r).
Day local_day(Micros time);
// The first local µs of `day` (local midnight, or the first existing time after it on a DST jump).
Micros local_day_start(Day day);

// Monday of the ISO week that contains `day`, and the ISO week's label, e.g. "2026-W48".
Day iso_week_start(Day day);
std::string iso_week_label(Day day);
// First day of the calendar month that contains `day`, and the first of the month `months` later.
Day month_start(Day day);
Day add_months(Day first_of_month, int months);
std::string day_label(Day day);    // "2026-11-25"
std::string month_label(Day day);  // "2026-11"

// Caches the last answer per 15-minute slot: every time zone offset in use is a multiple of 15 minutes,
// so one slot never spans a local midnight, and a batch of rows mostly hits the cache.
class LocalDayCache {
public:
    Day operator()(Micros time);

private:
    std::int64_t slot_ = INT64_MIN;
    Day day_ = 0;
};

}  // namespace nod::store
