// The activities recorded lately, remembered by their key's 64-bit hash so that a copy reported later makes
// no second row. Two arrays allocated once, whatever passes through: an open-addressing table (linear
// probing, deletion by backward shift) and a ring of the hashes in the order they were recorded. A flood of
// short activities leaves no scattered allocations behind that would keep the heap from shrinking.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "reader/row.hpp"

namespace nod {

class RecordedKeys {
public:
    struct Recorded {
        Micros at = 0;
        bool by_origin = false;  // the origin's own row went out
    };

    // At most `capacity` keys are remembered: past it the oldest is forgotten.
    explicit RecordedKeys(std::size_t capacity);

    std::optional<Recorded> find(std::uint64_t hash) const;
    // Remembers `hash` as recorded at `at` (again: a later time, by the origin if either was).
    void record(std::uint64_t hash, Micros at, bool by_origin);
    // Forgets the keys recorded more than `window` before `now`.
    void expire(Micros now, Micros window);
    std::size_t size() const { return size_; }

private:
    // 16 bytes: `at` is µs since the epoch, far below 2^62, which leaves two bits for the flags.
    struct Slot {
        std::uint64_t hash = 0;
        std::uint64_t at_and_flags = 0;  // at << 2 | by_origin << 1 | used
        bool used() const { return (at_and_flags & 1) != 0; }
    };

    std::size_t slot_of(std::uint64_t hash) const;  // where `hash` is, or the free slot it would take
    void erase(std::size_t slot);
    void forget_oldest();

    std::vector<Slot> table_;                          // a power of two, at least twice the capacity
    std::vector<std::pair<Micros, std::uint64_t>> ring_;  // capacity entries
    std::size_t head_ = 0, queued_ = 0, size_ = 0;
};

}  // namespace nod
