#include "store/calendar.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace nod::store {

namespace {

constexpr std::int64_t micros_per_second = 1'000'000;
constexpr std::int64_t slot_micros = 15 * 60 * micros_per_second;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

Day day_of_date(Date date) {
    using namespace std::chrono;
    auto ymd = year_month_day{year{date.year}, month{date.month}, std::chrono::day{date.day}};
    return static_cast<Day>(sys_days{ymd}.time_since_epoch().count());
}

Date date_of_day(Day day) {
    using namespace std::chrono;
    year_month_day ymd{sys_days{days{day}}};
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

Day local_day(Micros time) {
    auto seconds = static_cast<std::time_t>(floor_div(time, micros_per_second));
    std::tm local{};
    localtime_r(&seconds, &local);
    return day_of_date({local.tm_year + 1900, static_cast<unsigned>(local.tm_mon + 1),
                        static_cast<unsigned>(local.tm_mday)});
}

Micros local_day_start(Day day) {
    Date date = date_of_day(day);
    std::tm local{};
    local.tm_year = date.year - 1900;
    local.tm_mon = static_cast<int>(date.month) - 1;
    local.tm_mday = static_cast<int>(date.day);
    local.tm_isdst = -1;  // let mktime decide whether DST is in force at midnight
    std::time_t seconds = std::mktime(&local);
    return static_cast<Micros>(seconds) * micros_per_second;
}

Day iso_week_start(Day day) {
    // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
    auto weekday = static_cast<Day>(((static_cast<std::int64_t>(day) + 3) % 7 + 7) % 7);
    return day - weekday;
}

std::string iso_week_label(Day day) {
    Day thursday = iso_week_start(day) + 3;  // the ISO year is the year of the week's Thursday
    int year = date_of_day(thursday).year;
    int week = (thursday - day_of_date({year, 1, 1})) / 7 + 1;
    char text[48];
    std::snprintf(text, sizeof text, "%04d-W%02d", year, week);
    return text;
}

Day month_start(Day day) {
    Date date = date_of_day(day);
    return day_of_date({date.year, date.month, 1});
}

Day add_months(Day first_of_month, int months) {
    Date date = date_of_day(first_of_month);
    int index = date.year * 12 + static_cast<int>(date.month) - 1 + months;
    int year = index >= 0 ? index / 12 : (index - 11) / 12;
    return day_of_date({year, static_cast<unsigned>(index - year * 12 + 1), 1});
}

std::string day_label(Day day) {
    Date date = date_of_day(day);
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", date.year, date.month, date.day);
    return text;
}

std::string month_label(Day day) {
    Date date = date_of_day(day);
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02u", date.year, date.month);
    return text;
}

Day LocalDayCache::operator()(Micros time) {
    std::int64_t slot = floor_div(time, slot_micros);
    if (slot != slot_) {
        slot_ = slot;
        day_ = local_day(time);
    }
    return day_;
}

}  // namespace nod::store
