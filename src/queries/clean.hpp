// `clean`: delete all history, or the rows older than the last N days, with their aggregates.
// Needs the writer (the collector's Store): SQLite allows one writer, and the aggregates must change in the
// same transactions as the rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "reader/row.hpp"
#include "store/store.hpp"

namespace nod::queries {

struct CleanRequest {
    // Keep the last `keep_days` local days (today counts as one); empty = delete everything.
    std::optional<int> keep_days{};
    // Rows per transaction when deleting by age, so the write lock is never held long.
    std::size_t chunk = 1000;
};

// Returns how many rows went. Throws InvalidArgument for keep_days < 0, store::Error on database failure
// (rows deleted by chunks committed before the failure stay deleted).
std::uint64_t clean(store::Store& store, const CleanRequest& request, Micros now);

}  // namespace nod::queries
