#include "store/duration_chunks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "store/error.hpp"

namespace nod::store {
namespace {

std::vector<Micros> round_trip(std::vector<Micros> sorted) {
    std::vector<Micros> out = {42};  // decode appends
    decode_durations(encode_durations(sorted), out);
    out.erase(out.begin());
    return out;
}

TEST(DurationChunks, RoundTripIsExact) {
    EXPECT_EQ(round_trip({}), std::vector<Micros>{});
    EXPECT_EQ(round_trip({0}), std::vector<Micros>{0});
    EXPECT_EQ(round_trip({-5, -5, 0, 7}), (std::vector<Micros>{-5, -5, 0, 7}));
    Micros huge = std::numeric_limits<Micros>::max() / 2;
    EXPECT_EQ(round_trip({-huge, 1, huge}), (std::vector<Micros>{-huge, 1, huge}));
    std::mt19937_64 random(3);
    std::lognormal_distribution<double> seconds(2.0, 1.5);
    std::vector<Micros> values;
    for (int i = 0; i < 256; ++i) values.push_back(static_cast<Micros>(seconds(random) * 1e6));
    std::sort(values.begin(), values.end());
    EXPECT_EQ(round_trip(values), values);
}

// The reason for deltas: a full chunk of typical durations stays on one B-tree page (≈ 1000 bytes local).
TEST(DurationChunks, AFullChunkOfTypicalDurationsIsSmall) {
    std::mt19937_64 random(5);
    std::lognormal_distribution<double> seconds(1.0, 1.0);
    std::vector<Micros> values;
    for (std::size_t i = 0; i < durations_per_chunk; ++i)
        values.push_back(static_cast<Micros>(seconds(random) * 1e6));
    std::sort(values.begin(), values.end());
    EXPECT_LT(encode_durations(values).size(), 900U);
}

TEST(DurationChunks, RemoveTakesOneOccurrenceOfEachAndLeavesTheRestPending) {
    std::vector<Micros> chunk = {1, 2, 2, 2, 5, 9};
    std::vector<Micros> pending = {0, 2, 2, 5, 10};
    EXPECT_TRUE(remove_durations(chunk, pending));
    EXPECT_EQ(chunk, (std::vector<Micros>{1, 2, 9}));
    EXPECT_EQ(pending, (std::vector<Micros>{0, 10}));
    EXPECT_FALSE(remove_durations(chunk, pending));
    EXPECT_EQ(chunk, (std::vector<Micros>{1, 2, 9}));
}

TEST(DurationChunks, AMalformedBlobIsAnError) {
    std::vector<std::uint8_t> truncated = {0x80};
    std::vector<Micros> out;
    try {
        decode_durations(truncated, out);
        FAIL() << "a truncated varint was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::not_a_database);
        EXPECT_EQ(std::string(e.what()), "malformed duration chunk in database");
    }
}

}  // namespace
}  // namespace nod::store
