#include "collector/oldest_row.hpp"

#include "store/row_reader.hpp"

namespace nod::collector {

std::optional<Micros> oldest_row_start(const store::Database& db) {
    auto first_day = db.prepare("SELECT min(day) FROM day_totals");
    if (!first_day.step() || first_day.column_is_null(0)) return std::nullopt;
    auto day = static_cast<store::Day>(first_day.column_int(0));
    std::optional<Micros> oldest;
    store::for_each_row(
        db,
        [&](const store::StoredRow& r) {
            if (!oldest || r.row.start < *oldest) oldest = r.row.start;
        },
        day, day);
    return oldest;
}

}  // namespace nod::collector
