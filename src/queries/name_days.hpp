// Reading per-day, per-name aggregates (name_day_totals, keyed by day, kind, name) for a window,
// either for a few names by primary-key lookups or for many by one scan of the window's days.
#pragma once

#include <functional>

#include "queries/names.hpp"
#include "queries/window.hpp"
#include "store/database.hpp"

namespace nod::queries {

// Calls `visit` with a statement positioned on each name_day_totals row with a day in `days` and (when
// `names` is given) a name in it. Columns: 0 day, 1 kind, 2 name_id, 3... store::figure_columns.
void for_each_name_day(const store::Database& db, DayRange days, const NameMap* names,
                       const std::function<void(const store::sql::Statement&)>& visit);

}  // namespace nod::queries
