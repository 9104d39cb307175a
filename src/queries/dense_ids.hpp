// Values by id, for ids that are a table's rowids (dense from 1): a vector slot per id instead of a hash
// lookup per row, which matters to queries that visit every row of a window. An id far outside that range
// (a file not written by nod) goes to a map instead.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nod::queries {

template <typename T>
class DenseIdMap {
public:
    using Entry = std::pair<std::int64_t, T>;

    // The value of `id`, made as T{} on first use.
    T& operator[](std::int64_t id) {
        std::uint32_t* slot = slot_of(id);
        if (*slot == none) {
            *slot = static_cast<std::uint32_t>(entries_.size());
            entries_.emplace_back(id, T{});
        }
        return entries_[*slot].second;
    }
    const T* find(std::int64_t id) const {
        std::uint32_t slot = none;
        if (id >= 0 && id < dense_limit) {
            if (static_cast<std::size_t>(id) < slots_.size()) slot = slots_[static_cast<std::size_t>(id)];
        } else if (auto found = sparse_.find(id); found != sparse_.end()) {
            slot = found->second;
        }
        return slot == none ? nullptr : &entries_[slot].second;
    }
    bool contains(std::int64_t id) const { return find(id) != nullptr; }
    std::size_t size() const { return entries_.size(); }
    // (id, value) in the order of first use.
    typename std::vector<Entry>::const_iterator begin() const { return entries_.begin(); }
    typename std::vector<Entry>::const_iterator end() const { return entries_.end(); }

private:
    static constexpr std::int64_t dense_limit = std::int64_t{1} << 26;
    static constexpr std::uint32_t none = UINT32_MAX;

    std::uint32_t* slot_of(std::int64_t id) {
        if (id < 0 || id >= dense_limit) return &sparse_.try_emplace(id, none).first->second;
        auto index = static_cast<std::size_t>(id);
        if (index >= slots_.size()) slots_.resize(std::max(index + 1, slots_.size() * 2), none);
        return &slots_[index];
    }

    std::vector<std::uint32_t> slots_;  // id → index into entries_
    std::unordered_map<std::int64_t, std::uint32_t> sparse_;
    std::vector<Entry> entries_;
};

}  // namespace nod::queries
