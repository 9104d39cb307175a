#include <gtest/gtest.h>

#include "api/options.hpp"

namespace nod::api {
namespace {

template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const InvalidOptions& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Options, StatsDefaultsToAllTime) {
    auto q = parse_stats({});
    EXPECT_EQ(q.request.window.unit, queries::Window::Unit::all);
    EXPECT_EQ(q.request.group_by, queries::GroupBy::none);
    EXPECT_FALSE(q.request.filter.any());
    EXPECT_EQ(q.request.sort, queries::SortBy::count);
    EXPECT_EQ(q.request.limit, 0u);
    EXPECT_FALSE(q.kind);
}

TEST(Options, StatsWithEverything) {
    auto q = parse_stats({{"months", 3u}, {"drv", std::string("firefox%_'")}, {"kind", std::string("substitute")},
                          {"group", true}, {"sort", std::string("time")}, {"limit", 10u}});
    EXPECT_EQ(q.request.window.unit, queries::Window::Unit::months);
    EXPECT_EQ(q.request.window.count, 3);
    EXPECT_EQ(q.request.name_filter, "firefox%_'") << "passed on literally";
    EXPECT_EQ(q.kind, Kind::substitute);
    EXPECT_EQ(q.request.group_by, queries::GroupBy::name);
    EXPECT_EQ(q.request.sort, queries::SortBy::time);
    EXPECT_EQ(q.request.limit, 10u);
}

TEST(Options, UnknownKeysAreRejectedByName) {
    EXPECT_EQ(error_of([] { parse_stats({{"dayz", 3u}}); }),
              "unknown option 'dayz' for Stats (known: days, months, drv, kind, group, group_by, sort, limit, uid, "
              "trusted, machine, substituter)");
    EXPECT_EQ(error_of([] { parse_bucket("day", {{"group", true}}); }),
              "unknown option 'group' for Bucket (known: days, months, drv, kind, uid, trusted, machine, substituter)");
    EXPECT_EQ(error_of([] { parse_clean({{"days", 3u}}); }), "unknown option 'days' for Clean (known: before_days)");
}

TEST(Options, EstimateTakesKindAndWhoseRows) {
    auto r = parse_estimate({"hello-2.12"}, {});
    EXPECT_EQ(r.kind, Kind::build);
    EXPECT_EQ(r.names, std::vector<std::string>{"hello-2.12"});
    r = parse_estimate({"a", "b"}, {{"kind", std::string("substitute")}, {"trusted", true}, {"uid", 7u}});
    EXPECT_EQ(r.kind, Kind::substitute);
    EXPECT_TRUE(r.filter.trusted_only);
    EXPECT_EQ(r.filter.user, 7u);
    EXPECT_EQ(error_of([] { parse_estimate({"x"}, {{"days", 3u}}); }),
              "unknown option 'days' for Estimate (known: kind, uid, trusted)");
    EXPECT_EQ(error_of([] { parse_estimate(std::vector<std::string>(1001, "x"), {}); }),
              "at most 1000 names per call, not 1001");
}

TEST(Options, RunningTakesKindWhoseAndALimit) {
    auto r = parse_running({});
    EXPECT_FALSE(r.kind);
    EXPECT_EQ(r.limit, queries::max_running_rows);
    r = parse_running({{"kind", std::string("copy")}, {"uid", 5u}, {"trusted", true}, {"limit", 3u}});
    EXPECT_EQ(r.kind, Kind::copy);
    EXPECT_EQ(r.user, 5u);
    EXPECT_TRUE(r.trusted_only);
    EXPECT_EQ(r.limit, 3u);
    EXPECT_EQ(error_of([] { parse_running({{"limit", 0u}}); }), "option 'limit' must be between 1 and 1000");
    EXPECT_EQ(error_of([] { parse_running({{"limit", 1001u}}); }), "option 'limit' must be between 1 and 1000");
    EXPECT_EQ(error_of([] { parse_running({{"days", 1u}}); }),
              "unknown option 'days' for Running (known: kind, uid, trusted, limit)");
}

TEST(Options, MachinesAndSubstituters) {
    auto q = parse_stats({{"group_by", std::string("machine")}, {"machine", std::string("ssh://builder")}});
    EXPECT_EQ(q.request.group_by, queries::GroupBy::machine);
    EXPECT_EQ(q.request.filter.machine, "ssh://builder");
    EXPECT_FALSE(q.request.filter.substitutions_only);
    EXPECT_TRUE(q.request.filter.any());
    auto b = parse_bucket("day", {{"substituter", std::string("https://cache.nixos.org")}});
    EXPECT_EQ(b.request.filter.machine, "https://cache.nixos.org");
    EXPECT_TRUE(b.request.filter.substitutions_only);
    EXPECT_EQ(parse_stats({{"group_by", std::string("substituter")}}).request.group_by, queries::GroupBy::substituter);
    EXPECT_EQ(parse_test({{"machine", std::string("")}}).request.filter.machine, "") << "this machine";
    EXPECT_EQ(error_of([] { parse_stats({{"machine", std::string("a")}, {"substituter", std::string("b")}}); }),
              "options 'machine' and 'substituter' exclude each other");
    EXPECT_EQ(error_of([] { parse_stats({{"substituter", std::string("")}}); }),
              "option 'substituter' must name one (a URI such as https://cache.nixos.org)");
    EXPECT_EQ(error_of([] { parse_stats({{"machine", std::string(5000, 'x')}}); }),
              "option 'machine' is longer than 4096 bytes");
}

TEST(Options, CachesTakesAWindowAndWhoseRows) {
    auto r = parse_caches({{"days", 7u}, {"trusted", true}});
    EXPECT_EQ(r.window.count, 7);
    EXPECT_TRUE(r.filter.trusted_only);
    EXPECT_EQ(error_of([] { parse_caches({{"machine", std::string("x")}}); }),
              "unknown option 'machine' for Caches (known: days, months, uid, trusted)");
}

TEST(Options, WrongTypesNameTheKeyAndBothTypes) {
    EXPECT_EQ(error_of([] { parse_stats({{"days", std::string("7")}}); }),
              "option 'days' must be of type 'u', not 's'");
    EXPECT_EQ(error_of([] { parse_stats({{"group", OtherType{"i"}}}); }), "option 'group' must be of type 'b', not 'i'");
    EXPECT_EQ(error_of([] { parse_clean({{"before_days", OtherType{"t"}}}); }),
              "option 'before_days' must be of type 'u', not 't'");
}

TEST(Options, RangesAndChoices) {
    EXPECT_NE(error_of([] { parse_stats({{"days", 0u}}); }).find("'days' must be between 1"), std::string::npos);
    EXPECT_NE(error_of([] { parse_stats({{"months", 1'000'000u}}); }).find("'months' must be between 1"),
              std::string::npos);
    EXPECT_EQ(error_of([] { parse_stats({{"days", 1u}, {"months", 1u}}); }),
              "options 'days' and 'months' exclude each other");
    EXPECT_NE(error_of([] { parse_stats({{"kind", std::string("eval")}}); }).find("not 'eval'"), std::string::npos);
    EXPECT_NE(error_of([] { parse_stats({{"sort", std::string("size")}}); }).find("not 'size'"), std::string::npos);
    EXPECT_NE(error_of([] { parse_bucket("year", {}); }).find("not 'year'"), std::string::npos);
    EXPECT_NE(error_of([] { parse_stats({{"drv", std::string(5000, 'x')}}); }).find("4096"), std::string::npos);
}

TEST(Options, WhoTheRowsAreForAndWhetherRootVouchedForThem) {
    auto q = parse_stats({{"uid", 1000u}, {"trusted", true}, {"group_by", std::string("user")}});
    EXPECT_EQ(q.request.filter.user, 1000u);
    EXPECT_TRUE(q.request.filter.trusted_only);
    EXPECT_EQ(q.request.group_by, queries::GroupBy::user);
    EXPECT_EQ(parse_bucket("week", {{"uid", 0u}}).request.filter.user, 0u);
    EXPECT_TRUE(parse_test({{"trusted", true}}).request.filter.trusted_only);
    EXPECT_EQ(parse_stats({{"group_by", std::string("name")}, {"group", true}}).request.group_by, queries::GroupBy::name);
    EXPECT_EQ(error_of([] { parse_stats({{"group_by", std::string("user")}, {"group", true}}); }),
              "options 'group' and 'group_by' disagree (group is group_by=name)");
    EXPECT_EQ(error_of([] { parse_stats({{"group_by", std::string("colour")}}); }),
              "option 'group_by' must be name, user, machine or substituter, not 'colour'");
    EXPECT_EQ(error_of([] { parse_stats({{"uid", std::string("alice")}}); }), "option 'uid' must be of type 'u', not 's'");
}

TEST(Options, TestDefaultsToThirtyDays) {
    auto q = parse_test({});
    EXPECT_EQ(q.request.window.unit, queries::Window::Unit::days);
    EXPECT_EQ(q.request.window.count, 30);
}

TEST(Options, CleanEverythingOrBefore) {
    EXPECT_FALSE(parse_clean({}).before_days);
    EXPECT_EQ(parse_clean({{"before_days", 30u}}).before_days, 30);
    EXPECT_EQ(parse_clean({{"before_days", 0u}}).before_days, 0);
}

}  // namespace
}  // namespace nod::api
