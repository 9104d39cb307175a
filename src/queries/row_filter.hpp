// Filters on what only the rows know: who a row is for and whether root vouched for it. A query with one
// reads the rows of its window through the covering index rows_by_day (which holds both), over all time
// too: the aggregates do not keep them apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite.hpp"

namespace nod::queries {

struct RowFilter {
    std::optional<std::uint32_t> user;  // only rows for this uid
    bool trusted_only = false;          // only rows a root connection reported (the daemon, root's Nix)

    bool any() const { return user.has_value() || trusted_only; }
};

// The filter as SQL on the rows alias `r`, with parameters ?90 and ?91 (bind_row_filter binds them); true
// when the filter is empty.
inline constexpr const char* row_filter_sql = "(?90 IS NULL OR r.user = ?90) AND (?91 = 0 OR (r.flags & 1) = 1)";

inline void bind_row_filter(store::sql::Statement& statement, const RowFilter& filter) {
    if (filter.user)
        statement.bind(90, std::int64_t{*filter.user});
    else
        statement.bind_null(90);
    statement.bind(91, std::int64_t{filter.trusted_only ? 1 : 0});
}

}  // namespace nod::queries
