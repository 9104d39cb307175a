// `clean`: delete all history, or the rows older than the last N days, with their aggregates.
// Needs the writer (the collector's Store): SQLite allows one writer, and the aggregates must change in the
// same transactions as the rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "reader/row.hpp"
#include "store/calendar.hpp"
#include "store/store.hpp"

namespace nod::queries {

struct CleanRequest {
    // Delete the rows from before the last `before_days` local days (today counts as one, so 0 deletes
    // today's too); empty = delete everything.
    std::optional<int> before_days{};
    // Rows per transaction when deleting by age, so the write lock is never held long.
    std::size_t chunk = 1000;
};

// The first day a clean by age keeps (every older row goes); empty when everything goes. Throws
// InvalidArgument for before_days < 0.
std::optional<store::Day> clean_cutoff(const CleanRequest& request, Micros now);

// The whole clean at once. Returns how many rows went. Throws InvalidArgument for before_days < 0,
// store::Error on database failure (rows deleted by chunks committed before the failure stay deleted).
// The collector runs it a chunk at a time instead (clean_cutoff, Store::prune_before).
std::uint64_t clean(store::Store& store, const CleanRequest& request, Micros now);

}  // namespace nod::queries
