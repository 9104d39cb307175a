#include "queries/stats.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <unordered_map>

#include "queries/name_pieces.hpp"
#include "queries/names.hpp"
#include "store/totals.hpp"

namespace nod::queries {

namespace {

using KindAccumulators = std::array<DenseAccumulator, kind_count>;

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
    for_each_name_piece(db, request.window, days, &chosen_names,
                        [&](store::Day, int kind, std::int64_t name_id, const NamePiece& piece) {
                            auto found = accumulators.find(pair_key(kind, name_id));
                            if (found != accumulators.end()) piece.add_to(found->second);
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
        for_each_name_piece(db, request.window, result.days, filtered ? &names : nullptr,
                            [&](store::Day, int kind, std::int64_t name_id, const NamePiece& piece) {
                                if (!known_kind(kind)) return;
                                if (filtered) piece.add_to(kinds[static_cast<std::size_t>(kind)]);
                                if (!request.group_by_name) return;
                                GroupOrder& group = light[pair_key(kind, name_id)];
                                group.kind = kind;
                                group.name_id = name_id;
                                group.count += piece.count();
                                group.total_us += piece.total_us();
                            });
        if (request.group_by_name)
            result.names = figures_of(db, request, result.days, choose_groups(light, names, request));
    }
    for (int kind = 0; kind < kind_count; ++kind)
        result.kinds.push_back({static_cast<Kind>(kind), kinds[static_cast<std::size_t>(kind)].figures()});
    return result;
}

}  // namespace nod::queries
