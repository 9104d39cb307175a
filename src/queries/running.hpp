// What is running now, for the Running method: the reader's activities in flight, filtered, oldest first,
// each with what its history says it should take (queries/estimate.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "reader/live_activity.hpp"
#include "store/database.hpp"

namespace nod::queries {

inline constexpr std::uint32_t max_running_rows = 1000;  // per answer; the default too

struct RunningRequest {
    std::optional<Kind> kind;
    std::optional<std::uint32_t> user;  // only what runs for this uid
    bool trusted_only = false;          // only what a root connection reported, and only such history
    std::uint32_t limit = max_running_rows;
};

struct RunningSelection {
    std::uint64_t matching = 0;       // in flight and matching the filters, listed or not
    std::vector<LiveActivity> rows;   // the `limit` that started first, oldest first
};

RunningSelection select_running(std::vector<LiveActivity> live, const RunningRequest& request);

// Per row, the median of its name's (or package's) successful runs of its kind, in seconds; NaN when
// there is no history.
std::vector<double> expected_seconds(const store::Database& db, const std::vector<LiveActivity>& rows,
                                     bool trusted_history);

}  // namespace nod::queries
