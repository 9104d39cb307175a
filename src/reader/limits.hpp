// The bounds that keep one connection from taking the machine.
#pragma once

#include <cstddef>

#include "reader/row.hpp"

namespace nod {

struct ReaderLimits {
    std::size_t max_line = 1 << 20;        // longer lines are skipped to their newline and counted
    std::size_t max_activities = 16384;    // in flight per connection; more starts are refused
    Micros dedup_window = 10 * 60 * 1'000'000LL;  // how long a recorded activity's id stays known
};

}  // namespace nod
