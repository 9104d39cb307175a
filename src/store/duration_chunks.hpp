// The exact durations of one kind on one day, as the table day_durations keeps them: chunks of at most
// durations_per_chunk values, each sorted and stored as varint deltas. A chunk is small enough to stay on
// its B-tree page, so a commit rewrites a few hundred bytes; a window of days is read in a few thousand
// blobs instead of one index entry per row. Pure functions, no SQLite.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reader/row.hpp"

namespace nod::store {

inline constexpr std::size_t durations_per_chunk = 256;

// `sorted` ascending. The first value is zigzag-encoded (a clock step can make a duration negative), the
// others are the differences to the one before.
std::vector<std::uint8_t> encode_durations(std::span<const Micros> sorted);
// Appends the values of a chunk to `out`, ascending; throws Error(not_a_database) on a malformed blob.
void decode_durations(std::span<const std::uint8_t> blob, std::vector<Micros>& out);

// Removes from `chunk` one occurrence of every value of `pending` it holds, and those values from
// `pending`. Both sorted ascending, and they stay sorted. Returns whether `chunk` changed.
bool remove_durations(std::vector<Micros>& chunk, std::vector<Micros>& pending);

}  // namespace nod::store
