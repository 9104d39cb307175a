// Stats per machine and substituter, and the filters on them, on a real store.
#include <gtest/gtest.h>

#include <cmath>

#include "queries/caches.hpp"
#include "queries/stats.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

using store::testing::make_row;
using store::testing::utc;

class MachinesTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
        store_ = std::make_unique<store::Store>(dir_ / "nod.db");
        std::vector<Row> rows;
        auto add = [&](Kind kind, const std::string& name, const std::string& machine, Outcome outcome = Outcome::succeeded,
                       std::uint64_t bytes = 0) {
            // make_row downloads a third of `bytes`.
            Row r = make_row(kind, name, day_ + static_cast<Micros>(rows.size()) * 1'000'000, 2'000'000, outcome, bytes);
            r.machine = machine;
            r.activity_id = rows.size() + 1;
            rows.push_back(r);
        };
        add(Kind::build, "a-1", "");
        add(Kind::build, "b-1", "");
        for (int i = 0; i < 3; ++i) add(Kind::build, "c-" + std::to_string(i), "ssh://builder");
        for (int i = 0; i < 4; ++i)
            add(Kind::substitute, "s-" + std::to_string(i), "https://cache.nixos.org",
                i == 0 ? Outcome::failed : Outcome::succeeded, 3'000'000ULL * static_cast<std::uint64_t>(i + 1));
        add(Kind::substitute, "t-1", "https://cache.example");
        add(Kind::copy, "c-0", "ssh://builder");
        store_->write(rows);
    }
    StatsResult run(StatsRequest request) { return stats(store_->database(), request, day_ + 3'600'000'000LL); }
    static std::uint64_t count_of(const StatsResult& r, Kind kind) {
        return r.kinds[static_cast<std::size_t>(kind)].figures.count;
    }

    store::testing::TempDir dir_;
    Micros day_ = utc(2026, 6, 1, 8);
    std::unique_ptr<store::Store> store_;
};

TEST_F(MachinesTest, GroupedByMachineEveryKind) {
    StatsRequest request;
    request.window = Window::last_days(1);
    request.group_by = GroupBy::machine;
    request.sort = SortBy::name;
    auto r = run(request);
    std::vector<std::tuple<Kind, std::string, std::uint64_t>> got;
    for (const auto& n : r.names) got.emplace_back(n.kind, n.name, n.figures.count);
    EXPECT_EQ(got, (std::vector<std::tuple<Kind, std::string, std::uint64_t>>{
                       {Kind::build, "", 2},
                       {Kind::build, "ssh://builder", 3},
                       {Kind::substitute, "https://cache.example", 1},
                       {Kind::substitute, "https://cache.nixos.org", 4},
                       {Kind::copy, "ssh://builder", 1}}));
}

TEST_F(MachinesTest, GroupedBySubstituterOnlySubstitutions) {
    StatsRequest request;
    request.group_by = GroupBy::substituter;  // all time: rows all the same
    auto r = run(request);
    ASSERT_EQ(r.names.size(), 2u);
    EXPECT_EQ(r.names[0].name, "https://cache.nixos.org") << "most runs first";
    EXPECT_EQ(r.names[0].figures.failed, 1u);
    EXPECT_EQ(r.names[1].name, "https://cache.example");
    EXPECT_EQ(count_of(r, Kind::build), 5u) << "the kinds' totals stay whole";
}

TEST_F(MachinesTest, Filters) {
    StatsRequest here;
    here.filter.machine = "";
    auto r = run(here);
    EXPECT_EQ(count_of(r, Kind::build), 2u);
    EXPECT_EQ(count_of(r, Kind::substitute), 0u);
    StatsRequest builder;
    builder.filter.machine = "ssh://builder";
    r = run(builder);
    EXPECT_EQ(count_of(r, Kind::build), 3u);
    EXPECT_EQ(count_of(r, Kind::copy), 1u);
    StatsRequest cache;
    cache.filter.machine = "https://cache.nixos.org";
    cache.filter.substitutions_only = true;
    r = run(cache);
    EXPECT_EQ(count_of(r, Kind::substitute), 4u);
    EXPECT_EQ(count_of(r, Kind::build) + count_of(r, Kind::copy), 0u);
    StatsRequest unknown;
    unknown.filter.machine = "ssh://never";
    r = run(unknown);
    for (const auto& k : r.kinds) EXPECT_EQ(k.figures.count, 0u) << to_string(k.kind);
}

// 5 successful builds (2 here, 3 on a builder) and 4 successful substitutions (3 of 4 from one cache, 1
// from another): the hit rate is 4 / 9; the first cache's successful ones downloaded 2, 3 and 4 MB in 2 s.
TEST_F(MachinesTest, CachesAndTheHitRate) {
    auto r = caches(store_->database(), {}, day_ + 3'600'000'000LL);
    EXPECT_EQ(r.substituted, 4u);
    EXPECT_EQ(r.built, 5u);
    EXPECT_DOUBLE_EQ(r.hit_rate, 4.0 / 9.0);
    ASSERT_EQ(r.caches.size(), 2u);
    const auto& nixos = r.caches[0];
    EXPECT_EQ(nixos.substituter, "https://cache.nixos.org");
    EXPECT_EQ(nixos.substituted, 3u);
    EXPECT_EQ(nixos.failed, 1u);
    EXPECT_EQ(nixos.bytes, 27'000'000u) << "the successful ones' NAR sizes: 6 + 9 + 12 MB";
    EXPECT_EQ(nixos.download_bytes, 9'000'000u);
    EXPECT_DOUBLE_EQ(nixos.median_throughput, 1'500'000.0) << "3 MB in 2 s";
    EXPECT_DOUBLE_EQ(nixos.share, 0.75);
    EXPECT_EQ(r.caches[1].substituter, "https://cache.example");
    EXPECT_TRUE(std::isnan(r.caches[1].median_throughput)) << "nothing downloaded";

    CachesRequest empty;
    empty.window = Window::last_days(1);
    auto none = caches(store_->database(), empty, day_ + 30 * 86'400'000'000LL);
    EXPECT_TRUE(none.caches.empty());
    EXPECT_TRUE(std::isnan(none.hit_rate)) << "nothing realised";
}

}  // namespace
}  // namespace nod::queries
