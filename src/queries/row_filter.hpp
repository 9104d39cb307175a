// Filters on what only the rows know: who a row is for and whether root vouched for it. A query with one
// reads the rows of its window through the covering index rows_by_day (which holds both), over all time
// too: the aggregates do not keep them apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reader/row.hpp"
#include "store/sqlite.hpp"

namespace nod::queries {

struct RowFilter {
    std::optional<std::uint32_t> user;  // only rows for this uid
    bool trusted_only = false;          // only rows a root connection reported (the daemon, root's Nix)
    // Only rows of this machine: the remote builder of a build, the substituter of a substitution, the
    // peer of a copy; "" for this machine.
    std::optional<std::string> machine = std::nullopt;
    bool substitutions_only = false;  // with `machine`: a substituter (--substituter)

    bool any() const { return user.has_value() || trusted_only || machine.has_value(); }
};

// The filter as SQL on the rows alias `r`, with parameters ?90 to ?93 (bind_row_filter binds them); true
// when the filter is empty. A machine nod never saw matches no row (the subquery is NULL).
inline constexpr const char* row_filter_sql =
    "(?90 IS NULL OR r.user = ?90) AND (?91 = 0 OR (r.flags & 1) = 1) AND (?92 IS NULL OR (?92 = '' AND "
    "r.machine_id IS NULL) OR r.machine_id = (SELECT id FROM machines WHERE machine = ?92)) AND (?93 = 0 OR "
    "r.kind = 1)";

static_assert(static_cast<int>(Kind::substitute) == 1, "row_filter_sql's ?93 names substitutions as kind 1");

inline void bind_row_filter(store::sql::Statement& statement, const RowFilter& filter) {
    if (filter.user)
        statement.bind(90, std::int64_t{*filter.user});
    else
        statement.bind_null(90);
    statement.bind(91, std::int64_t{filter.trusted_only ? 1 : 0});
    if (filter.machine)
        statement.bind(92, std::string_view(*filter.machine));
    else
        statement.bind_null(92);
    statement.bind(93, std::int64_t{filter.machine && filter.substitutions_only ? 1 : 0});
}

}  // namespace nod::queries
