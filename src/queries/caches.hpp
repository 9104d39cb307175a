// `caches`: per substituter over a window, what it delivered and how fast, and the hit rate: of the store
// paths realised in the window, the share substituted rather than built. Reads the window's build and
// substitution rows through the covering index rows_by_day.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "queries/row_filter.hpp"
#include "queries/window.hpp"
#include "store/database.hpp"

namespace nod::queries {

struct CachesRequest {
    Window window{};
    RowFilter filter{};  // user and trusted; a machine filter is refused by the API
};

struct CacheFigures {
    std::string substituter;
    std::uint64_t substituted = 0;  // substitutions that succeeded
    std::uint64_t failed = 0;       // that failed (outcome failed)
    std::uint64_t other = 0;        // cancelled or unknown
    std::uint64_t bytes = 0;        // NAR bytes of the successful ones
    std::uint64_t download_bytes = 0;
    // Median over successful substitutions with a duration > 0 and bytes downloaded of download_bytes /
    // duration, in bytes per second; NaN when there is none.
    double median_throughput = 0;
    double share = 0;  // of every successful substitution of the window (0 to 1); NaN when there is none
};

struct CachesResult {
    DayRange days;
    std::uint64_t substituted = 0;  // successful substitutions, every substituter
    std::uint64_t built = 0;        // successful builds, on this machine or a remote builder
    double hit_rate = 0;            // substituted / (substituted + built); NaN when both are 0
    std::vector<CacheFigures> caches;  // most substituted first
};

CachesResult caches(const store::Database& db, const CachesRequest& request, Micros now);

}  // namespace nod::queries
