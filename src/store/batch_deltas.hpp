// What one batch (written or pruned) changes per (day, kind) and per (kind, name). Each row is recorded as a
// small change record (no hashing, no allocation per group); when the batch is flushed the records are sorted
// in each table's primary-key order and summed group by group, so the upserts also walk each B-tree in order.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "store/totals.hpp"

namespace nod::store {

class BatchDeltas {
public:
    void reserve(std::size_t rows) { changes_.reserve(rows); }
    void add(int kind, std::int64_t name_id, Day day, std::optional<Micros> duration, Outcome outcome,
             std::uint64_t bytes, std::uint64_t download_bytes, std::optional<std::uint64_t> cpu_user_us = {},
             std::optional<std::uint64_t> cpu_system_us = {});
    bool empty() const { return changes_.empty(); }
    // Calls `visit` with each changed key of `table` (in primary-key order) and its change.
    void for_each(AggregateTable table,
                  const std::function<void(const AggregateKey&, const Totals&)>& visit) const;

private:
    struct Change {
        std::uint64_t key;  // packed (day, kind, name_id)
        Micros duration;
        std::uint64_t bytes, download_bytes;
        std::uint64_t cpu_user_us, cpu_system_us;
        std::uint16_t bucket;  // histogram_bucket(duration), computed once for every table
        bool timed;
        Outcome outcome;
        std::uint8_t cpu;  // bit 0: user time known, bit 1: system time known
    };
    std::vector<Change> changes_;
};

}  // namespace nod::store
