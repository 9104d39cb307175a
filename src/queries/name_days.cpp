#include "queries/name_days.hpp"

#include "store/totals.hpp"

namespace nod::queries {

namespace {

// Lookups cost about as much as a few scanned rows each; past this many a scan of the window wins.
constexpr std::int64_t lookup_budget = 50'000;

void scan_window(const store::Database& db, DayRange days, const NameMap* names,
                 const std::function<void(const store::sql::Statement&)>& visit) {
    auto scan = db.prepare(std::string("SELECT day, kind, name_id, ") + store::figure_columns +
                           " FROM name_day_totals WHERE day BETWEEN ?1 AND ?2");
    scan.bind(1, std::int64_t{days.first}).bind(2, std::int64_t{days.last});
    while (scan.step()) {
        if (names == nullptr || names->contains(scan.column_int(2))) visit(scan);
    }
}

// Per name and kind: one primary-key lookup per day that has rows of the kind (CROSS JOIN fixes that
// order: left to itself the planner scans the whole window of name_day_totals instead).
void look_up_names(const store::Database& db, DayRange days, const NameMap& names,
                   const std::function<void(const store::sql::Statement&)>& visit) {
    auto lookup = db.prepare("SELECT n.day, n.kind, n.name_id, " + store::figure_columns_of("n") +
                             " FROM day_totals AS d CROSS JOIN name_day_totals AS n"
                             " ON n.day = d.day AND n.kind = d.kind AND n.name_id = ?2"
                             " WHERE d.kind = ?1 AND d.day BETWEEN ?3 AND ?4");
    for (const auto& entry : names) {
        for (int kind = 0; kind < kind_count; ++kind) {
            lookup.bind(1, std::int64_t{kind}).bind(2, entry.first);
            lookup.bind(3, std::int64_t{days.first}).bind(4, std::int64_t{days.last});
            while (lookup.step()) visit(lookup);
            lookup.reset();
        }
    }
}

}  // namespace

void for_each_name_day(const store::Database& db, DayRange days, const NameMap* names,
                       const std::function<void(const store::sql::Statement&)>& visit) {
    std::int64_t lookups = names == nullptr ? INT64_MAX
                                            : static_cast<std::int64_t>(names->size()) * kind_count *
                                                  (std::int64_t{days.last} - days.first + 1);
    if (lookups <= lookup_budget)
        look_up_names(db, days, *names, visit);
    else
        scan_window(db, days, names, visit);
}

}  // namespace nod::queries
