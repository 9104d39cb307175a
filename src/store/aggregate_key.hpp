// The key of an aggregate group — (day, kind, name) — and the one way nod packs it into a sortable integer
// (the writer's batch sums, the fold, the queries' group tables). Name ids are rowids of `names`, from 1 up:
// the writer refuses to intern a name beyond max_name_id, and readers refuse such ids as not nod's, so no
// packing ever truncates one.
#pragma once

#include <cstdint>

#include "store/calendar.hpp"

namespace nod::store {

// A key of any aggregate table; the fields a table does not have are ignored (and should be 0).
struct AggregateKey {
    int kind = 0;
    std::int64_t name_id = 0;
    Day day = 0;
    auto operator<=>(const AggregateKey&) const = default;
};

inline constexpr std::int64_t max_name_id = (std::int64_t{1} << 32) - 1;
inline constexpr int max_kind = 0xff;
// Days since 1970 from −2^23 to 2^23 − 1: ±22 000 years.
inline constexpr Day min_packed_day = -(Day{1} << 23), max_packed_day = (Day{1} << 23) - 1;

inline bool packable(int kind, std::int64_t name_id) {
    return kind >= 0 && kind <= max_kind && name_id >= 0 && name_id <= max_name_id;
}
inline bool packable(Day day, int kind, std::int64_t name_id) {
    return day >= min_packed_day && day <= max_packed_day && packable(kind, name_id);
}

// (kind, name) as kind:8 | name:32, in name_totals' key order. Requires packable(kind, name_id).
inline std::uint64_t pack_kind_name(int kind, std::int64_t name_id) {
    return (static_cast<std::uint64_t>(kind) << 32) | static_cast<std::uint64_t>(name_id);
}
inline AggregateKey unpack_kind_name(std::uint64_t packed) {
    return {static_cast<int>(packed >> 32), static_cast<std::int64_t>(packed & 0xffff'ffffULL), 0};
}

// (day, kind, name) as (day + 2^23):24 | kind:8 | name:32, in day_totals' key order, then by name.
// Requires packable(day, kind, name_id).
inline std::uint64_t pack_day_kind_name(Day day, int kind, std::int64_t name_id) {
    return (static_cast<std::uint64_t>(day - min_packed_day) << 40) | pack_kind_name(kind, name_id);
}
inline AggregateKey unpack_day_kind_name(std::uint64_t packed) {
    AggregateKey key = unpack_kind_name(packed & 0xff'ffff'ffffULL);
    key.day = static_cast<Day>(static_cast<std::int64_t>(packed >> 40) + min_packed_day);
    return key;
}
// The (kind, name) part of a packed (day, kind, name).
inline std::uint64_t kind_name_of(std::uint64_t day_kind_name) { return day_kind_name & 0xff'ffff'ffffULL; }
// The (day, kind) part, name 0.
inline std::uint64_t day_kind_of(std::uint64_t day_kind_name) { return day_kind_name & ~0xffff'ffffULL; }

}  // namespace nod::store
