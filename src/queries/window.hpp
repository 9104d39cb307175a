// The time windows every query takes, resolved to inclusive ranges of local days against a clock value,
// so that queries are pure functions of the database and `now`.
#pragma once

#include <stdexcept>
#include <string>

#include "reader/row.hpp"
#include "store/calendar.hpp"
#include "store/database.hpp"

namespace nod::queries {

// Bad query input (a window of 0 days, ...): the daemon answers it with InvalidArgs.
class InvalidArgument : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

// An answer larger than nod sends in one reply (D-Bus limits a message to 32 MiB, and a reply the bus
// refuses would cost the collector its connection): the daemon answers net.bergsoe.Nod1.Error.TooLarge.
class TooLarge : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Window {
    enum class Unit { all, days, months };
    Unit unit = Unit::all;
    int count = 0;  // days or calendar months; ignored for `all`

    static Window all_time() { return {}; }
    static Window last_days(int n) { return {Unit::days, n}; }
    // The current calendar month (so far) and the n - 1 before it.
    static Window last_months(int n) { return {Unit::months, n}; }
};

struct DayRange {
    store::Day first = 0;  // inclusive
    store::Day last = 0;   // inclusive
    bool operator==(const DayRange&) const = default;
};

// The days of `window` up to and including today (the local day of `now`). For all time the range runs
// from the oldest to the newest day with data (and at least covers today). Throws InvalidArgument for a count < 1.
DayRange resolve(const store::Database& db, const Window& window, Micros now);

// The window of equal length (in days) just before resolve()'s. For calendar months that is the same
// number of days, not the prior calendar months, so that both samples cover equally long periods.
// Throws InvalidArgument for all time, which has no prior window.
DayRange prior(const store::Database& db, const Window& window, Micros now);

}  // namespace nod::queries
