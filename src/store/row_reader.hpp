// Reads stored rows back as nod::Row (for recounts, exports and tests); not used on any hot path.
#pragma once

#include <cstdint>
#include <functional>

#include "reader/row.hpp"
#include "store/calendar.hpp"
#include "store/database.hpp"

namespace nod::store {

struct StoredRow {
    std::int64_t id = 0;
    Day day = 0;  // the local day the writer assigned
    Row row;
};

// Calls `visit` for every row with first_day <= day <= last_day, in id (insertion) order.
void for_each_row(const Database& db, const std::function<void(const StoredRow&)>& visit,
                  Day first_day = INT32_MIN, Day last_day = INT32_MAX);

}  // namespace nod::store
