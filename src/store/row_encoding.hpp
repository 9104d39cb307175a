// Two columns of `rows` are stored relative to others so that SQLite's variable-length integers stay short
// (SQLite needs 8 bytes for a µs timestamp, 8 for a typical activity id):
// - start_offset = start - day * 86,400,000,000: µs since the UTC midnight that begins the local `day`
//   number, within about ±2 days: 6 bytes instead of 8.
// - activity_bits = activity_id XOR (pid << 32): Nix makes ids as (origin pid << 32 | counter), so for
//   rows reported by their origin process the pid cancels out and only the counter is stored.
// Both transforms are exact and their own inverse given the row's day and pid.
// - flags: bit 0 trusted (a root connection reported the row), bit 1 origin (its id's origin did).
#pragma once

#include <cstdint>

#include "reader/row.hpp"
#include "store/calendar.hpp"

namespace nod::store {

inline constexpr std::int64_t micros_per_day = 86'400'000'000LL;

inline std::int64_t encode_start(Micros start, Day day) { return start - std::int64_t{day} * micros_per_day; }
inline Micros decode_start(std::int64_t offset, Day day) { return offset + std::int64_t{day} * micros_per_day; }

inline std::int64_t encode_activity(std::uint64_t activity_id, std::int32_t pid) {
    return static_cast<std::int64_t>(activity_id ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 32));
}
inline std::uint64_t decode_activity(std::int64_t bits, std::int32_t pid) {
    return static_cast<std::uint64_t>(bits) ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 32);
}

inline constexpr std::int64_t flag_trusted = 1, flag_origin = 2;

inline std::int64_t encode_flags(const Row& row) {
    return (row.trusted ? flag_trusted : 0) | (row.origin ? flag_origin : 0);
}
inline void decode_flags(std::int64_t flags, Row& row) {
    row.trusted = (flags & flag_trusted) != 0;
    row.origin = (flags & flag_origin) != 0;
}

}  // namespace nod::store
