// Raw durations of one window for the test query: from day_durations for all names, else through the
// covering index rows_by_day.
#pragma once

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "queries/names.hpp"
#include "queries/row_filter.hpp"
#include "queries/window.hpp"
#include "reader/row.hpp"
#include "store/database.hpp"

namespace nod::queries {

struct WindowSamples {
    std::array<std::vector<Micros>, kind_count> kinds;  // sorted ascending
    // Per kind: name_id -> durations (unsorted); filled only when asked for.
    std::array<std::unordered_map<std::int64_t, std::vector<Micros>>, kind_count> names;
};

// Durations (µs) of the rows with a known duration in `days` that pass `rows`, per kind, only of names in
// `names` when it is given, and per name when `per_name`.
WindowSamples read_window_samples(const store::Database& db, DayRange days, const NameMap* names,
                                  const RowFilter& rows, bool per_name);

// Sorts durations in linear time (they are integers): the test query sorts millions of them.
void sort_durations(std::vector<Micros>& values);

}  // namespace nod::queries
