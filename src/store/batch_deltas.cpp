#include "store/batch_deltas.hpp"

#include <algorithm>

namespace nod::store {

namespace {

// day + 2^23: 24 bits, kind: 8 bits, name_id: 32 bits (names are interned row ids, far below 2^32).
// Sorted, these keys are in day_totals' primary key order (and in the writer's row order).
constexpr std::int64_t day_offset = std::int64_t{1} << 23;
constexpr std::uint64_t name_bits = 0xffffffffU;

std::uint64_t pack(Day day, int kind, std::int64_t name_id) {
    return (static_cast<std::uint64_t>((day + day_offset) & 0xffffff) << 40) |
           (static_cast<std::uint64_t>(kind & 0xff) << 32) |
           (static_cast<std::uint64_t>(name_id) & name_bits);
}

AggregateKey unpack(std::uint64_t packed) {
    return {static_cast<int>((packed >> 32) & 0xff), static_cast<std::int64_t>(packed & name_bits),
            static_cast<Day>(static_cast<std::int64_t>(packed >> 40) - day_offset)};
}

// The key a change adds to in `table`, as a sortable integer, and back.
std::uint64_t table_key(AggregateTable table, std::uint64_t packed) {
    switch (table) {
        case AggregateTable::day: return packed & ~name_bits;
        case AggregateTable::name:
            return packed & 0xffffffffffULL;  // kind << 32 | name_id: name_totals' order
    }
    return packed;
}

AggregateKey key_of(AggregateTable table, std::uint64_t packed) {
    AggregateKey key = unpack(packed);
    if (table == AggregateTable::day) key.name_id = 0;
    if (table == AggregateTable::name) key.day = 0;
    return key;
}

}  // namespace

void BatchDeltas::add(int kind, std::int64_t name_id, Day day, std::optional<Micros> duration,
                      Outcome outcome, std::uint64_t bytes, std::uint64_t download_bytes) {
    changes_.push_back({pack(day, kind, name_id), duration.value_or(0), bytes, download_bytes,
                        static_cast<std::uint16_t>(duration ? histogram_bucket(*duration) : 0),
                        duration.has_value(), outcome});
}

void BatchDeltas::for_each(AggregateTable table,
                           const std::function<void(const AggregateKey&, const Totals&)>& visit) const {
    std::vector<std::pair<std::uint64_t, const Change*>> sorted;
    sorted.reserve(changes_.size());
    for (const Change& change : changes_) sorted.emplace_back(table_key(table, change.key), &change);
    auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
    // The writer adds rows in (day, kind, name) order already: then only the per-name sums need a sort.
    if (!std::is_sorted(sorted.begin(), sorted.end(), by_key))
        std::sort(sorted.begin(), sorted.end(), by_key);
    Totals group;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const Change& change = *sorted[i].second;
        group.add(change.timed ? std::optional<Micros>(change.duration) : std::nullopt, change.bucket,
                  change.outcome, change.bytes, change.download_bytes);
        if (i + 1 == sorted.size() || sorted[i + 1].first != sorted[i].first) {
            visit(key_of(table, sorted[i].second->key), group);
            group.clear();
        }
    }
}

}  // namespace nod::store
