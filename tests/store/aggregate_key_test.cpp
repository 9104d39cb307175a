// One packing of (day, kind, name) for the writer, the fold and the queries: exact both ways, in the
// aggregate tables' key order, and never a silent truncation.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "store/aggregate_key.hpp"
#include "store/batch_deltas.hpp"
#include "store/error.hpp"

namespace nod::store {
namespace {

TEST(AggregateKey, PackingIsExactAtTheBounds) {
    for (Day day : {min_packed_day, Day{-1}, Day{0}, Day{20'000}, max_packed_day})
        for (int kind : {0, 3, max_kind})
            for (std::int64_t name : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1} << 31, max_name_id}) {
                ASSERT_TRUE(packable(day, kind, name));
                AggregateKey key = unpack_day_kind_name(pack_day_kind_name(day, kind, name));
                EXPECT_EQ(key, (AggregateKey{kind, name, day}));
                EXPECT_EQ(unpack_kind_name(pack_kind_name(kind, name)), (AggregateKey{kind, name, 0}));
                EXPECT_EQ(kind_name_of(pack_day_kind_name(day, kind, name)), pack_kind_name(kind, name));
            }
}

TEST(AggregateKey, PackedKeysSortAsTheTablesDo) {
    std::vector<AggregateKey> keys;
    for (Day day : {Day{-5}, Day{0}, Day{19'000}, Day{20'500}})
        for (int kind : {0, 1, 2, 3})
            for (std::int64_t name : {std::int64_t{1}, std::int64_t{70'000}, max_name_id})
                keys.push_back({kind, name, day});
    auto by_day_kind_name = [](const AggregateKey& a, const AggregateKey& b) {
        return std::tie(a.day, a.kind, a.name_id) < std::tie(b.day, b.kind, b.name_id);
    };
    auto by_packed = [](const AggregateKey& a, const AggregateKey& b) {
        return pack_day_kind_name(a.day, a.kind, a.name_id) < pack_day_kind_name(b.day, b.kind, b.name_id);
    };
    auto expected = keys, packed = keys;
    std::sort(expected.begin(), expected.end(), by_day_kind_name);
    std::sort(packed.begin(), packed.end(), by_packed);
    EXPECT_EQ(packed, expected);
}

TEST(AggregateKey, WhatDoesNotFitIsNotPackable) {
    EXPECT_FALSE(packable(0, max_name_id + 1));
    EXPECT_FALSE(packable(0, -1));
    EXPECT_FALSE(packable(max_kind + 1, 1));
    EXPECT_FALSE(packable(max_packed_day + 1, 0, 1));
    EXPECT_FALSE(packable(min_packed_day - 1, 0, 1));
}

// A name id past 32 bits used to be cut to its low bits, and its row counted for another name.
TEST(AggregateKey, BatchDeltasRefuseANameIdThatDoesNotFit) {
    BatchDeltas deltas;
    EXPECT_THROW(deltas.add(0, max_name_id + 2, 20'000, 1'000'000, Outcome::succeeded, 0, 0), Error);
    deltas.add(0, max_name_id, 20'000, 1'000'000, Outcome::succeeded, 0, 0);
    std::vector<AggregateKey> seen;
    deltas.for_each(AggregateTable::name,
                    [&](const AggregateKey& key, const Totals&) { seen.push_back(key); });
    EXPECT_EQ(seen, (std::vector<AggregateKey>{{0, max_name_id, 0}}));
}

}  // namespace
}  // namespace nod::store
