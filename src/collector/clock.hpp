// The two clocks the collector uses: wall time for rows (what users mean by "when"), monotonic time for
// timers (immune to clock changes).
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

#include "reader/row.hpp"

namespace nod::collector {

inline Micros realtime_now() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline std::uint64_t monotonic_now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000;
}

}  // namespace nod::collector
