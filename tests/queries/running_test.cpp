#include "queries/running.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "store/store.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

LiveActivity live(Kind kind, const std::string& name, Micros start, std::uint32_t user, bool trusted) {
    LiveActivity a;
    a.kind = kind;
    a.name = name;
    a.path = "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-" + name;
    a.start = start;
    a.user = user;
    a.trusted = trusted;
    return a;
}

TEST(SelectRunning, FiltersThenTheEarliestStartedFirst) {
    std::vector<LiveActivity> all = {live(Kind::build, "c", 30, 1000, true), live(Kind::build, "a", 10, 1000, false),
                                     live(Kind::substitute, "s", 5, 0, true), live(Kind::build, "b", 20, 0, true)};
    auto s = select_running(all, {});
    EXPECT_EQ(s.matching, 4u);
    ASSERT_EQ(s.rows.size(), 4u);
    EXPECT_EQ(s.rows[0].name, "s");
    EXPECT_EQ(s.rows[3].name, "c");
    s = select_running(all, {.kind = Kind::build, .user = std::nullopt, .trusted_only = false, .limit = 2});
    EXPECT_EQ(s.matching, 3u) << "every build counts, listed or not";
    ASSERT_EQ(s.rows.size(), 2u);
    EXPECT_EQ(s.rows[0].name, "a");
    EXPECT_EQ(s.rows[1].name, "b");
    s = select_running(all, {.kind = std::nullopt, .user = 1000u, .trusted_only = true, .limit = 1000});
    ASSERT_EQ(s.rows.size(), 1u);
    EXPECT_EQ(s.rows[0].name, "c");
}

TEST(ExpectedSeconds, TheMedianOfTheSameKindAndNameOrPackage) {
    store::testing::TempDir dir;
    store::Store store(dir / "nod.db");
    std::vector<Row> rows;
    std::uint64_t n = 0;
    for (int s : {4, 8, 6}) {
        Row r = store::testing::make_row(Kind::build, "hello-2.12", store::testing::utc(2026, 6, 1) + s, s * 1'000'000LL);
        r.activity_id = ++n;
        rows.push_back(r);
    }
    Row sub = store::testing::make_row(Kind::substitute, "hello-2.12", store::testing::utc(2026, 6, 1), 1'000'000);
    sub.activity_id = ++n;
    rows.push_back(sub);
    store.write(rows);
    auto expected = expected_seconds(store.database(),
                                     {live(Kind::build, "hello-2.12", 0, 0, true), live(Kind::substitute, "hello-2.12", 0, 0, true),
                                      live(Kind::build, "hello-2.13", 0, 0, true), live(Kind::copy, "hello-2.12", 0, 0, true)},
                                     false);
    ASSERT_EQ(expected.size(), 4u);
    EXPECT_DOUBLE_EQ(expected[0], 6.0);
    EXPECT_DOUBLE_EQ(expected[1], 1.0);
    EXPECT_DOUBLE_EQ(expected[2], 6.0) << "another version of the package";
    EXPECT_TRUE(std::isnan(expected[3])) << "no copies of it ever";
    EXPECT_TRUE(std::isnan(expected_seconds(store.database(), {live(Kind::build, "hello-2.12", 0, 0, true)}, true)[0]))
        << "make_row's rows are no root connection's";
}

}  // namespace
}  // namespace nod::queries
