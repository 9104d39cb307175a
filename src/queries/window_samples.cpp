#include "queries/window_samples.hpp"

#include <algorithm>

#include "store/day_durations.hpp"

namespace nod::queries {

WindowSamples read_window_samples(const store::Database& db, DayRange days, const NameMap* names,
                                  const RowFilter& rows, bool per_name) {
    WindowSamples samples;
    if (names == nullptr && !per_name && !rows.any()) {
        // All names: the exact durations per kind and day are kept for this, a few thousand blobs per window.
        for (int kind = 0; kind < kind_count; ++kind) {
            auto& of_kind = samples.kinds[static_cast<std::size_t>(kind)];
            store::read_day_durations(db.handle(), db.context(), days.first, days.last, kind, of_kind);
            sort_durations(of_kind);
        }
        return samples;
    }
    // Names to filter or tell apart, rows to filter: only the index has durations per name and row.
    auto statement = db.prepare(
        std::string("SELECT r.kind, r.name_id, r.duration FROM rows AS r INDEXED BY rows_by_day "
                    "WHERE r.day BETWEEN ?1 AND ?2 AND r.duration IS NOT NULL AND ") +
        row_filter_sql);
    statement.bind(1, std::int64_t{days.first}).bind(2, std::int64_t{days.last});
    bind_row_filter(statement, rows);
    while (statement.step()) {
        std::int64_t kind = statement.column_int(0);
        std::int64_t name_id = statement.column_int(1);
        if (kind < 0 || kind >= kind_count || (names != nullptr && !names->contains(name_id))) continue;
        Micros duration = statement.column_int(2);
        samples.kinds[static_cast<std::size_t>(kind)].push_back(duration);
        if (per_name) samples.names[static_cast<std::size_t>(kind)][name_id].push_back(duration);
    }
    for (auto& of_kind : samples.kinds) sort_durations(of_kind);
    return samples;
}

void sort_durations(std::vector<Micros>& values) {
    if (values.size() < 4096) {
        std::sort(values.begin(), values.end());
        return;
    }
    // LSD radix sort on 16-bit digits of the sign-flipped value (so negative durations sort first too);
    // passes over digits that are equal in every value are skipped.
    constexpr std::uint64_t sign = std::uint64_t{1} << 63;
    std::vector<Micros> buffer(values.size());
    std::uint64_t all_or = 0, all_and = ~std::uint64_t{0};
    for (Micros v : values) {
        all_or |= static_cast<std::uint64_t>(v) ^ sign;
        all_and &= static_cast<std::uint64_t>(v) ^ sign;
    }
    for (int shift = 0; shift < 64; shift += 16) {
        if ((((all_or ^ all_and) >> shift) & 0xffff) == 0) continue;
        std::vector<std::size_t> offsets(65537, 0);
        for (Micros v : values) ++offsets[(((static_cast<std::uint64_t>(v) ^ sign) >> shift) & 0xffff) + 1];
        for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
        for (Micros v : values)
            buffer[offsets[((static_cast<std::uint64_t>(v) ^ sign) >> shift) & 0xffff]++] = v;
        values.swap(buffer);
    }
}

}  // namespace nod::queries
