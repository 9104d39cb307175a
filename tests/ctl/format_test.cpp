// nodctl's formatting, pure: human units, table layout, CSV quoting, JSON, chart, benchstat table.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <limits>

#include "ctl/format_chart.hpp"
#include "ctl/format_comparison.hpp"
#include "ctl/format_csv.hpp"
#include "ctl/format_figures.hpp"
#include "ctl/format_json.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {
namespace {

const double nan = std::numeric_limits<double>::quiet_NaN();

TEST(HumanUnits, DurationsLikeSystemd) {
    EXPECT_EQ(human_duration(0), "0ms");
    EXPECT_EQ(human_duration(0.0004), "0ms");
    EXPECT_EQ(human_duration(0.85), "850ms");
    EXPECT_EQ(human_duration(0.9996), "1.0s");
    EXPECT_EQ(human_duration(3.44), "3.4s");
    EXPECT_EQ(human_duration(59.94), "59.9s");
    EXPECT_EQ(human_duration(59.96), "1min 00s");
    EXPECT_EQ(human_duration(125), "2min 05s");
    EXPECT_EQ(human_duration(3599.4), "59min 59s");
    EXPECT_EQ(human_duration(3720), "1h 02min");
    EXPECT_EQ(human_duration(86399), "1d 00h") << "never 24h 00min";
    EXPECT_EQ(human_duration(3 * 86400 + 4 * 3600), "3d 04h");
    EXPECT_EQ(human_duration(nan), "-");
    EXPECT_EQ(human_duration(-1), "-");
}

TEST(HumanUnits, BytesInIecUnits) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(1023), "1023 B");
    EXPECT_EQ(human_bytes(1024), "1.0 KiB");
    EXPECT_EQ(human_bytes(12'897'485), "12.3 MiB");
    EXPECT_EQ(human_bytes(1024 * 1024 - 1), "1.0 MiB") << "never 1024.0 KiB";
    EXPECT_EQ(human_bytes(6000520), "5.7 MiB");
    EXPECT_EQ(human_bytes(5ull << 40), "5.0 TiB");
}

TEST(MachineUnits, DecimalSecondsWithoutExponent) {
    EXPECT_EQ(machine_seconds(1234.5), "1234.5");
    EXPECT_EQ(machine_seconds(0), "0");
    EXPECT_EQ(machine_seconds(0.0000125), "0.000013");
    EXPECT_EQ(machine_seconds(1e9), "1000000000");
    EXPECT_EQ(machine_seconds(-0.0000001), "0");
    EXPECT_EQ(machine_seconds(nan), "");
    EXPECT_EQ(machine_number(1e-30), "1e-30");
    EXPECT_EQ(machine_number(0.25), "0.25");
    EXPECT_EQ(machine_number(107.5), "107.5");
    EXPECT_EQ(machine_number(nan), "");
    EXPECT_EQ(signed_percent(12.54), "+12.5%");
    EXPECT_EQ(signed_percent(-3), "-3.0%");
    EXPECT_EQ(signed_percent(nan), "");
    EXPECT_EQ(p_value_text(0.0083), "0.008");
    EXPECT_EQ(p_value_text(0.0001), "<0.001");
    EXPECT_EQ(p_value_text(1), "1.000");
}

TEST(TableLayout, AlignedColumnsNoTrailingBlanks) {
    Table t({{"NAME", Align::left}, {"COUNT", Align::right}, {"NOTE", Align::left}});
    t.add_row({{"firefox-131.0"}, {"12"}, {""}});
    t.add_row({{"hello"}, {"1234567", Style::red}, {"x"}});
    EXPECT_EQ(t.render(true, false),
              "NAME             COUNT  NOTE\n"
              "firefox-131.0       12\n"
              "hello          1234567  x\n");
    EXPECT_EQ(t.render(false, false),
              "firefox-131.0       12\n"
              "hello          1234567  x\n");
    EXPECT_EQ(t.render(true, true),
              "\x1b[1mNAME\x1b[0m             \x1b[1mCOUNT\x1b[0m  \x1b[1mNOTE\x1b[0m\n"
              "firefox-131.0       12\n"
              "hello          \x1b[31m1234567\x1b[0m  x\n");
}

TEST(TableLayout, WidthCountsCharactersNotBytes) {
    Table t({{"A", Align::left}, {"B", Align::left}});
    t.add_row({{"ü"}, {"x"}});
    t.add_row({{"ab"}, {"y"}});
    EXPECT_EQ(t.render(false, false), "ü   x\nab  y\n");
}

TEST(Csv, QuotedAsRfc4180) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_record({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

FigureRow figures(std::string kind, std::string name, std::uint64_t count, std::uint64_t failed, double total,
                  std::uint64_t bytes) {
    FigureRow r;
    r.kind = std::move(kind);
    r.name = std::move(name);
    r.count = count;
    r.failed = failed;
    r.total_seconds = total;
    r.mean_seconds = count ? total / static_cast<double>(count) : 0;
    r.p50_seconds = r.mean_seconds;
    r.p90_seconds = r.mean_seconds * 1.5;
    r.max_seconds = r.mean_seconds * 2;
    r.bytes = bytes;
    return r;
}

StatsResult per_kind() {
    StatsResult s;
    s.window = {"2026-11-19", "2026-11-25"};
    s.rows = {figures("build", "", 12, 1, 3725, 0), figures("substitute", "", 40, 0, 12.5, 12'897'485),
              figures("copy", "", 0, 0, 0, 0), figures("post-build-hook", "", 0, 0, 0, 0)};
    return s;
}

TEST(StatsTable, PerKindWithTotalAndFooter) {
    ViewOptions v;
    EXPECT_EQ(stats_table(per_kind(), v),
              "KIND             COUNT  FAILED  CANCELLED     TOTAL      MEAN       P50       P90        MAX     BYTES\n"
              "build               12       1          0  1h 02min  5min 10s  5min 10s  7min 46s  10min 21s       0 B\n"
              "substitute          40       0          0     12.5s     313ms     313ms     469ms      625ms  12.3 MiB\n"
              "copy                 0       0          0         -         -         -         -          -       0 B\n"
              "post-build-hook      0       0          0         -         -         -         -          -       0 B\n"
              "total               52       1          0  1h 02min  1min 12s                      10min 21s  12.3 MiB\n"
              "\n"
              "4 kinds, 2026-11-19 to 2026-11-25.\n");
    v.legend = false;
    EXPECT_EQ(stats_table(per_kind(), v),
              "build            12  1  0  1h 02min  5min 10s  5min 10s  7min 46s  10min 21s       0 B\n"
              "substitute       40  0  0     12.5s     313ms     313ms     469ms      625ms  12.3 MiB\n"
              "copy              0  0  0         -         -         -         -          -       0 B\n"
              "post-build-hook   0  0  0         -         -         -         -          -       0 B\n")
        << "no header, no total, no footer; columns as wide as their data";
}

TEST(StatsTable, GroupedShowsNamesAndRareColumnsOnlyWhenUsed) {
    StatsResult s;
    s.group_by = GroupBy::name;
    s.window = {"2026-11-25", "2026-11-25"};
    auto r = figures("build", "firefox-131.0", 2, 0, 4.4, 0);
    r.count = 3;
    r.unknown_duration = 1;
    r.mean_seconds = 2.2;
    r.download_bytes = 2048;
    s.rows = {r};
    EXPECT_EQ(stats_table(s, {}),
              "KIND   NAME           COUNT  FAILED  CANCELLED  UNTIMED  TOTAL  MEAN   P50   P90   MAX  BYTES  DOWNLOADED\n"
              "build  firefox-131.0      3       0          0        1   4.4s  2.2s  2.2s  3.3s  4.4s    0 B     2.0 KiB\n"
              "\n"
              "1 name, 2026-11-25 to 2026-11-25.\n");
}

TEST(StatsCsv, MachineUnitsAndNameOnlyWhenGrouped) {
    EXPECT_EQ(stats_csv(per_kind()),
              "kind,count,failed,cancelled,unknown_duration,total_seconds,mean_seconds,p50_seconds,p90_seconds,"
              "max_seconds,bytes,download_bytes,cpu_user_seconds,cpu_system_seconds\r\n"
              "build,12,1,0,0,3725,310.416667,310.416667,465.625,620.833333,0,0,,\r\n"
              "substitute,40,0,0,0,12.5,0.3125,0.3125,0.46875,0.625,12897485,0,,\r\n"
              "copy,0,0,0,0,0,0,0,0,0,0,0,,\r\n"
              "post-build-hook,0,0,0,0,0,0,0,0,0,0,0,,\r\n")
        << "no CPU times: empty fields";
    StatsResult g;
    g.group_by = GroupBy::name;
    g.rows = {figures("build", "odd,\"name\"", 1, 0, 1, 0)};
    EXPECT_EQ(stats_csv(g), "kind,name,count,failed,cancelled,unknown_duration,total_seconds,mean_seconds,"
                            "p50_seconds,p90_seconds,max_seconds,bytes,download_bytes,cpu_user_seconds,"
                            "cpu_system_seconds\r\n"
                            "build,\"odd,\"\"name\"\"\",1,0,0,0,1,1,1,1.5,2,0,0,,\r\n");
}

TEST(StatsJson, StableNamesAndMachineUnits) {
    StatsResult g;
    g.group_by = GroupBy::name;
    g.window = {"2026-11-01", "2026-11-25"};
    g.rows = {figures("build", "firefox-131.0", 12, 1, 1234.5, 42)};
    EXPECT_EQ(stats_json(g),
              R"({"window":{"first_day":"2026-11-01","last_day":"2026-11-25"},"grouped":true,"group_by":"name","rows":[)"
              R"({"kind":"build","name":"firefox-131.0","count":12,"failed":1,"cancelled":0,"unknown_duration":0,)"
              R"("total_seconds":1234.5,"mean_seconds":102.875,"p50_seconds":102.875,"p90_seconds":154.3125,)"
              R"("max_seconds":205.75,"bytes":42,"download_bytes":0,"cpu_user_seconds":null,"cpu_system_seconds":null}]})"
              "\n");
    StatsResult empty;
    EXPECT_EQ(stats_json(empty), R"({"window":{"first_day":null,"last_day":null},"grouped":false,"group_by":null,"rows":[]})"
                                 "\n");
}

// CPU times (Determinate Nix): a CPU column, user and system together, only when some row has them; the
// total adds the rows that have them. CSV and JSON keep them apart, empty or null where unknown.
TEST(StatsTable, CpuColumnOnlyWhenSomeRowHasCpuTimes) {
    StatsResult s = per_kind();
    s.rows[0].cpu_user_seconds = 912.5;
    s.rows[0].cpu_system_seconds = 41;
    EXPECT_EQ(stats_table(s, {}),
              "KIND             COUNT  FAILED  CANCELLED     TOTAL      MEAN       P50       P90        MAX        CPU     BYTES\n"
              "build               12       1          0  1h 02min  5min 10s  5min 10s  7min 46s  10min 21s  15min 54s       0 B\n"
              "substitute          40       0          0     12.5s     313ms     313ms     469ms      625ms          -  12.3 MiB\n"
              "copy                 0       0          0         -         -         -         -          -          -       0 B\n"
              "post-build-hook      0       0          0         -         -         -         -          -          -       0 B\n"
              "total               52       1          0  1h 02min  1min 12s                      10min 21s  15min 54s  12.3 MiB\n"
              "\n"
              "4 kinds, 2026-11-19 to 2026-11-25.\n");
    s.rows[1].cpu_user_seconds = 0.25;  // system time unknown: counts as none
    EXPECT_NE(stats_table(s, {}).find("12.5s     313ms     313ms     469ms      625ms      250ms"), std::string::npos)
        << stats_table(s, {});
    EXPECT_NE(stats_table(s, {}).find("10min 21s  15min 54s  12.3 MiB"), std::string::npos)
        << "the total adds 0.25 s: still 15min 54s";
    std::string csv = stats_csv(s);
    EXPECT_NE(csv.find("build,12,1,0,0,3725,310.416667,310.416667,465.625,620.833333,0,0,912.5,41\r\n"),
              std::string::npos)
        << csv;
    EXPECT_NE(csv.find("substitute,40,0,0,0,12.5,0.3125,0.3125,0.46875,0.625,12897485,0,0.25,\r\n"), std::string::npos)
        << csv;
    std::string json = stats_json(s);
    EXPECT_NE(json.find(R"("download_bytes":0,"cpu_user_seconds":912.5,"cpu_system_seconds":41.0})"), std::string::npos)
        << json;
    EXPECT_NE(json.find(R"("cpu_user_seconds":0.25,"cpu_system_seconds":null})"), std::string::npos) << json;
}

// Grouped by user: a row per kind and user; the bus client gave each its uid, the command its name.
StatsResult by_user() {
    StatsResult s;
    s.group_by = GroupBy::user;
    s.window = {"2026-11-19", "2026-11-25"};
    auto row = [](std::string kind, std::uint32_t uid, std::string user, std::uint64_t count, double total) {
        FigureRow r = figures(std::move(kind), "", count, 0, total, 0);
        r.uid = uid;
        r.user = std::move(user);
        return r;
    };
    s.rows = {row("build", 0, "root", 3, 90), row("build", 1000, "alice", 2, 3725),
              row("build", 4242, "4242", 1, 1), row("substitute", 1000, "alice", 4, 2)};
    return s;
}

TEST(StatsByUser, TableHasAUserColumnAndCountsUsers) {
    EXPECT_EQ(stats_table(by_user(), {}),
              "KIND        USER   COUNT  FAILED  CANCELLED     TOTAL       MEAN        P50        P90       MAX  BYTES\n"
              "build       root       3       0          0  1min 30s      30.0s      30.0s      45.0s  1min 00s    0 B\n"
              "build       alice      2       0          0  1h 02min  31min 03s  31min 03s  46min 34s  1h 02min    0 B\n"
              "build       4242       1       0          0      1.0s       1.0s       1.0s       1.5s      2.0s    0 B\n"
              "substitute  alice      4       0          0      2.0s      500ms      500ms      750ms      1.0s    0 B\n"
              "\n"
              "3 users, 2026-11-19 to 2026-11-25.\n")
        << "no total row; the footer counts users, not rows";
    StatsResult one = by_user();
    one.rows = {one.rows[1], one.rows[3]};
    ViewOptions v;
    EXPECT_TRUE(stats_table(one, v).ends_with("\n1 user, 2026-11-19 to 2026-11-25.\n")) << stats_table(one, v);
    v.legend = false;
    EXPECT_EQ(stats_table(one, v),
              "build       alice  2  0  0  1h 02min  31min 03s  31min 03s  46min 34s  1h 02min  0 B\n"
              "substitute  alice  4  0  0      2.0s      500ms      500ms      750ms      1.0s  0 B\n");
}

TEST(StatsByUser, CsvHasUserAndUidInsteadOfName) {
    StatsResult s = by_user();
    s.rows[0].user = "odd,\"name\"";
    EXPECT_EQ(stats_csv(s),
              "kind,user,uid,count,failed,cancelled,unknown_duration,total_seconds,mean_seconds,p50_seconds,"
              "p90_seconds,max_seconds,bytes,download_bytes,cpu_user_seconds,cpu_system_seconds\r\n"
              "build,\"odd,\"\"name\"\"\",0,3,0,0,0,90,30,30,45,60,0,0,,\r\n"
              "build,alice,1000,2,0,0,0,3725,1862.5,1862.5,2793.75,3725,0,0,,\r\n"
              "build,4242,4242,1,0,0,0,1,1,1,1.5,2,0,0,,\r\n"
              "substitute,alice,1000,4,0,0,0,2,0.5,0.5,0.75,1,0,0,,\r\n");
}

TEST(StatsByUser, JsonHasUserAndUidInsteadOfName) {
    StatsResult s = by_user();
    s.rows = {s.rows[1]};
    EXPECT_EQ(stats_json(s),
              R"({"window":{"first_day":"2026-11-19","last_day":"2026-11-25"},"grouped":true,"group_by":"user",)"
              R"("rows":[{"kind":"build","user":"alice","uid":1000,"count":2,"failed":0,"cancelled":0,)"
              R"("unknown_duration":0,"total_seconds":3725.0,"mean_seconds":1862.5,"p50_seconds":1862.5,)"
              R"("p90_seconds":2793.75,"max_seconds":3725.0,"bytes":0,"download_bytes":0,"cpu_user_seconds":null,)"
              R"("cpu_system_seconds":null}]})"
              "\n");
    rapidjson::Document d;
    std::string text = stats_json(by_user());
    d.Parse(text.c_str());
    ASSERT_FALSE(d.HasParseError()) << text;
    for (const auto& r : d["rows"].GetArray()) ASSERT_TRUE(r.HasMember("user") && r.HasMember("uid")) << text;
    EXPECT_EQ(std::string(d["rows"][2]["user"].GetString()), "4242") << "no name: the uid, as text";
    EXPECT_TRUE(d["rows"][2]["uid"].IsUint());
    for (const auto& r : d["rows"].GetArray()) EXPECT_FALSE(r.HasMember("name"));
    EXPECT_TRUE(d["grouped"].GetBool());
    // The other shapes say how they are grouped too.
    EXPECT_NE(stats_json(per_kind()).find(R"("grouped":false,"group_by":null,)"), std::string::npos);
}

BucketResult days() {
    BucketResult b;
    b.unit = "day";
    b.window = {"2026-11-23", "2026-11-25"};
    for (const char* day : {"2026-11-23", "2026-11-24", "2026-11-25"}) {
        for (const char* kind : {"build", "substitute"}) {
            FigureRow r;
            r.bucket = day;
            r.kind = kind;
            b.rows.push_back(r);
        }
    }
    b.rows[0] = figures("build", "", 2, 0, 60, 0);
    b.rows[0].bucket = "2026-11-23";
    b.rows[4] = figures("build", "", 4, 1, 240, 0);
    b.rows[4].bucket = "2026-11-25";
    b.rows[5] = figures("substitute", "", 1, 0, 30, 1000);
    b.rows[5].bucket = "2026-11-25";
    return b;
}

TEST(BucketTable, EveryBucketKindsThatNeverRanLeftOut) {
    BucketResult b = days();
    b.rows[5] = FigureRow{};  // substitute: nothing in the whole window
    b.rows[5].bucket = "2026-11-25";
    b.rows[5].kind = "substitute";
    EXPECT_EQ(bucket_table(b, {}),
              "BUCKET      KIND   COUNT  FAILED  CANCELLED     TOTAL      MEAN       P50       P90       MAX  BYTES\n"
              "2026-11-23  build      2       0          0  1min 00s     30.0s     30.0s     45.0s  1min 00s    0 B\n"
              "2026-11-24  build      0       0          0         -         -         -         -         -    0 B\n"
              "2026-11-25  build      4       1          0  4min 00s  1min 00s  1min 00s  1min 30s  2min 00s    0 B\n"
              "\n"
              "3 days, 2026-11-23 to 2026-11-25.\n");
    EXPECT_EQ(bucket_json(b).substr(0, 93),
              R"({"unit":"day","window":{"first_day":"2026-11-23","last_day":"2026-11-25"},"rows":[{"bucket":")");
    EXPECT_EQ(bucket_csv(b).substr(0, 12), "bucket,kind,");
}

TEST(BucketChart, BarsScaledToTheWidthWithLabels) {
    ViewOptions v;
    v.width = 40;
    EXPECT_EQ(bucket_chart(days(), v),
              "Time per day (all kinds), 2026-11-23 to 2026-11-25\n"
              "2026-11-23  ████▎               1min 00s\n"
              "2026-11-24                           0ms\n"
              "2026-11-25  ███████████████████ 4min 30s\n"
              "\n"
              "Total 5min 30s in 3 days.\n");
    v.unicode = false;
    v.legend = false;
    v.width = 35;
    EXPECT_EQ(bucket_chart(days(), v),
              "2026-11-23  ###            1min 00s\n"
              "2026-11-24                      0ms\n"
              "2026-11-25  ############## 4min 30s\n");
    v.width = 20;
    EXPECT_EQ(bucket_chart(days(), v).substr(0, 32), "2026-11-23  ##         1min 00s\n")
        << "at least 10 columns of bar on a narrow terminal";
}

TEST(BucketChart, NothingRanStillShowsEveryBucket) {
    BucketResult b = days();
    for (auto& r : b.rows) {
        FigureRow zero;
        zero.bucket = r.bucket;
        zero.kind = r.kind;
        r = zero;
    }
    ViewOptions v;
    v.legend = false;
    v.width = 30;
    EXPECT_EQ(bucket_chart(b, v),
              "2026-11-23                 0ms\n"
              "2026-11-24                 0ms\n"
              "2026-11-25                 0ms\n");
}

ComparisonResult comparison() {
    ComparisonResult t;
    t.grouped = true;
    t.old_window = {"2026-10-12", "2026-10-25"};
    t.new_window = {"2026-10-26", "2026-11-25"};
    using Row = ComparisonRow;
    Row slower{"build", "firefox-131.0", 12, 14, 600, 660, 10, 0.004, 0.008, true, false, "exact", 0.6, 58};
    Row same{"build", "hello-2.12", 30, 28, 3.2, 3.3, 3.125, 0.4, 0.4, false, false, "normal", 0.1, 0.1};
    Row few{"build", "jq-1.7", 2, 1, 10, 8, -20, 1, 1, false, true, "exact", -1, -2};
    Row none{"copy", "gone", 3, 0, 5, nan, nan, 1, 1, false, true, "exact", nan, nan};
    t.rows = {slower, same, few, none};
    return t;
}

TEST(ComparisonTable, BenchstatStyle) {
    EXPECT_EQ(
        comparison_table(comparison(), {}),
        "KIND   NAME           OLD MEDIAN  NEW MEDIAN  CHANGE      P      N\n"
        "build  firefox-131.0   10min 00s   11min 00s  +10.0%  0.008  12+14\n"
        "build  hello-2.12           3.2s        3.3s       ~  0.400  30+28\n"
        "build  jq-1.7              10.0s        8.0s       ~  1.000    2+1\n"
        "copy   gone                 5.0s           -       ~  1.000    3+0\n"
        "\n"
        "old: 2026-10-12 to 2026-10-25, new: 2026-10-26 to 2026-11-25.\n"
        "P: two-sided Mann-Whitney U, Holm-adjusted across names; ~: no significant change (P >= 0.05); N: "
        "old+new samples.\n");
    ViewOptions color;
    color.color = true;
    color.legend = false;
    EXPECT_NE(comparison_table(comparison(), color).find("\x1b[31m+10.0%\x1b[0m"), std::string::npos)
        << "a slowdown in red";
}

TEST(ComparisonTable, WarningsForTooFewSamples) {
    EXPECT_EQ(
        comparison_warnings(comparison()),
        (std::vector<std::string>{
            "warning: build jq-1.7: too few samples (2 old, 1 new) for any change to be significant; compare "
            "longer windows with --days or --months",
            "warning: copy gone: too few samples (3 old, 0 new) for any change to be significant; compare "
            "longer windows with --days or --months"}));
    ComparisonResult many = comparison();
    for (int i = 0; i < 3; ++i) many.rows.push_back(many.rows[2]);
    EXPECT_EQ(
        comparison_warnings(many),
        (std::vector<std::string>{"warning: 5 of 7 comparisons have too few samples for any change to be "
                                  "significant; compare longer windows with --days or --months"}));
}

TEST(ComparisonJson, NaNIsNull) {
    rapidjson::Document d;
    std::string text = comparison_json(comparison());
    d.Parse(text.c_str());
    ASSERT_FALSE(d.HasParseError()) << text;
    EXPECT_EQ(std::string(d["windows"]["old"]["first_day"].GetString()), "2026-10-12");
    const auto& gone = d["rows"][3];
    EXPECT_TRUE(gone["median_new_seconds"].IsNull());
    EXPECT_TRUE(gone["change_percent"].IsNull());
    EXPECT_EQ(gone["median_old_seconds"].GetDouble(), 5.0);
    EXPECT_EQ(d["rows"][0]["change_percent"].GetDouble(), 10.0);
    EXPECT_TRUE(d["rows"][0]["significant"].GetBool());
    EXPECT_EQ(std::string(d["rows"][0]["method"].GetString()), "exact");
    EXPECT_EQ(comparison_csv(comparison()).substr(0, 30), "kind,name,n_old,n_new,median_o");
}

}  // namespace
}  // namespace nod::ctl
