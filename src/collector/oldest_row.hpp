// What the OldestRow property shows, read cheaply: the oldest day from the day totals, then that day's rows.
#pragma once

#include <optional>

#include "reader/row.hpp"
#include "store/database.hpp"

namespace nod::collector {

// The start of the oldest stored row; empty when there are none. O(days + one day's rows).
std::optional<Micros> oldest_row_start(const store::Database& db);

}  // namespace nod::collector
