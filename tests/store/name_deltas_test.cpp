#include "store/name_deltas.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "store/error.hpp"

namespace nod::store {
namespace {

struct NameDelta {
    int kind = 0;
    std::int64_t name_id = 0;
    Totals totals;
};

std::vector<NameDelta> decode(std::span<const std::uint8_t> blob) {
    std::vector<NameDelta> deltas;
    decode_name_deltas(blob, [&](int kind, std::int64_t name_id, const EncodedTotals& totals) {
        deltas.push_back({kind, name_id, totals.decode()});
    });
    return deltas;
}

NameDelta sample(int kind, std::int64_t name_id, std::initializer_list<Micros> durations) {
    NameDelta delta{kind, name_id, {}};
    for (Micros duration : durations) delta.totals.add(duration, Outcome::succeeded, 1000, 10);
    return delta;
}

TEST(NameDeltas, RoundTripExactly) {
    std::vector<NameDelta> deltas = {sample(0, 1, {5'000'000}), sample(1, 1, {1, 2, 3, 86'400'000'000}),
                                     sample(3, 70'000, {})};
    deltas[1].totals.add(std::nullopt, Outcome::failed, 0, 0);
    deltas[1].totals.add(7, Outcome::cancelled, std::numeric_limits<std::uint64_t>::max() / 4, 1);
    deltas[2].totals.add(std::nullopt, Outcome::unknown, 0, 0);  // no duration at all: no max
    NameDelta negative = sample(2, std::numeric_limits<std::int32_t>::max(), {-3});  // clock went back
    deltas.push_back(negative);
    std::vector<std::uint8_t> blob;
    for (const NameDelta& delta : deltas) encode_name_delta(delta.kind, delta.name_id, delta.totals, blob);
    auto decoded = decode(blob);
    ASSERT_EQ(decoded.size(), deltas.size());
    for (std::size_t i = 0; i < deltas.size(); ++i) {
        EXPECT_EQ(decoded[i].kind, deltas[i].kind) << i;
        EXPECT_EQ(decoded[i].name_id, deltas[i].name_id) << i;
        EXPECT_EQ(decoded[i].totals, deltas[i].totals) << i;
    }
    EXPECT_FALSE(decoded[2].totals.max_us.has_value());
    EXPECT_EQ(decoded[3].totals.max_us, -3);
    EXPECT_TRUE(decode({}).empty());
}

TEST(NameDeltas, DamagedBlobsAreRefusedNotMisread) {
    std::vector<std::uint8_t> blob;
    NameDelta delta = sample(1, 42, {1'000, 2'000'000});
    encode_name_delta(delta.kind, delta.name_id, delta.totals, blob);
    for (std::size_t cut = 1; cut < blob.size(); ++cut) {
        std::vector<std::uint8_t> truncated(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(cut));
        try {
            decode(truncated);
            ADD_FAILURE() << "a blob cut to " << cut << " of " << blob.size() << " bytes was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::not_a_database);
            EXPECT_NE(std::string(e.what()).find("pending name totals"), std::string::npos) << e.what();
        }
    }
    std::vector<std::uint8_t> bad_kind = {0x80, 0x02};  // kind 256
    EXPECT_THROW(decode(bad_kind), Error);
    std::vector<std::uint8_t> far_name;  // no names table holds 2^40 names
    encode_name_delta(0, std::int64_t{1} << 40, Totals{}, far_name);
    EXPECT_THROW(decode(far_name), Error);
}

}  // namespace
}  // namespace nod::store
