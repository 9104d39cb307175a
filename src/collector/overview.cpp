#include "collector/overview.hpp"

#include "store/row_reader.hpp"

namespace nod::collector {

Overview read_overview(const store::Database& db) {
    Overview o;
    auto totals = db.prepare("SELECT coalesce(sum(count), 0), min(day) FROM day_totals");
    if (!totals.step()) return o;
    o.rows = static_cast<std::uint64_t>(totals.column_int(0));
    if (totals.column_is_null(1)) return o;
    // Only the oldest day's rows are read: one day of history, whatever the total.
    auto oldest_day = static_cast<store::Day>(totals.column_int(1));
    store::for_each_row(
        db,
        [&](const store::StoredRow& r) {
            if (!o.oldest_start || r.row.start < *o.oldest_start) o.oldest_start = r.row.start;
        },
        oldest_day, oldest_day);
    return o;
}

}  // namespace nod::collector
