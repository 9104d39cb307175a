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

std::vector<NameDelta> decode(std::span<const std::uint8_t> blob, std::int64_t format = name_delta_format) {
    std::vector<NameDelta> deltas;
    decode_name_deltas(blob, format, [&](int kind, std::int64_t name_id, const EncodedTotals& totals) {
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
    deltas[1].totals.add_cpu(912'000, 41'000);
    deltas[1].totals.add_cpu(std::nullopt, 3);  // a row with system time only still counts
    deltas[2].totals.add_cpu(max_row_cpu_us, max_row_cpu_us);
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

// Schema 3 wrote blobs without the CPU figures, and a database migrated from it may still hold some: they
// read as no CPU time, and format 4 blobs are not read as format 3 (nor the other way round).
TEST(NameDeltas, Format3BlobsReadWithoutCpuFigures) {
    NameDelta delta = sample(1, 42, {1'000, 2'000'000});
    delta.totals.add_cpu(5'000'000, 700);
    std::vector<std::uint8_t> v3, v4;
    encode_name_delta(delta.kind, delta.name_id, delta.totals, v3, name_delta_format_3);
    encode_name_delta(delta.kind, delta.name_id, delta.totals, v4);
    EXPECT_EQ(v4.size(), v3.size() + 7) << "cpu_rows 1 byte, 5 s in µs 4, 700 µs 2";
    auto old = decode(v3, name_delta_format_3);
    ASSERT_EQ(old.size(), 1u);
    Totals without_cpu = delta.totals;
    without_cpu.cpu_rows = without_cpu.cpu_user_us = without_cpu.cpu_system_us = 0;
    EXPECT_EQ(old[0].totals, without_cpu);
    auto current = decode(v4);
    ASSERT_EQ(current.size(), 1u);
    EXPECT_EQ(current[0].totals, delta.totals);
    EXPECT_THROW(decode(v4, name_delta_format_3), Error) << "three bytes too many";
    EXPECT_THROW(decode(v3), Error) << "three varints missing";
    for (std::int64_t format : {std::int64_t{0}, std::int64_t{2}, std::int64_t{5}, (std::int64_t{1} << 32) + 4}) {
        try {
            decode(v4, format);
            ADD_FAILURE() << "format " << format << " was read";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::not_a_database);
        }
    }
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
