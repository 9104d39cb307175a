#include "queries/name_pieces.hpp"

#include <algorithm>
#include <vector>

#include "queries/dense_ids.hpp"
#include "store/name_deltas.hpp"
#include "store/totals.hpp"

namespace nod::queries {

namespace {

// Above this many matching names one scan of name_totals beats a lookup per name.
constexpr std::size_t name_lookup_limit = 2000;
// Index lookups for a window cost about as much as a few scanned rows each; past this many one scan of the
// window's index entries wins.
constexpr std::int64_t row_lookup_budget = 50'000;

constexpr const char* row_columns =
    "r.day, r.kind, r.name_id, r.duration, r.outcome, r.bytes, r.download_bytes, r.user, r.cpu_user_us, "
    "r.cpu_system_us, r.machine_id";

// Membership by name id for scans that test every row (all names when `names` is null).
class NameSet {
public:
    explicit NameSet(const NameMap* names) : all_(names == nullptr) {
        if (!all_)
            for (const auto& entry : *names) ids_[entry.first] = true;
    }
    bool contains(std::int64_t id) const { return all_ || ids_.contains(id); }

private:
    bool all_;
    DenseIdMap<bool> ids_;
};

void visit_name_totals(const store::Database& db, const NameMap* names, const NamePieceVisitor& visit) {
    std::string columns = std::string("SELECT kind, name_id, ") + store::figure_columns + " FROM name_totals";
    auto visit_row = [&](const store::sql::Statement& row) {
        visit(0, static_cast<int>(row.column_int(0)), row.column_int(1), NamePiece::aggregate_row(row, 2));
    };
    if (names != nullptr && names->size() < name_lookup_limit) {
        auto lookup = db.prepare(columns + " WHERE kind = ?1 AND name_id = ?2");
        for (int kind = 0; kind < kind_count; ++kind) {
            for (const auto& entry : *names) {
                lookup.bind(1, std::int64_t{kind}).bind(2, entry.first);
                if (lookup.step()) visit_row(lookup);
                lookup.reset();
            }
        }
        return;
    }
    auto scan = db.prepare(columns);
    NameSet wanted(names);
    while (scan.step())
        if (wanted.contains(scan.column_int(1))) visit_row(scan);
}

void visit_row(const store::sql::Statement& row, const NamePieceVisitor& visit) {
    visit(static_cast<store::Day>(row.column_int(0)), static_cast<int>(row.column_int(1)), row.column_int(2),
          NamePiece::row(row, 3));
}

// One range of the index (day, kind, ...).
void scan_rows(const store::Database& db, DayRange days, const NameMap* names, const RowFilter& filter,
               const NamePieceVisitor& visit) {
    auto scan = db.prepare(std::string("SELECT ") + row_columns +
                           " FROM rows AS r INDEXED BY rows_by_day WHERE r.day BETWEEN ?1 AND ?2 AND " +
                           row_filter_sql);
    scan.bind(1, std::int64_t{days.first}).bind(2, std::int64_t{days.last});
    bind_row_filter(scan, filter);
    NameSet wanted(names);
    while (scan.step())
        if (wanted.contains(scan.column_int(2))) visit_row(scan, visit);
}

// Per name and kind: one index lookup per day that has rows of the kind (CROSS JOIN fixes that order: left to
// itself the planner walks every entry of the window instead).
void look_up_rows(const store::Database& db, DayRange days, const NameMap& names, const RowFilter& filter,
                  const NamePieceVisitor& visit) {
    auto lookup = db.prepare(std::string("SELECT ") + row_columns +
                             " FROM day_totals AS d CROSS JOIN rows AS r INDEXED BY rows_by_day"
                             " ON r.day = d.day AND r.kind = d.kind AND r.name_id = ?2"
                             " WHERE d.kind = ?1 AND d.day BETWEEN ?3 AND ?4 AND " + std::string(row_filter_sql));
    for (const auto& entry : names) {
        for (int kind = 0; kind < kind_count; ++kind) {
            lookup.bind(1, std::int64_t{kind}).bind(2, entry.first);
            lookup.bind(3, std::int64_t{days.first}).bind(4, std::int64_t{days.last});
            bind_row_filter(lookup, filter);
            while (lookup.step()) visit_row(lookup, visit);
            lookup.reset();
        }
    }
}

}  // namespace

std::optional<Micros> NamePiece::duration() const {
    if (statement_->column_is_null(first_)) return std::nullopt;
    return statement_->column_int(first_);
}

// The light pass of a grouped query reads only these two figures of the many groups it ranks.
std::uint64_t NamePiece::count() const {
    switch (source_) {
        case Source::totals: return totals_->count;
        case Source::aggregate_row: return static_cast<std::uint64_t>(statement_->column_int(first_));
        case Source::row: return 1;
    }
    return 0;
}

std::int64_t NamePiece::total_us() const {
    switch (source_) {
        case Source::totals: return totals_->total_us;
        case Source::aggregate_row: return statement_->column_int(first_ + 4);
        case Source::row: return duration().value_or(0);
    }
    return 0;
}

std::optional<std::uint32_t> NamePiece::user() const {
    if (source_ != Source::row) return std::nullopt;
    return static_cast<std::uint32_t>(statement_->column_int(first_ + 4));
}

std::optional<std::int64_t> NamePiece::machine_id() const {
    if (source_ != Source::row || statement_->column_is_null(first_ + 7)) return std::nullopt;
    return statement_->column_int(first_ + 7);
}

template <typename Histogram>
void NamePiece::add_to(Accumulator<Histogram>& accumulator) const {
    switch (source_) {
        case Source::totals: accumulator.add(*totals_); return;
        case Source::aggregate_row: accumulator.add_columns(*statement_, first_); return;
        case Source::row: {
            auto cpu = [&](int column) {
                return statement_->column_is_null(column)
                           ? std::nullopt
                           : std::optional(static_cast<std::uint64_t>(statement_->column_int(column)));
            };
            accumulator.add_row(duration(), static_cast<Outcome>(statement_->column_int(first_ + 1)),
                                static_cast<std::uint64_t>(statement_->column_int(first_ + 2)),
                                static_cast<std::uint64_t>(statement_->column_int(first_ + 3)), cpu(first_ + 5),
                                cpu(first_ + 6));
            return;
        }
    }
}

template void NamePiece::add_to(SparseAccumulator&) const;
template void NamePiece::add_to(DenseAccumulator&) const;

void for_each_name_row(const store::Database& db, DayRange days, const NameMap* names, const RowFilter& filter,
                       const NamePieceVisitor& visit) {
    std::int64_t lookups = names == nullptr ? INT64_MAX
                                            : static_cast<std::int64_t>(names->size()) * kind_count *
                                                  (std::int64_t{days.last} - days.first + 1);
    if (lookups <= row_lookup_budget)
        look_up_rows(db, days, *names, filter, visit);
    else
        scan_rows(db, days, names, filter, visit);
}

PendingNames::PendingNames(const store::Database& db) {
    auto pending = db.prepare("SELECT format, deltas FROM name_pending ORDER BY seq");
    while (pending.step()) {
        std::int64_t format = pending.column_int(0);
        store::check_name_delta_format(format);
        auto blob = pending.column_blob(1);
        blobs_.push_back({format, {blob.begin(), blob.end()}});
        const auto& kept = blobs_.back().bytes;
        int kind = 0;
        std::int64_t name_id = 0;
        store::EncodedTotals totals;
        for (std::size_t pos = 0; pos < kept.size();) {
            auto offset = static_cast<std::uint32_t>(pos);
            store::decode_name_delta(kept, format, pos, kind, name_id, totals);
            entries_.push_back({name_id, static_cast<std::uint32_t>(blobs_.size() - 1), offset});
        }
    }
}

void PendingNames::visit(const NameMap* names, const NamePieceVisitor& visit) const {
    NameSet wanted(names);
    int kind = 0;
    std::int64_t name_id = 0;
    store::EncodedTotals totals;
    for (const Entry& entry : entries_) {
        if (!wanted.contains(entry.name_id)) continue;
        std::size_t pos = entry.offset;
        const Blob& blob = blobs_[entry.blob];
        store::decode_name_delta(blob.bytes, blob.format, pos, kind, name_id, totals);
        visit(0, kind, name_id, NamePiece::aggregate(totals));
    }
}

void for_each_name_piece(const store::Database& db, const Window& window, DayRange days, const NameMap* names,
                         const RowFilter& filter, const PendingNames* pending, const NamePieceVisitor& visit) {
    if (window.unit != Window::Unit::all || filter.any()) {
        for_each_name_row(db, days, names, filter, visit);
        return;
    }
    visit_name_totals(db, names, visit);
    if (pending != nullptr)
        pending->visit(names, visit);
    else
        PendingNames(db).visit(names, visit);
}

}  // namespace nod::queries
