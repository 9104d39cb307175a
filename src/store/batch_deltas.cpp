#include "store/batch_deltas.hpp"

#include <algorithm>
#include <string>

#include "store/error.hpp"

namespace nod::store {

namespace {

// The key a change adds to in `table`, as a sortable integer: day_totals' order, or name_totals'.
std::uint64_t table_key(AggregateTable table, std::uint64_t packed) {
    switch (table) {
        case AggregateTable::day: return day_kind_of(packed);
        case AggregateTable::name: return kind_name_of(packed);
    }
    return packed;
}

AggregateKey key_of(AggregateTable table, std::uint64_t packed) {
    AggregateKey key = unpack_day_kind_name(packed);
    if (table == AggregateTable::day) key.name_id = 0;
    if (table == AggregateTable::name) key.day = 0;
    return key;
}

}  // namespace

void BatchDeltas::add(int kind, std::int64_t name_id, Day day, std::optional<Micros> duration,
                      Outcome outcome, std::uint64_t bytes, std::uint64_t download_bytes,
                      std::optional<std::uint64_t> cpu_user_us, std::optional<std::uint64_t> cpu_system_us) {
    if (!packable(day, kind, name_id))
        throw Error(ErrorCode::other, "no aggregate key for day " + std::to_string(day) + ", kind " +
                                          std::to_string(kind) + ", name id " + std::to_string(name_id));
    changes_.push_back({pack_day_kind_name(day, kind, name_id), duration.value_or(0), bytes, download_bytes,
                        cpu_user_us.value_or(0), cpu_system_us.value_or(0),
                        static_cast<std::uint16_t>(duration ? histogram_bucket(*duration) : 0),
                        duration.has_value(), outcome,
                        static_cast<std::uint8_t>((cpu_user_us ? 1 : 0) | (cpu_system_us ? 2 : 0))});
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
        if (change.cpu != 0)
            group.add_cpu((change.cpu & 1) != 0 ? std::optional(change.cpu_user_us) : std::nullopt,
                          (change.cpu & 2) != 0 ? std::optional(change.cpu_system_us) : std::nullopt);
        if (i + 1 == sorted.size() || sorted[i + 1].first != sorted[i].first) {
            visit(key_of(table, sorted[i].second->key), group);
            group.clear();
        }
    }
}

}  // namespace nod::store
