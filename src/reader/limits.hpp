// The bounds that keep one connection from taking the machine.
#pragma once

#include <cstddef>

#include "reader/row.hpp"

namespace nod {

struct ReaderLimits {
    std::size_t max_line = 1 << 20;      // longer lines are skipped to their newline and counted
    std::size_t max_path = 4096;         // store paths, drv paths and machines: a longer one is refused
    std::size_t max_activities = 16384;  // in flight per connection; more starts are refused
    // Bytes of paths and names kept for a connection's activities in flight, and for all connections of one
    // user together (root's are not counted: the daemon's workers always get through).
    std::size_t max_held_bytes = 8 << 20;
    std::size_t max_held_bytes_per_user = 32 << 20;
    Micros dedup_window = 10 * 60 * 1'000'000LL;  // how long a recorded activity's id stays known
    std::size_t max_remembered = 100'000;         // recorded ids kept for that, at most
};

}  // namespace nod
