// The exposition of a hand-made snapshot, line by line, in both formats.
#include "metrics/exposition.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace nod::metrics {
namespace {

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : lines(text))
        if (l == line) return true;
    return false;
}

Snapshot sample() {
    Snapshot s;
    s.up = true;
    s.bounds_seconds = {0.1, 1, 60};
    s.activities = {
        {"build", "succeeded", "", 3, 3, 4'500'000, 0, 0},
        {"build", "failed", "", 1, 1, 61'000'001, 0, 0},
        {"substitute", "succeeded", "", 5, 4, 2'000'000, 1000, 400},
        {"copy", "succeeded", "out", 2, 2, 1'000'000, 300, 0},
        {"copy", "succeeded", "in", 1, 0, 0, 7, 0},
    };
    s.durations = {{"build", {0, 2, 1, 1}}, {"substitute", {4, 0, 0, 0}}, {"copy", {1, 1, 0, 0}}};
    s.substituters = {{"https://cache.nixos.org", "succeeded", 4, 900, 350}, {"", "succeeded", 1, 100, 50},
                      {"https://cache.nixos.org", "failed", 1, 0, 0}};
    s.running = {{"build", 2}};
    s.health.connections = 3;
    s.health.lines_read = 1234;
    s.health.rows = 12;
    s.health.database_bytes = 4096;
    s.health.write_errors = 0;
    s.health.refusals = {{"line-too-long", 2}};
    return s;
}

TEST(Exposition, CountersPerKindAndOutcomeWithZeros) {
    std::string text = render(sample(), Format::text);
    EXPECT_TRUE(has_line(text, "# TYPE nod_activities_total counter"));
    EXPECT_TRUE(has_line(text, "nod_activities_total{kind=\"build\",outcome=\"succeeded\"} 3"));
    EXPECT_TRUE(has_line(text, "nod_activities_total{kind=\"build\",outcome=\"failed\"} 1"));
    EXPECT_TRUE(has_line(text, "nod_activities_total{kind=\"post-build-hook\",outcome=\"unknown\"} 0"));
    // Copies in both directions add up in one series per kind and outcome.
    EXPECT_TRUE(has_line(text, "nod_activities_total{kind=\"copy\",outcome=\"succeeded\"} 3"));
}

TEST(Exposition, HistogramIsCumulativeWithExactSum) {
    std::string text = render(sample(), Format::text);
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_bucket{kind=\"build\",le=\"0.1\"} 0"));
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_bucket{kind=\"build\",le=\"1.0\"} 2"));
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_bucket{kind=\"build\",le=\"60.0\"} 3"));
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_bucket{kind=\"build\",le=\"+Inf\"} 4"));
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_sum{kind=\"build\"} 65.500001"));
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_count{kind=\"build\"} 4"));
    // A kind without rows still has every bucket, at 0.
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_bucket{kind=\"post-build-hook\",le=\"+Inf\"} 0"));
    EXPECT_TRUE(has_line(text, "nod_activity_duration_seconds_sum{kind=\"post-build-hook\"} 0"));
}

TEST(Exposition, BytesAndSubstituters) {
    std::string text = render(sample(), Format::text);
    EXPECT_TRUE(has_line(text, "nod_transferred_bytes_total{kind=\"substitute\",direction=\"in\"} 1000"));
    EXPECT_TRUE(has_line(text, "nod_transferred_bytes_total{kind=\"copy\",direction=\"in\"} 7"));
    EXPECT_TRUE(has_line(text, "nod_transferred_bytes_total{kind=\"copy\",direction=\"out\"} 300"));
    EXPECT_TRUE(has_line(text, "nod_substitutions_total{substituter=\"https://cache.nixos.org\",outcome=\"succeeded\"} 4"));
    EXPECT_TRUE(has_line(text, "nod_substitutions_total{substituter=\"https://cache.nixos.org\",outcome=\"failed\"} 1"));
    EXPECT_TRUE(has_line(text, "nod_substitutions_total{substituter=\"other\",outcome=\"succeeded\"} 1"));
    EXPECT_TRUE(has_line(text, "nod_substitutions_total{substituter=\"other\",outcome=\"cancelled\"} 0"));
    EXPECT_TRUE(has_line(text, "nod_substituted_bytes_total{substituter=\"https://cache.nixos.org\"} 900"));
    EXPECT_TRUE(has_line(text, "nod_downloaded_bytes_total{substituter=\"other\"} 50"));
}

TEST(Exposition, RunningAndHealth) {
    std::string text = render(sample(), Format::text);
    EXPECT_TRUE(has_line(text, "nod_up 1"));
    EXPECT_TRUE(has_line(text, "nod_running_activities{kind=\"build\"} 2"));
    EXPECT_TRUE(has_line(text, "nod_running_activities{kind=\"copy\"} 0"));
    EXPECT_TRUE(has_line(text, "nod_connections 3"));
    EXPECT_TRUE(has_line(text, "nod_lines_read_total 1234"));
    EXPECT_TRUE(has_line(text, "nod_refusals_total{reason=\"line-too-long\"} 2"));
    // Every reason from the first scrape, so that increase() sees the first refusal of each.
    for (auto reason : known_refusal_reasons) {
        if (reason == "line-too-long") continue;
        EXPECT_TRUE(has_line(text, "nod_refusals_total{reason=\"" + std::string(reason) + "\"} 0")) << reason;
    }
    EXPECT_TRUE(has_line(text, "nod_rows 12"));
    EXPECT_TRUE(has_line(text, "nod_database_bytes 4096"));
    EXPECT_TRUE(has_line(text, "nod_write_errors_total 0"));
}

TEST(Exposition, DownShowsOnlyUp) {
    Snapshot down;
    down.error = "no bus";
    EXPECT_EQ(render(down, Format::text),
              "# HELP nod_up 1 when nod-collector answered this scrape, 0 when it could not be reached.\n"
              "# TYPE nod_up gauge\nnod_up 0\n");
    std::string om = render(down, Format::openmetrics);
    EXPECT_TRUE(has_line(om, "nod_up 0"));
    EXPECT_EQ(lines(om).back(), "# EOF");
}

TEST(Exposition, OpenMetricsNamesFamiliesWithoutTotalAndGivesUnits) {
    std::string om = render(sample(), Format::openmetrics);
    EXPECT_TRUE(has_line(om, "# TYPE nod_activities counter"));
    EXPECT_FALSE(has_line(om, "# TYPE nod_activities_total counter"));
    EXPECT_TRUE(has_line(om, "nod_activities_total{kind=\"build\",outcome=\"succeeded\"} 3"));
    EXPECT_TRUE(has_line(om, "# UNIT nod_activity_duration_seconds seconds"));
    EXPECT_TRUE(has_line(om, "# TYPE nod_transferred_bytes counter"));
    EXPECT_TRUE(has_line(om, "# UNIT nod_transferred_bytes bytes"));
    EXPECT_TRUE(has_line(om, "# UNIT nod_database_bytes bytes"));
    EXPECT_EQ(lines(om).back(), "# EOF");
    // Nothing after # EOF, and every family's TYPE comes before its samples.
    EXPECT_EQ(om.substr(om.size() - 6), "# EOF\n");
    EXPECT_LT(om.find("# TYPE nod_rows gauge"), om.find("\nnod_rows "));
}

TEST(Exposition, SameSamplesInBothFormats) {
    auto samples = [](const std::string& text) {
        std::vector<std::string> out;
        for (const auto& l : lines(text))
            if (!l.starts_with("#")) out.push_back(l);
        return out;
    };
    EXPECT_EQ(samples(render(sample(), Format::text)), samples(render(sample(), Format::openmetrics)));
}

TEST(Exposition, LabelValuesAreEscapedAndUtf8) {
    EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(escape_label_value("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(escape_label_value("bad\xff" "x"), "bad\xef\xbf\xbdx");
    EXPECT_EQ(escape_label_value("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
    EXPECT_EQ(escape_label_value("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
    EXPECT_EQ(escape_label_value("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");  // cut short
    Snapshot s = sample();
    s.substituters = {{"https://evil\"} 1\nnod_up 0 #", "succeeded", 1, 0, 0}};
    std::string text = render(s, Format::text);
    EXPECT_FALSE(has_line(text, "nod_up 0 #\"} 1"));
    EXPECT_TRUE(has_line(text, "nod_substitutions_total{substituter=\"https://evil\\\"} 1\\nnod_up 0 #\",outcome=\"succeeded\"} 1"));
}

TEST(Exposition, Numbers) {
    EXPECT_EQ(bound_label(0.1), "0.1");
    EXPECT_EQ(bound_label(0.25), "0.25");
    EXPECT_EQ(bound_label(1), "1.0");
    EXPECT_EQ(bound_label(172800), "172800.0");
    EXPECT_EQ(micros_as_seconds(0), "0");
    EXPECT_EQ(micros_as_seconds(1), "0.000001");
    EXPECT_EQ(micros_as_seconds(12'500'000), "12.5");
    EXPECT_EQ(micros_as_seconds(18'446'744'073'709'551'615u), "18446744073709.551615");
}

TEST(Exposition, ContentTypes) {
    EXPECT_EQ(content_type(Format::text), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(content_type(Format::openmetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

}  // namespace
}  // namespace nod::metrics
