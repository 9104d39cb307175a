#include "queries/estimate.hpp"
#include "queries/window.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "store/store.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

using store::testing::make_row;
using store::testing::utc;

constexpr Micros second = 1'000'000;
constexpr Micros day = 86'400 * second;

class EstimateTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
        store_ = std::make_unique<store::Store>(dir_ / "nod.db");
        std::vector<Row> rows;
        // hello-2.12: 10, 20, …, 100 s over ten days, the last one started (day 9) taking 100 s; a failure
        // and a run without duration that do not count.
        for (int i = 0; i < 10; ++i) rows.push_back(make_row(Kind::build, "hello-2.12", first_ + i * day, (i + 1) * 10 * second));
        rows.push_back(make_row(Kind::build, "hello-2.12", first_ + 10 * day, 999 * second, Outcome::failed));
        rows.push_back(make_row(Kind::build, "hello-2.12", first_ + 10 * day, std::nullopt));
        // Same day, started later but shorter: "last" is by start, not by duration.
        rows.push_back(make_row(Kind::build, "gcc-13.2.0", first_ + 3 * day + 60 * second, 30 * second));
        rows.push_back(make_row(Kind::build, "gcc-13.2.0", first_ + 3 * day, 50 * second));
        // Other versions of a package: gcc-12 ran, gcc-14 never did.
        rows.push_back(make_row(Kind::build, "gcc-12.3.0", first_, 40 * second));
        // Shares the prefix "hello-" but is another package.
        rows.push_back(make_row(Kind::build, "hello-world-1.0", first_, 500 * second));
        // A substitution of hello: another kind.
        rows.push_back(make_row(Kind::substitute, "hello-2.12", first_, 2 * second));
        std::uint64_t counter = 0;
        for (Row& r : rows) {  // root's, each its own activity
            r.uid = r.user = 0;
            r.trusted = true;
            r.activity_id = (std::uint64_t{4242} << 32) | ++counter;
        }
        store_->write(rows);
    }
    const store::Database& db() { return store_->database(); }

    store::testing::TempDir dir_;
    Micros first_ = utc(2026, 6, 1, 8);
    std::unique_ptr<store::Store> store_;
};

TEST_F(EstimateTest, MedianP90AndLastOfTheSuccessfulRuns) {
    auto e = estimate(db(), {.names = {"hello-2.12"}});
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].basis, EstimateBasis::name);
    EXPECT_EQ(e[0].count, 10u);
    EXPECT_DOUBLE_EQ(e[0].median_seconds, 55.0);  // between 50 and 60
    EXPECT_DOUBLE_EQ(e[0].p90_seconds, 91.0);     // 90 + 0.1 × (100 − 90)
    EXPECT_DOUBLE_EQ(e[0].last_seconds, 100.0);
}

TEST_F(EstimateTest, LastIsTheRunThatStartedLast) {
    auto e = estimate(db(), {.names = {"gcc-13.2.0"}});
    EXPECT_EQ(e[0].count, 2u);
    EXPECT_DOUBLE_EQ(e[0].last_seconds, 30.0);
    EXPECT_DOUBLE_EQ(e[0].median_seconds, 40.0);
}

TEST_F(EstimateTest, ANameNeverBuiltFallsBackToItsPackage) {
    auto e = estimate(db(), {.names = {"gcc-14.1.0", "hello-3.0", "firefox-130.0", "source"}});
    ASSERT_EQ(e.size(), 4u);
    EXPECT_EQ(e[0].basis, EstimateBasis::package);
    EXPECT_EQ(e[0].count, 3u) << "gcc-13.2.0 twice and gcc-12.3.0";
    EXPECT_DOUBLE_EQ(e[0].median_seconds, 40.0);
    EXPECT_EQ(e[1].basis, EstimateBasis::package);
    EXPECT_EQ(e[1].count, 10u) << "hello-world-1.0 is the package hello-world, not hello";
    for (int i : {2, 3}) {
        EXPECT_EQ(e[i].basis, EstimateBasis::none) << e[i].name;
        EXPECT_EQ(e[i].count, 0u);
        EXPECT_TRUE(std::isnan(e[i].median_seconds));
        EXPECT_TRUE(std::isnan(e[i].p90_seconds));
        EXPECT_TRUE(std::isnan(e[i].last_seconds));
    }
}

TEST_F(EstimateTest, OtherKindsAndOrderAndRepeats) {
    auto e = estimate(db(), {.names = {"hello-2.12", "gcc-13.2.0", "hello-2.12"}, .kind = Kind::substitute});
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].name, "hello-2.12");
    EXPECT_EQ(e[0].count, 1u);
    EXPECT_DOUBLE_EQ(e[0].median_seconds, 2.0);
    EXPECT_EQ(e[1].basis, EstimateBasis::none);
    EXPECT_EQ(e[2].count, 1u);
}

TEST_F(EstimateTest, OnlyRowsRootVouchedFor) {
    std::vector<Row> forged;
    for (int i = 0; i < 50; ++i) {
        Row r = make_row(Kind::build, "hello-2.12", first_ + 11 * day + i, 1 * second);
        r.uid = r.user = 1000;
        r.trusted = false;
        r.activity_id = (std::uint64_t{4343} << 32) | static_cast<std::uint64_t>(i + 1);
        forged.push_back(r);
    }
    store_->write(forged);
    EXPECT_DOUBLE_EQ(estimate(db(), {.names = {"hello-2.12"}})[0].median_seconds, 1.0) << "forged runs count";
    auto e = estimate(db(), {.names = {"hello-2.12"}, .filter = {.user = std::nullopt, .trusted_only = true}});
    EXPECT_EQ(e[0].count, 10u);
    EXPECT_DOUBLE_EQ(e[0].median_seconds, 55.0);
}

TEST_F(EstimateTest, TooManyNamesIsRefused) {
    EXPECT_THROW(estimate(db(), {.names = std::vector<std::string>(max_estimate_names + 1, "x")}), InvalidArgument);
}

TEST(PackageName, AsNixParsesDrvNames) {
    EXPECT_EQ(package_name("hello-2.12"), "hello");
    EXPECT_EQ(package_name("gtk+3-3.24.41"), "gtk+3");
    EXPECT_EQ(package_name("hello-world-1.0"), "hello-world");
    EXPECT_EQ(package_name("source"), "source");
    EXPECT_EQ(package_name("python3.12-requests-2.31.0"), "python3.12-requests");
    EXPECT_EQ(package_name("foo-"), "foo-") << "a '-' at the end is followed by nothing";
    EXPECT_EQ(package_name("linux-6.6.1-modules"), "linux");
}

}  // namespace
}  // namespace nod::queries
