#include "queries/stats.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <unordered_map>

#include "queries/name_days.hpp"
#include "queries/names.hpp"
#include "store/totals.hpp"

namespace nod::queries {

namespace {

using KindAccumulators = std::array<DenseAccumulator, kind_count>;
// A statement positioned on an aggregate row, with the column where kind, name_id and the figures start.
using RowVisitor = std::function<void(const store::sql::Statement&, int kind_column, int name_column, int figures)>;

// Above this many matching names one scan of name_totals beats a lookup per name.
constexpr std::size_t lookup_limit = 2000;

bool known_kind(std::int64_t kind) { return kind >= 0 && kind < kind_count; }

std::int64_t pair_key(std::int64_t kind, std::int64_t name_id) { return (kind << 40) | name_id; }

KindAccumulators kind_totals(const store::Database& db, DayRange days) {
    KindAccumulators totals;
    auto statement = db.prepare(std::string("SELECT kind, ") + store::figure_columns +
                                " FROM day_totals WHERE day BETWEEN ?1 AND ?2");
    statement.bind(1, std::int64_t{days.first}).bind(2, std::int64_t{days.last});
    while (statement.step()) {
        auto kind = statement.column_int(0);
        if (known_kind(kind)) totals[static_cast<std::size_t>(kind)].add_columns(statement, 1);
    }
    return totals;
}

// Visits the name_totals rows of the given names (all names when `names` is null).
void visit_name_totals(const store::Database& db, const NameMap* names, const RowVisitor& visit) {
    std::string columns = std::string("SELECT kind, name_id, ") + store::figure_columns + " FROM name_totals";
    if (names != nullptr && names->size() < lookup_limit) {
        auto lookup = db.prepare(columns + " WHERE kind = ?1 AND name_id = ?2");
        for (int kind = 0; kind < kind_count; ++kind) {
            for (const auto& entry : *names) {
                lookup.bind(1, std::int64_t{kind}).bind(2, entry.first);
                if (lookup.step()) visit(lookup, 0, 1, 2);
                lookup.reset();
            }
        }
        return;
    }
    auto scan = db.prepare(columns);
    while (scan.step())
        if (names == nullptr || names->contains(scan.column_int(1))) visit(scan, 0, 1, 2);
}

// Visits the aggregate rows per name of the window: name_totals for all time, else name_day_totals.
void visit_names(const store::Database& db, const Window& window, DayRange days, const NameMap* names,
                 const RowVisitor& visit) {
    if (window.unit == Window::Unit::all)
        visit_name_totals(db, names, visit);
    else
        for_each_name_day(db, days, names, [&](const store::sql::Statement& row) { visit(row, 1, 2, 3); });
}

struct GroupOrder {
    int kind = 0;
    std::int64_t name_id = 0;
    std::uint64_t count = 0;
    std::int64_t total_us = 0;
    const std::string* name = nullptr;
};

bool sorts_before(const GroupOrder& a, const GroupOrder& b, SortBy sort) {
    if (sort == SortBy::count && a.count != b.count) return a.count > b.count;
    if (sort == SortBy::time && a.total_us != b.total_us) return a.total_us > b.total_us;
    return *a.name < *b.name;
}

// Per kind, the groups to report in order: sorted on count and total alone (no histogram needed), cut to
// `limit`.
std::vector<GroupOrder> choose_groups(const std::unordered_map<std::int64_t, GroupOrder>& light,
                                      const NameMap& names, const StatsRequest& request) {
    std::array<std::vector<GroupOrder>, kind_count> per_kind;
    for (const auto& [key, group] : light) {
        auto name = names.find(group.name_id);
        if (name == names.end()) continue;
        GroupOrder named = group;
        named.name = &name->second;
        per_kind[static_cast<std::size_t>(group.kind)].push_back(named);
    }
    std::vector<GroupOrder> chosen;
    for (auto& groups : per_kind) {
        auto by_order = [&](const GroupOrder& a, const GroupOrder& b) { return sorts_before(a, b, request.sort); };
        std::size_t keep = request.limit == 0 ? groups.size() : std::min(request.limit, groups.size());
        std::partial_sort(groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(keep), groups.end(), by_order);
        chosen.insert(chosen.end(), groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(keep));
    }
    return chosen;
}

// The full figures (with percentiles) of the chosen groups only: a second, narrow read.
std::vector<NameFigures> figures_of(const store::Database& db, const StatsRequest& request, DayRange days,
                                    const std::vector<GroupOrder>& chosen) {
    NameMap chosen_names;
    std::unordered_map<std::int64_t, SparseAccumulator> accumulators;
    for (const GroupOrder& group : chosen) {
        chosen_names.emplace(group.name_id, *group.name);
        accumulators[pair_key(group.kind, group.name_id)];
    }
    visit_names(db, request.window, days, &chosen_names,
                [&](const store::sql::Statement& row, int kind_column, int name_column, int figures) {
                    auto found = accumulators.find(pair_key(row.column_int(kind_column), row.column_int(name_column)));
                    if (found != accumulators.end()) found->second.add_columns(row, figures);
                });
    std::vector<NameFigures> result;
    for (const GroupOrder& group : chosen)
        result.push_back({static_cast<Kind>(group.kind), *group.name,
                          accumulators[pair_key(group.kind, group.name_id)].figures()});
    return result;
}

}  // namespace

StatsResult stats(const store::Database& db, const StatsRequest& request, Micros now) {
    StatsResult result;
    result.days = resolve(db, request.window, now);
    bool filtered = !request.name_filter.empty();
    KindAccumulators kinds;
    if (!filtered) kinds = kind_totals(db, result.days);
    if (filtered || request.group_by_name) {
        NameMap names = matching_names(db, request.name_filter);
        // One pass: the filtered kind totals, and count and total per name for choosing the groups.
        std::unordered_map<std::int64_t, GroupOrder> light;
        visit_names(db, request.window, result.days, filtered ? &names : nullptr,
                    [&](const store::sql::Statement& row, int kind_column, int name_column, int figures) {
                        std::int64_t kind = row.column_int(kind_column);
                        if (!known_kind(kind)) return;
                        if (filtered) kinds[static_cast<std::size_t>(kind)].add_columns(row, figures);
                        if (!request.group_by_name) return;
                        std::int64_t name_id = row.column_int(name_column);
                        GroupOrder& group = light[pair_key(kind, name_id)];
                        group.kind = static_cast<int>(kind);
                        group.name_id = name_id;
                        group.count += static_cast<std::uint64_t>(row.column_int(figures));
                        group.total_us += row.column_int(figures + 4);
                    });
        if (request.group_by_name)
            result.names = figures_of(db, request, result.days, choose_groups(light, names, request));
    }
    for (int kind = 0; kind < kind_count; ++kind)
        result.kinds.push_back({static_cast<Kind>(kind), kinds[static_cast<std::size_t>(kind)].figures()});
    return result;
}

}  // namespace nod::queries
