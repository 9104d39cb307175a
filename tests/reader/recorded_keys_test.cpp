// The recorded keys the registry remembers: exact membership under collisions and deletions, the window,
// and the bound.
#include <gtest/gtest.h>

#include <random>
#include <map>
#include <set>

#include "reader/recorded_keys.hpp"

namespace nod {
namespace {

TEST(RecordedKeys, RemembersAndForgetsByTheWindow) {
    RecordedKeys keys(100);
    keys.record(1, 10, false);
    keys.record(2, 20, true);
    ASSERT_TRUE(keys.find(1));
    EXPECT_FALSE(keys.find(1)->by_origin);
    EXPECT_TRUE(keys.find(2)->by_origin);
    EXPECT_FALSE(keys.find(3));
    keys.record(1, 30, true);  // again, by the origin: the later time counts
    keys.expire(35, 10);       // forgets what came before 25: the first entry of 1 and 2
    EXPECT_FALSE(keys.find(2));
    ASSERT_TRUE(keys.find(1));
    EXPECT_TRUE(keys.find(1)->by_origin);
    EXPECT_EQ(keys.size(), 1u);
    keys.expire(100, 10);
    EXPECT_EQ(keys.size(), 0u);
}

TEST(RecordedKeys, HoldsAtMostItsCapacityForgettingTheOldest) {
    RecordedKeys keys(50);
    for (std::uint64_t i = 0; i < 500; ++i) keys.record(i, static_cast<Micros>(i), false);
    EXPECT_EQ(keys.size(), 50u);
    EXPECT_FALSE(keys.find(449));
    EXPECT_TRUE(keys.find(450));
    EXPECT_TRUE(keys.find(499));
}

// Hashes that share their home slot (the low bits) and deletions in the middle of their runs: whatever is
// recorded and not forgotten is found, and nothing else.
TEST(RecordedKeys, CollisionsAndDeletionsAgreeWithASet) {
    std::mt19937_64 random(3);
    RecordedKeys keys(64);  // 128 slots
    std::set<std::uint64_t> expected;
    std::vector<std::pair<Micros, std::uint64_t>> order;
    for (Micros t = 0; t < 20'000; ++t) {
        std::uint64_t hash = (random() % 6) | ((random() % 40) << 7);  // few homes, many keys on each
        keys.record(hash, t, false);
        order.emplace_back(t, hash);
        keys.expire(t, 40);  // about 40 alive: deletions all the time
        if (t % 97 != 0) continue;  // check now and then: the reference is slow
        expected.clear();
        std::map<std::uint64_t, Micros> last;
        for (const auto& [at, h] : order) last[h] = at;
        for (const auto& [h, at] : last)
            if (t - at <= 40) expected.insert(h);
        for (std::uint64_t h = 0; h < (40u << 7); ++h)
            ASSERT_EQ(keys.find(h).has_value(), expected.contains(h)) << "hash " << h << " at " << t;
        ASSERT_EQ(keys.size(), expected.size());
    }
}

}  // namespace
}  // namespace nod
