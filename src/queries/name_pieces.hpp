// The per-name data of a window, from wherever nod keeps it: over all time, name_totals plus the per-name
// sums not folded into it yet (store/name_deltas.hpp); over a window of days, the rows themselves, read
// through the covering index rows_by_day. Either way a group's pieces add up to exactly its rows.
#pragma once

#include <functional>
#include <optional>

#include "queries/figures.hpp"
#include "queries/names.hpp"
#include "queries/window.hpp"
#include "store/database.hpp"

namespace nod::queries {

// One piece of a (kind, name) group: an aggregate (a name_totals row, a pending sum) or a single row. It
// refers to the statement or totals it came from and is valid only during the visit.
class NamePiece {
public:
    static NamePiece aggregate(const store::sql::Statement& statement, int figures);  // store::figure_columns
    static NamePiece totals(const store::Totals& totals);
    static NamePiece row(const store::sql::Statement& statement, int first);  // duration, outcome, bytes, download

    std::uint64_t count() const;
    std::int64_t total_us() const;
    template <typename Histogram>
    void add_to(Accumulator<Histogram>& accumulator) const;

private:
    enum class Source { aggregate, totals, row };
    NamePiece(Source source, const store::sql::Statement* statement, int first, const store::Totals* totals)
        : source_(source), statement_(statement), first_(first), totals_(totals) {}
    std::optional<Micros> duration() const;

    Source source_;
    const store::sql::Statement* statement_;
    int first_;
    const store::Totals* totals_;
};

// `day` is the row's day over a window, 0 over all time.
using NamePieceVisitor = std::function<void(store::Day day, int kind, std::int64_t name_id, const NamePiece& piece)>;

// Visits the pieces of every (kind, name) of the window with a name in `names` (every name when null):
// the aggregates when `window` is all time, else the rows of `days`.
void for_each_name_piece(const store::Database& db, const Window& window, DayRange days, const NameMap* names,
                         const NamePieceVisitor& visit);
// The rows of `days` only (bucket needs each row's day even when the window is all time).
void for_each_name_row(const store::Database& db, DayRange days, const NameMap* names, const NamePieceVisitor& visit);

}  // namespace nod::queries
