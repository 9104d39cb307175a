// The per-name data of a window, from wherever nod keeps it: over all time, name_totals plus the per-name
// sums not folded into it yet (store/name_deltas.hpp); over a window of days, the rows themselves, read
// through the covering index rows_by_day. Either way a group's pieces add up to exactly its rows.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "queries/figures.hpp"
#include "queries/names.hpp"
#include "queries/row_filter.hpp"
#include "queries/window.hpp"
#include "store/database.hpp"

namespace nod::queries {

// One piece of a (kind, name) group: an aggregate (a name_totals row, a pending sum) or a single row. It
// refers to the totals or statement it came from and is valid only during the visit.
class NamePiece {
public:
    static NamePiece aggregate(const store::EncodedTotals& totals) {
        return NamePiece(Source::totals, &totals, nullptr, 0);
    }
    // An aggregate row: store::figure_columns from `first` on, read only as far as needed.
    static NamePiece aggregate_row(const store::sql::Statement& statement, int first) {
        return NamePiece(Source::aggregate_row, nullptr, &statement, first);
    }
    // Columns from `first` on: duration, outcome, bytes, download_bytes, user, cpu_user_us, cpu_system_us,
    // machine_id.
    static NamePiece row(const store::sql::Statement& statement, int first) {
        return NamePiece(Source::row, nullptr, &statement, first);
    }

    std::uint64_t count() const;
    std::int64_t total_us() const;
    std::optional<std::uint32_t> user() const;  // who a single row is for; none for an aggregate
    std::optional<std::int64_t> machine_id() const;  // a single row's machine; none for this machine or an aggregate
    template <typename Histogram>
    void add_to(Accumulator<Histogram>& accumulator) const;

private:
    enum class Source { totals, aggregate_row, row };
    NamePiece(Source source, const store::EncodedTotals* totals, const store::sql::Statement* statement,
              int first)
        : source_(source), totals_(totals), statement_(statement), first_(first) {}
    std::optional<Micros> duration() const;

    Source source_;
    const store::EncodedTotals* totals_;      // Source::totals
    const store::sql::Statement* statement_;  // the others, with their columns from first_ on
    int first_;
};

// `day` is the row's day over a window, 0 over all time.
using NamePieceVisitor =
    std::function<void(store::Day day, int kind, std::int64_t name_id, const NamePiece& piece)>;

// The pending per-name sums (name_pending), read once for the passes of one query: a pass that wants only
// a few names decodes only their entries.
class PendingNames {
public:
    explicit PendingNames(const store::Database& db);
    void visit(const NameMap* names, const NamePieceVisitor& visit) const;

private:
    struct Entry {
        std::int64_t name_id;
        std::uint32_t blob;
        std::uint32_t offset;
    };
    struct Blob {
        std::int64_t format;  // store/name_deltas.hpp
        std::vector<std::uint8_t> bytes;
    };
    std::vector<Blob> blobs_;
    std::vector<Entry> entries_;
};

// Visits the pieces of every (kind, name) of the window with a name in `names` (every name when null):
// the aggregates when `window` is all time and `filter` is empty, else the rows of `days` that pass
// `filter`. Over all time it reads the pending sums itself unless `pending` gives them (read once for
// several passes). Call it inside one read transaction: name_totals and name_pending must come from the
// same snapshot.
void for_each_name_piece(const store::Database& db, const Window& window, DayRange days, const NameMap* names,
                         const RowFilter& filter, const PendingNames* pending, const NamePieceVisitor& visit);
// The rows of `days` only (bucket needs each row's day even when the window is all time).
void for_each_name_row(const store::Database& db, DayRange days, const NameMap* names, const RowFilter& filter,
                       const NamePieceVisitor& visit);

}  // namespace nod::queries
