// What the Rows and OldestRow properties show, read cheaply from the aggregates.
#pragma once

#include <cstdint>
#include <optional>

#include "reader/row.hpp"
#include "store/database.hpp"

namespace nod::collector {

struct Overview {
    std::uint64_t rows = 0;
    std::optional<Micros> oldest_start;
};

// O(days + one day's rows): the count from the day totals, the oldest start from the oldest day's rows.
Overview read_overview(const store::Database& db);

}  // namespace nod::collector
