// nodctl top's frames, without a terminal or a bus.
#include "ctl/top_view.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "ctl/format_table.hpp"

namespace nod::ctl {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

RunningRow row(const std::string& kind, const std::string& name, double elapsed, double expected) {
    RunningRow r;
    r.kind = kind;
    r.name = name;
    r.user = "alice";
    r.elapsed_seconds = elapsed;
    r.expected_seconds = expected;
    return r;
}

std::vector<std::string> lines_of(const std::string& frame) {
    std::vector<std::string> out;
    std::istringstream in(frame);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

TopState sample() {
    TopState s;
    s.fetched_at = 1000;
    s.running.in_flight = 3;
    s.running.rows = {row("build", "short-1.0", 5, 50), row("build", "firefox-133.0", 600, 500),
                      row("substitute", "glibc-2.40", 2, nan)};
    FinishedActivity f;
    f.kind = "build";
    f.name = "broken-1.0";
    f.user = "bob";
    f.outcome = "failed";
    f.duration_seconds = 3.2;
    f.at_seconds = 990;
    s.add_finished(f);
    return s;
}

TEST(TopView, FitsAPlainTerminalLongestFirst) {
    ViewOptions view;
    view.color = false;
    view.unicode = false;
    auto lines = lines_of(render_top(sample(), 1010, 80, 24, view));
    ASSERT_LE(lines.size(), 24u);
    for (const auto& l : lines) EXPECT_LE(display_width(l), 80u) << l;
    EXPECT_TRUE(lines[0].starts_with("nod top: 3 activities in flight, done in about 35.0s")) << lines[0];
    EXPECT_TRUE(lines[2].starts_with("KIND")) << lines[2];
    EXPECT_NE(lines[3].find("firefox-133.0"), std::string::npos) << "the longest running first:\n" << lines[3];
    EXPECT_NE(lines[3].find("10min 10s"), std::string::npos) << "elapsed ticks on after the answer: " << lines[3];
    EXPECT_NE(lines[3].find("[########] 122%"), std::string::npos) << "\n" << render_top(sample(), 1010, 80, 24, view);
    EXPECT_NE(lines[4].find("short-1.0"), std::string::npos);
    EXPECT_NE(lines[4].find("[##......] 30%"), std::string::npos) << lines[4];
    EXPECT_NE(lines[5].find("glibc-2.40"), std::string::npos);
    std::string frame = render_top(sample(), 1010, 80, 24, view);
    EXPECT_NE(frame.find("Last finished"), std::string::npos);
    EXPECT_NE(frame.find("broken-1.0"), std::string::npos);
    EXPECT_EQ(lines.back(), "q: quit");
    EXPECT_EQ(frame.find("\033["), std::string::npos) << "no colour asked for";
}

TEST(TopView, RedForLateAndFailedWithColour) {
    ViewOptions view;
    view.color = true;
    std::string frame = render_top(sample(), 1010, 80, 24, view);
    auto lines = lines_of(frame);
    EXPECT_NE(lines[3].find("\033[31m"), std::string::npos) << "firefox is past its expectation";
    EXPECT_EQ(lines[4].find("\033[31m"), std::string::npos) << "short-1.0 is not";
    EXPECT_NE(frame.find("\033[31mfailed"), std::string::npos);
}

TEST(TopView, ASmallTerminalCutsRowsNotLines) {
    TopState s = sample();
    for (int i = 0; i < 40; ++i) s.running.rows.push_back(row("build", "p-" + std::to_string(i), i, nan));
    s.running.in_flight = 43;
    ViewOptions view;
    view.color = false;
    auto lines = lines_of(render_top(s, 1010, 40, 12, view));
    EXPECT_LE(lines.size(), 12u);
    for (const auto& l : lines) EXPECT_LE(display_width(l), 40u) << l;
    std::string frame = render_top(s, 1010, 40, 12, view);
    EXPECT_NE(frame.find("more"), std::string::npos) << frame;
}

TEST(TopView, NothingRunning) {
    TopState s;
    s.fetched_at = 5;
    ViewOptions view;
    auto lines = lines_of(render_top(s, 5, 80, 24, view));
    EXPECT_TRUE(lines[0].starts_with("nod top: 0 activities in flight")) << lines[0];
    EXPECT_LT(remaining_seconds(s.running, 0), 0);
}

TEST(TopView, RemainingIsTheLongestExpectationLeft) {
    RunningResult r;
    r.rows = {row("build", "a", 10, 100), row("build", "b", 10, 30), row("build", "c", 500, 100), row("build", "d", 1, nan)};
    EXPECT_DOUBLE_EQ(remaining_seconds(r, 5), 85.0);
    r.rows = {row("build", "c", 500, 100)};
    EXPECT_DOUBLE_EQ(remaining_seconds(r, 0), 0.0);
}

}  // namespace
}  // namespace nod::ctl
