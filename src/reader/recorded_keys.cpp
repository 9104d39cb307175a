#include "reader/recorded_keys.hpp"

#include <bit>

namespace nod {

RecordedKeys::RecordedKeys(std::size_t capacity)
    : table_(std::bit_ceil(std::max<std::size_t>(capacity, 1) * 2)), ring_(std::max<std::size_t>(capacity, 1)) {}

std::size_t RecordedKeys::slot_of(std::uint64_t hash) const {
    std::size_t mask = table_.size() - 1;
    std::size_t slot = static_cast<std::size_t>(hash) & mask;
    while (table_[slot].used() && table_[slot].hash != hash) slot = (slot + 1) & mask;
    return slot;
}

namespace {

std::uint64_t pack(Micros at, bool by_origin) {
    return (static_cast<std::uint64_t>(at) << 2) | (by_origin ? 2U : 0U) | 1U;
}
Micros at_of(std::uint64_t packed) { return static_cast<Micros>(packed >> 2); }

}  // namespace

std::optional<RecordedKeys::Recorded> RecordedKeys::find(std::uint64_t hash) const {
    const Slot& s = table_[slot_of(hash)];
    if (!s.used()) return std::nullopt;
    return Recorded{at_of(s.at_and_flags), (s.at_and_flags & 2) != 0};
}

void RecordedKeys::record(std::uint64_t hash, Micros at, bool by_origin) {
    if (queued_ == ring_.size()) forget_oldest();
    ring_[(head_ + queued_++) % ring_.size()] = {at, hash};
    Slot& s = table_[slot_of(hash)];
    if (!s.used()) {
        s.hash = hash;
        ++size_;
    } else {
        by_origin = by_origin || (s.at_and_flags & 2) != 0;
    }
    s.at_and_flags = pack(at, by_origin);
}

void RecordedKeys::expire(Micros now, Micros window) {
    while (queued_ > 0 && now - ring_[head_].first > window) forget_oldest();
}

// The oldest ring entry goes; its key too, unless it was recorded again since (then a later entry has it).
void RecordedKeys::forget_oldest() {
    auto [at, hash] = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --queued_;
    std::size_t slot = slot_of(hash);
    if (table_[slot].used() && at_of(table_[slot].at_and_flags) == at) erase(slot);
}

// Backward-shift deletion: the entries after the hole that would no longer be found move into it.
void RecordedKeys::erase(std::size_t slot) {
    std::size_t mask = table_.size() - 1;
    table_[slot] = Slot{};
    --size_;
    for (std::size_t next = (slot + 1) & mask; table_[next].used(); next = (next + 1) & mask) {
        std::size_t home = static_cast<std::size_t>(table_[next].hash) & mask;
        // Move `next` into the hole unless its home lies cyclically in (slot, next].
        bool stays = slot <= next ? (slot < home && home <= next) : (slot < home || home <= next);
        if (stays) continue;
        table_[slot] = table_[next];
        table_[next] = Slot{};
        slot = next;
    }
}

}  // namespace nod
