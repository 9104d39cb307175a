#include "queries/stats.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <iterator>
#include <map>
#include <unordered_map>

#include "queries/dense_ids.hpp"
#include "queries/name_pieces.hpp"
#include "queries/names.hpp"
#include "store/totals.hpp"

namespace nod::queries {

namespace {

using KindAccumulators = std::array<DenseAccumulator, kind_count>;

bool known_kind(std::int64_t kind) { return kind >= 0 && kind < kind_count; }

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

// The count and total of every (kind, name) group, by name id in a dense table per kind: grouping over a
// window visits every row.
class LightGroups {
public:
    GroupOrder& at(int kind, std::int64_t name_id) {
        GroupOrder& group = groups_[static_cast<std::size_t>(kind)][name_id];
        group.kind = kind;
        group.name_id = name_id;
        return group;
    }
    template <typename F>
    void for_each(F f) const {
        for (const auto& groups : groups_)
            for (const auto& entry : groups) f(entry.second);
    }

private:
    std::array<DenseIdMap<GroupOrder>, kind_count> groups_;
};

bool sorts_before(const GroupOrder& a, const GroupOrder& b, SortBy sort) {
    if (sort == SortBy::count && a.count != b.count) return a.count > b.count;
    if (sort == SortBy::time && a.total_us != b.total_us) return a.total_us > b.total_us;
    return *a.name < *b.name;
}

// Per kind, the groups to report in order: sorted on count and total alone (no histogram needed), cut to
// `limit`.
std::vector<GroupOrder> choose_groups(const LightGroups& light, const NameMap& names,
                                      const StatsRequest& request) {
    std::array<std::vector<GroupOrder>, kind_count> per_kind;
    light.for_each([&](const GroupOrder& group) {
        auto name = names.find(group.name_id);
        if (name == names.end()) return;
        GroupOrder named = group;
        named.name = &name->second;
        per_kind[static_cast<std::size_t>(group.kind)].push_back(named);
    });
    std::vector<GroupOrder> chosen;
    for (auto& groups : per_kind) {
        auto by_order = [&](const GroupOrder& a, const GroupOrder& b) {
            return sorts_before(a, b, request.sort);
        };
        std::size_t keep = request.limit == 0 ? groups.size() : std::min(request.limit, groups.size());
        std::partial_sort(groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(keep), groups.end(),
                          by_order);
        chosen.insert(chosen.end(), groups.begin(), groups.begin() + static_cast<std::ptrdiff_t>(keep));
    }
    return chosen;
}

// The full figures (with percentiles) of the chosen groups only: a second, narrow read.
std::vector<NameFigures> figures_of(const store::Database& db, const StatsRequest& request, DayRange days,
                                    const PendingNames* pending, const std::vector<GroupOrder>& chosen) {
    NameMap chosen_names;
    std::unordered_map<std::uint64_t, SparseAccumulator> accumulators;
    for (const GroupOrder& group : chosen) {
        chosen_names.emplace(group.name_id, *group.name);
        accumulators[store::pack_kind_name(group.kind, group.name_id)];
    }
    for_each_name_piece(db, request.window, days, &chosen_names, request.filter, pending,
                        [&](store::Day, int kind, std::int64_t name_id, const NamePiece& piece) {
                            if (!store::packable(kind, name_id)) return;
                            auto found = accumulators.find(store::pack_kind_name(kind, name_id));
                            if (found != accumulators.end()) piece.add_to(found->second);
                        });
    std::vector<NameFigures> result;
    for (const GroupOrder& group : chosen)
        result.push_back({static_cast<Kind>(group.kind), *group.name,
                          accumulators[store::pack_kind_name(group.kind, group.name_id)].figures()});
    return result;
}

// Per name: ranks every (kind, name) by count and total in one pass (which also gives the filtered kind
// totals), then reads the full figures of the chosen ones.
void group_by_name(const store::Database& db, const StatsRequest& request, const NameMap& names, bool filtered,
                   KindAccumulators& kinds, StatsResult& result) {
    LightGroups light;
    std::optional<PendingNames> pending;
    if (request.window.unit == Window::Unit::all && !request.filter.any()) pending.emplace(db);
    const PendingNames* pending_names = pending ? &*pending : nullptr;
    bool count_kinds = filtered || request.filter.any();
    for_each_name_piece(db, request.window, result.days, filtered ? &names : nullptr, request.filter,
                        pending_names, [&](store::Day, int kind, std::int64_t name_id, const NamePiece& piece) {
                            if (!known_kind(kind) || !store::packable(kind, name_id)) return;
                            if (count_kinds) piece.add_to(kinds[static_cast<std::size_t>(kind)]);
                            if (request.group_by != GroupBy::name) return;
                            GroupOrder& group = light.at(kind, name_id);
                            group.count += piece.count();
                            group.total_us += piece.total_us();
                        });
    if (request.group_by == GroupBy::name)
        result.names = figures_of(db, request, result.days, pending_names, choose_groups(light, names, request));
}

// Per user, machine or substituter: they are few, so one pass over the window's rows gives every group's
// full figures.
void group_by_row_label(const store::Database& db, const StatsRequest& request, const NameMap& names, bool filtered,
                        KindAccumulators& kinds, StatsResult& result) {
    const bool by_user = request.group_by == GroupBy::user;
    std::map<std::pair<int, std::int64_t>, SparseAccumulator> groups;
    for_each_name_row(db, result.days, filtered ? &names : nullptr, request.filter,
                      [&](store::Day, int kind, std::int64_t, const NamePiece& piece) {
                          if (!known_kind(kind)) return;
                          if (filtered || request.filter.any()) piece.add_to(kinds[static_cast<std::size_t>(kind)]);
                          if (request.group_by == GroupBy::substituter && kind != static_cast<int>(Kind::substitute))
                              return;
                          std::int64_t label =
                              by_user ? std::int64_t{piece.user().value_or(0)} : piece.machine_id().value_or(this_machine_id);
                          piece.add_to(groups[{kind, label}]);
                      });
    NameMap machines;
    if (!by_user) machines = machine_names(db);
    std::array<std::vector<NameFigures>, kind_count> per_kind;
    for (const auto& [key, accumulator] : groups) {
        std::string label = by_user ? std::to_string(key.second) : machines[key.second];
        per_kind[static_cast<std::size_t>(key.first)].push_back({static_cast<Kind>(key.first), label, accumulator.figures()});
    }
    for (auto& rows : per_kind) {
        auto before = [&](const NameFigures& a, const NameFigures& b) {
            if (request.sort == SortBy::count && a.figures.count != b.figures.count)
                return a.figures.count > b.figures.count;
            if (request.sort == SortBy::time && a.figures.total_seconds != b.figures.total_seconds)
                return a.figures.total_seconds > b.figures.total_seconds;
            if (by_user) return std::stoull(a.name) < std::stoull(b.name);  // uids in numeric order
            return a.name < b.name;
        };
        std::sort(rows.begin(), rows.end(), before);
        if (request.limit != 0 && rows.size() > request.limit) rows.resize(request.limit);
        std::move(rows.begin(), rows.end(), std::back_inserter(result.names));
    }
}

}  // namespace

StatsResult stats(const store::Database& db, const StatsRequest& request, Micros now) {
    // One snapshot for every read: a fold that commits meanwhile moves sums from name_pending to
    // name_totals, and reading one before and the other after would lose or double them.
    store::sql::Transaction snapshot(db.handle(), db.context(), false);
    StatsResult result;
    result.days = resolve(db, request.window, now);
    bool filtered = !request.name_filter.empty();
    KindAccumulators kinds;
    if (!filtered && !request.filter.any()) kinds = kind_totals(db, result.days);
    NameMap names;
    if (filtered || request.group_by == GroupBy::name) names = matching_names(db, request.name_filter);
    if (request.group_by == GroupBy::user || request.group_by == GroupBy::machine ||
        request.group_by == GroupBy::substituter)
        group_by_row_label(db, request, names, filtered, kinds, result);
    else if (filtered || request.filter.any() || request.group_by == GroupBy::name)
        group_by_name(db, request, names, filtered, kinds, result);
    for (int kind = 0; kind < kind_count; ++kind)
        result.kinds.push_back({static_cast<Kind>(kind), kinds[static_cast<std::size_t>(kind)].figures()});
    snapshot.commit();
    return result;
}

}  // namespace nod::queries
