// `bucket`: the stats figures per day, ISO week or calendar month over a window, every bucket present
// (zeros where nothing ran). Reads day aggregates only: O(days) without a filter, O(days x names) with one.
#pragma once

#include <string>
#include <vector>

#include "queries/stats.hpp"

namespace nod::queries {

enum class BucketUnit { day, week, month };

struct BucketRequest {
    Window window{};
    BucketUnit unit = BucketUnit::day;
    std::string name_filter{};  // literal substring; empty = every row
    RowFilter filter{};
};

struct Bucket {
    DayRange days;                   // the bucket's days inside the window (the first and last may be partial)
    std::string label;               // "2026-11-25", "2026-W48" (ISO week) or "2026-11"
    std::vector<KindFigures> kinds;  // every kind, in Kind order
};

struct BucketResult {
    DayRange days;
    std::vector<Bucket> buckets;  // oldest first
};

// At most this many buckets in one answer (TooLarge past it): over 27 years by day.
inline constexpr std::size_t max_buckets = 10'000;

BucketResult bucket(const store::Database& db, const BucketRequest& request, Micros now);

}  // namespace nod::queries
