#include "queries/window.hpp"

namespace nod::queries {

namespace {

void check_count(const Window& window) {
    if (window.unit != Window::Unit::all && (window.count < 1 || window.count > 100'000))
        throw InvalidArgument("a window needs between 1 and 100000 days or months, not " +
                              std::to_string(window.count));
}

}  // namespace

DayRange resolve(const store::Database& db, const Window& window, Micros now) {
    check_count(window);
    store::Day today = store::local_day(now);
    switch (window.unit) {
    case Window::Unit::days: return {today - window.count + 1, today};
    case Window::Unit::months: return {store::add_months(store::month_start(today), 1 - window.count), today};
    case Window::Unit::all: break;
    }
    // All time is everything stored, including rows dated after `now` by a clock that was ahead.
    auto statement = db.prepare("SELECT min(day), max(day) FROM day_totals");
    DayRange range{today, today};
    if (statement.step() && !statement.column_is_null(0)) {
        range.first = std::min(today, static_cast<store::Day>(statement.column_int(0)));
        range.last = std::max(today, static_cast<store::Day>(statement.column_int(1)));
    }
    return range;
}

DayRange prior(const store::Database& db, const Window& window, Micros now) {
    if (window.unit == Window::Unit::all)
        throw InvalidArgument("all time has no prior window to compare with; give a number of days or months");
    DayRange current = resolve(db, window, now);
    store::Day length = current.last - current.first + 1;
    return {current.first - length, current.first - 1};
}

}  // namespace nod::queries
