// nodctl end to end: the real binary against the real nod-collector on a private bus with the shipped
// policy, holding the nix-2.30 corpus (h1–h7).
//
// Determinism of the goldens: the corpus is read by the Reader with the capture's own clock (receipt
// time = today's local noon + the recorded second) and stored with the Store, exactly as the collector
// stores what it reads, before the collector starts on that database. Durations are then the recorded
// ones, every run alike, so the goldens hold the complete output: counts, outcomes, names, durations,
// bytes and the layout. Only the dates depend on the day the test runs; they are written in the goldens
// relative to today, as wide as the dates they stand for: {today   },
// {today-2 }, {week  } (this ISO week), {month} (this month). The live path (Nix → socket →
// collector → nodctl) is checked separately without goldens (LiveRowsReachNodctl).
//
// NOD_UPDATE_GOLDEN=1 rewrites the golden files from the output; read every changed line before
// committing them.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <pwd.h>
#include <time.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "collector_fixture.hpp"
#include "reader/determinate_streams.hpp"
#include "reader/reader.hpp"
#include "replay/capture.hpp"
#include "store/store.hpp"

namespace nod::test {
namespace {

namespace fs = std::filesystem;

const fs::path nodctl_binary = NODCTL;
const fs::path golden_dir = NOD_CTL_GOLDEN;
const RunAs nobody{65534, 65534};
const std::vector<std::string> scenarios = {"h1-daemon-newcli", "h2-daemon-legacy", "h3-daemon-depfail",
                                            "h4-local-fail",    "h5-daemon-subst",  "h6-daemon-many",
                                            "h7-local-interrupt"};

// ---- dates relative to today ----------------------------------------------------------------------

std::tm local_today_noon() {
    time_t now = time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    tm.tm_hour = 12;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return tm;
}

Micros today_noon_micros() {
    std::tm tm = local_today_noon();
    return static_cast<Micros>(mktime(&tm)) * 1'000'000;
}

enum class DayFormat { day, week, month };

// Today + offset days as YYYY-MM-DD, its ISO week as YYYY-Www, or its month as YYYY-MM.
std::string format_day(int offset, DayFormat format = DayFormat::day) {
    std::tm tm = local_today_noon();
    tm.tm_mday += offset;
    mktime(&tm);
    char buf[32];
    switch (format) {
    case DayFormat::day: strftime(buf, sizeof buf, "%Y-%m-%d", &tm); break;
    case DayFormat::week: strftime(buf, sizeof buf, "%G-W%V", &tm); break;
    case DayFormat::month: strftime(buf, sizeof buf, "%Y-%m", &tm); break;
    }
    return buf;
}

// Dates in nodctl's output, written relative to today so that the goldens hold on any day.
std::string normalise_dates(const std::string& text) {
    std::map<std::string, std::string> names;
    // Placeholders as wide as what they stand for, so that the goldens show the real alignment.
    auto padded = [](std::string name, std::size_t width) {
        name.resize(width - 1, ' ');
        return name + "}";
    };
    for (int d = -99; d <= 0; ++d)
        names[format_day(d)] = padded(d == 0 ? "{today" : "{today" + std::to_string(d), 10);  // {today-2 }
    names[format_day(0, DayFormat::week)] = padded("{week", 8);                             // {week  }
    names[format_day(0, DayFormat::month)] = "{month}";
    static const std::regex date(R"(\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}|\d{4}-\d{2})");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), date);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        out += text.substr(last, static_cast<std::size_t>(it->position()) - last);
        auto found = names.find(it->str());
        out += found != names.end() ? found->second : it->str();
        last = static_cast<std::size_t>(it->position() + it->length());
    }
    return out + text.substr(last);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Compares with tests/ctl/golden/NAME.txt (after the dates are made relative).
void expect_golden(const std::string& name, const std::string& output) {
    std::string text = normalise_dates(output);
    fs::path file = golden_dir / (name + ".txt");
    if (const char* update = std::getenv("NOD_UPDATE_GOLDEN"); update && std::string(update) == "1") {
        std::ofstream(file, std::ios::binary) << text;
        return;
    }
    ASSERT_TRUE(fs::exists(file)) << file << " is missing; run with NOD_UPDATE_GOLDEN=1 and read it. Output:\n"
                                  << text;
    EXPECT_EQ(text, read_file(file)) << "differs from " << file;
}

// ---- the loaded collector, shared by the read-only tests -------------------------------------------

// What was stored of the build kind, to compare nodctl's figures with.
struct Stored {
    std::uint64_t builds = 0;  // today
    double build_seconds = 0;
    std::uint64_t old_builds = 0;  // eight days ago
};

// Reads the corpus with the capture clock and stores the rows as the collector would.
Stored load_corpus(const fs::path& db) {
    Stored stored;
    store::Store store(db);
    Micros noon = today_noon_micros();
    Micros base = noon;
    for (const auto& s : scenarios) {
        std::vector<Row> rows;
        Reader reader({}, [&](Row&& r) { rows.push_back(std::move(r)); });
        replay::ReplayOptions options;
        options.base = base;
        replay::replay(replay::load_capture_folder(corpus / "nix-2.30" / s), reader, options);
        store.write(rows);
        for (const auto& r : rows) {
            if (r.kind != Kind::build) continue;
            ++stored.builds;
            if (r.duration) stored.build_seconds += static_cast<double>(*r.duration) / 1e6;
        }
        base += 60'000'000;  // one minute apart: still today
    }
    // A history for Test to compare with: h6's 200 builds once more, eight days ago, every duration
    // halved. `nodctl test --days 7` must then find the builds twice as slow now, significantly.
    std::vector<Row> old_rows;
    Reader reader({}, [&](Row&& r) { old_rows.push_back(std::move(r)); });
    replay::ReplayOptions options;
    options.base = noon - 8 * 86'400'000'000LL;
    replay::replay(replay::load_capture_folder(corpus / "nix-2.30" / "h6-daemon-many"), reader, options);
    for (auto& r : old_rows)
        if (r.duration) *r.duration /= 2;
    store.write(old_rows);
    stored.old_builds = old_rows.size();
    return stored;
}

struct Loaded {
    TempDir dir;
    PrivateBus bus{policy_dir, collector_may_own};
    std::optional<NotifySocket> notify;
    std::optional<Process> collector;

    Stored stored;

    Loaded() {
        stored = load_corpus(dir / "nod.db");
        notify.emplace(dir / "notify");
        Env env = {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}, {"NOTIFY_SOCKET", notify->path().string()}};
        collector.emplace(std::vector<std::string>{collector_binary.string(), "--socket", (dir / "nod.sock").string(),
                                                   "--db", (dir / "nod.db").string()},
                          env, dir / "collector.log");
        if (!notify->wait_for("READY=1")) throw std::runtime_error("the collector did not start");
    }
};

Env nodctl_env(const std::string& bus_address) {
    // Not a terminal (a pipe), a fixed width, a UTF-8 locale, NO_COLOR unset.
    return {{"DBUS_SYSTEM_BUS_ADDRESS", bus_address}, {"NO_COLOR", ""}, {"COLUMNS", "72"},
            {"LC_ALL", "C.UTF-8"}, {"TERM", "xterm-256color"}};
}

CommandResult nodctl_at(const std::string& bus_address, std::vector<std::string> args, Env extra = {},
                        std::optional<RunAs> as = {}) {
    std::vector<std::string> argv = {nodctl_binary.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    Env env = nodctl_env(bus_address);
    for (auto& [k, v] : extra) env[k] = v;
    return run(argv, env, as);
}

class NodctlTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { loaded = new Loaded(); }
    static void TearDownTestSuite() {
        delete loaded;
        loaded = nullptr;
    }
    static CommandResult nodctl(std::vector<std::string> args, Env extra = {}, std::optional<RunAs> as = {}) {
        return nodctl_at(loaded->bus.address(), std::move(args), std::move(extra), as);
    }
    // Runs nodctl, expects success and nothing on stderr, returns stdout.
    static std::string ok(std::vector<std::string> args, Env extra = {}) {
        auto r = nodctl(args, std::move(extra));
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err, "");
        return r.out;
    }
    static Loaded* loaded;
};
Loaded* NodctlTest::loaded = nullptr;

std::string without_cr(std::string csv) {
    std::string out;
    for (std::size_t i = 0; i < csv.size(); ++i) {
        if (csv[i] == '\r') {
            EXPECT_TRUE(i + 1 < csv.size() && csv[i + 1] == '\n') << "CR only before LF";
            continue;
        }
        if (csv[i] == '\n') {
            EXPECT_TRUE(i > 0 && csv[i - 1] == '\r') << "every CSV record ends in CRLF (RFC 4180)";
        }
        out += csv[i];
    }
    return out;
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    EXPECT_FALSE(d.HasParseError()) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "one document on one line";
    return d;
}

// What the corpus's builders wrote down (truth.log): the figures of the build kind.
struct BuildTruth {
    std::uint64_t count = 0, failed = 0, cancelled = 0;
    double seconds = 0;
};

BuildTruth build_truth() {
    BuildTruth t;
    for (const auto& s : scenarios) {
        for (const auto& e : replay::load_truth(corpus / "nix-2.30" / s / "truth.log")) {
            ++t.count;
            if (!e.ended) {
                ++t.cancelled;
            } else {
                if (e.rc != 0) ++t.failed;
                t.seconds += e.end - e.start;
            }
        }
    }
    return t;
}

// ---- every command and output format, against goldens -----------------------------------------------

TEST_F(NodctlTest, StatsTable) {
    std::string out = ok({"stats"});
    expect_golden("stats", out);
    EXPECT_EQ(ok({}), out) << "nodctl without a command is nodctl stats";
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << "no colour into a pipe";
}

TEST_F(NodctlTest, StatsTableWithoutLegend) {
    expect_golden("stats-no-legend", ok({"--no-legend", "stats"}));
    EXPECT_EQ(ok({"stats", "--no-legend"}), ok({"--no-legend"})) << "global options go before or after the command";
}

TEST_F(NodctlTest, StatsGroupedSortedAndLimited) {
    expect_golden("stats-group-time-limit3", ok({"stats", "--group", "--sort", "time", "--limit", "3"}));
    expect_golden("stats-group-name-drv", ok({"stats", "--days", "7", "--group", "--sort", "name", "--drv", "h"
                                                                                                         "f-"}));
    expect_golden("stats-kind-substitute", ok({"stats", "--kind", "substitute", "--group"}));
}

TEST_F(NodctlTest, StatsCsv) {
    std::string out = ok({"stats", "--output", "csv"});
    expect_golden("stats-csv", without_cr(out));
    expect_golden("stats-group-csv", without_cr(ok({"stats", "--group", "--drv", "hl-", "-o", "csv"})));
}

TEST_F(NodctlTest, BucketTables) {
    expect_golden("bucket-day", ok({"bucket", "day", "--days", "3"}));
    expect_golden("bucket-week", ok({"bucket", "week", "--days", "1", "--kind", "build"}));
    expect_golden("bucket-month-csv", without_cr(ok({"bucket", "month", "--days", "1", "--output", "csv"})));
}

TEST_F(NodctlTest, BucketChart) {
    expect_golden("bucket-day-chart", ok({"bucket", "day", "--days", "3", "--output", "chart"}));
    expect_golden("bucket-day-chart-ascii", ok({"bucket", "day", "--days", "3", "--output", "chart"},
                                               {{"LC_ALL", "C"}, {"COLUMNS", "50"}}));
    for (const char* columns : {"40", "100", "160"}) {
        std::string out = ok({"--no-legend", "bucket", "day", "--days", "3", "-o", "chart"}, {{"COLUMNS", columns}});
        std::istringstream lines(out);
        std::string line;
        std::size_t widest = 0;
        while (std::getline(lines, line)) {
            std::size_t w = 0;
            for (unsigned char c : line) w += (c & 0xC0) != 0x80;
            widest = std::max(widest, w);
        }
        EXPECT_EQ(widest, std::stoul(columns)) << "the longest bar fills the width:\n" << out;
    }
}

TEST_F(NodctlTest, TestOutputIsBenchstatLike) {
    auto r = nodctl({"stats", "--output", "test"});
    ASSERT_EQ(r.status, 0) << r.err;
    expect_golden("test", r.out);
    EXPECT_EQ(r.err,
              "nodctl: warning: build: too few samples (0 old, 421 new) for any change to be significant; compare "
              "longer windows with --days or --months\n"
              "nodctl: warning: substitute: too few samples (0 old, 2 new) for any change to be significant; compare "
              "longer windows with --days or --months\n")
        << "warnings go to stderr, the table alone to stdout";
    auto same = nodctl({"test"});
    EXPECT_EQ(same.out, r.out) << "nodctl test is stats --output test";
    EXPECT_EQ(same.err, r.err);

    // This week against last week: h6 took twice as long now.
    auto week = nodctl({"stats", "--days", "7", "--output", "test"});
    ASSERT_EQ(week.status, 0) << week.err;
    expect_golden("test-days7", week.out);
    auto grouped = nodctl({"test", "--group", "--drv", "hm-pkg-19", "--days", "7"});
    ASSERT_EQ(grouped.status, 0) << grouped.err;
    expect_golden("test-group", grouped.out);
    expect_golden("test-group-warnings", grouped.err);
    expect_golden("test-csv", without_cr(ok({"test", "--days", "7", "-o", "csv"})));
}

// ---- JSON, field by field ---------------------------------------------------------------------------

TEST_F(NodctlTest, StatsJsonFields) {
    auto d = parse_json(ok({"stats", "--days", "1", "--output", "json"}));  // today: the corpus once
    ASSERT_TRUE(d.IsObject());
    EXPECT_EQ(std::string(d["window"]["first_day"].GetString()), format_day(0));
    EXPECT_EQ(std::string(d["window"]["last_day"].GetString()), format_day(0));
    EXPECT_FALSE(d["grouped"].GetBool());
    const auto& rows = d["rows"];
    ASSERT_EQ(rows.Size(), 4u);
    const char* kinds[] = {"build", "substitute", "copy", "post-build-hook"};
    for (rapidjson::SizeType i = 0; i < 4; ++i) {
        EXPECT_EQ(std::string(rows[i]["kind"].GetString()), kinds[i]);
        EXPECT_FALSE(rows[i].HasMember("name")) << "name only when grouped";
        std::vector<std::string> keys;
        for (auto m = rows[i].MemberBegin(); m != rows[i].MemberEnd(); ++m) keys.emplace_back(m->name.GetString());
        EXPECT_EQ(keys, (std::vector<std::string>{"kind", "count", "failed", "cancelled", "unknown_duration",
                                                  "total_seconds", "mean_seconds", "p50_seconds", "p90_seconds",
                                                  "max_seconds", "bytes", "download_bytes", "cpu_user_seconds",
                                                  "cpu_system_seconds"}));
        for (const char* k : {"count", "failed", "cancelled", "unknown_duration", "bytes", "download_bytes"})
            EXPECT_TRUE(rows[i][k].IsUint64()) << k;
        for (const char* k : {"total_seconds", "mean_seconds", "p50_seconds", "p90_seconds", "max_seconds"})
            EXPECT_TRUE(rows[i][k].IsNumber()) << k;
        for (const char* k : {"cpu_user_seconds", "cpu_system_seconds"})
            EXPECT_TRUE(rows[i][k].IsNull()) << k << ": upstream Nix reports no CPU time";
    }
    BuildTruth truth = build_truth();
    const auto& build = rows[0];
    EXPECT_EQ(build["count"].GetUint64(), truth.count);
    EXPECT_EQ(build["failed"].GetUint64(), truth.failed);
    EXPECT_EQ(build["cancelled"].GetUint64(), truth.cancelled);
    EXPECT_EQ(build["unknown_duration"].GetUint64(), 0u);
    EXPECT_EQ(loaded->stored.builds, truth.count);
    EXPECT_NEAR(build["total_seconds"].GetDouble(), loaded->stored.build_seconds, 1e-5) << "the stored durations";
    EXPECT_GE(build["total_seconds"].GetDouble(), truth.seconds * 0.95) << "at least the builds that ended";
    EXPECT_NEAR(build["mean_seconds"].GetDouble() * static_cast<double>(truth.count), build["total_seconds"].GetDouble(),
                1e-6);
    EXPECT_LE(build["p50_seconds"].GetDouble(), build["p90_seconds"].GetDouble());
    EXPECT_LE(build["p90_seconds"].GetDouble(), build["max_seconds"].GetDouble() * 1.025);
    const auto& subst = rows[1];
    EXPECT_EQ(subst["count"].GetUint64(), 2u);
    EXPECT_EQ(subst["bytes"].GetUint64(), 7000800u) << "hs-small-1 and hs-big-2 (6000520)";
    for (rapidjson::SizeType i = 2; i < 4; ++i) {
        EXPECT_EQ(rows[i]["count"].GetUint64(), 0u);
        EXPECT_EQ(rows[i]["total_seconds"].GetDouble(), 0.0);
    }
}

TEST_F(NodctlTest, GroupedStatsJsonFields) {
    auto d = parse_json(ok({"stats", "--group", "--kind", "substitute", "--sort", "name", "-o", "json"}));
    EXPECT_TRUE(d["grouped"].GetBool());
    const auto& rows = d["rows"];
    ASSERT_EQ(rows.Size(), 2u);
    EXPECT_EQ(std::string(rows[0]["name"].GetString()), "hs-big-2");
    EXPECT_EQ(rows[0]["bytes"].GetUint64(), 6000520u);
    EXPECT_EQ(std::string(rows[1]["name"].GetString()), "hs-small-1");
    EXPECT_EQ(rows[0]["count"].GetUint64(), 1u);
    EXPECT_EQ(rows[0]["total_seconds"].GetDouble(), rows[0]["max_seconds"].GetDouble());
}

TEST_F(NodctlTest, BucketJsonFields) {
    auto d = parse_json(ok({"bucket", "day", "--days", "3", "--kind", "build", "--output", "json"}));
    EXPECT_EQ(std::string(d["unit"].GetString()), "day");
    EXPECT_EQ(std::string(d["window"]["first_day"].GetString()), format_day(-2));
    const auto& rows = d["rows"];
    ASSERT_EQ(rows.Size(), 3u);
    for (rapidjson::SizeType i = 0; i < 3; ++i) {
        EXPECT_EQ(std::string(rows[i]["bucket"].GetString()), format_day(static_cast<int>(i) - 2));
        EXPECT_EQ(std::string(rows[i]["kind"].GetString()), "build");
        EXPECT_EQ(std::string(rows[i].MemberBegin()->name.GetString()), "bucket") << "bucket comes first";
    }
    EXPECT_EQ(rows[0]["count"].GetUint64(), 0u);
    EXPECT_EQ(rows[2]["count"].GetUint64(), build_truth().count);
    auto week = parse_json(ok({"bucket", "week", "--days", "1", "-o", "json"}));
    EXPECT_EQ(std::string(week["rows"][0]["bucket"].GetString()), format_day(0, DayFormat::week));
    auto month = parse_json(ok({"bucket", "month", "--days", "1", "-o", "json"}));
    EXPECT_EQ(std::string(month["rows"][0]["bucket"].GetString()), format_day(0, DayFormat::month));
}

TEST_F(NodctlTest, TestJsonFindsTheSlowdown) {
    auto d = parse_json(ok({"test", "--days", "7", "--kind", "build", "-o", "json"}));
    ASSERT_EQ(d["rows"].Size(), 1u);
    const auto& build = d["rows"][0];
    EXPECT_EQ(build["n_old"].GetUint64(), loaded->stored.old_builds);
    EXPECT_EQ(build["n_new"].GetUint64(), loaded->stored.builds);
    EXPECT_TRUE(build["significant"].GetBool());
    EXPECT_FALSE(build["too_few_samples"].GetBool());
    EXPECT_LT(build["p_value"].GetDouble(), 0.05);
    EXPECT_GT(build["change_percent"].GetDouble(), 50.0) << "h6 builds took twice as long";
    EXPECT_GT(build["median_new_seconds"].GetDouble(), build["median_old_seconds"].GetDouble());
    EXPECT_GT(build["cliffs_delta"].GetDouble(), 0.0);
    EXPECT_GT(build["shift_seconds"].GetDouble(), 0.0);
    EXPECT_EQ(std::string(build["method"].GetString()), "normal");
}

TEST_F(NodctlTest, TestJsonFieldsWithNullForNaN) {
    auto d = parse_json(ok({"test", "--days", "7", "--group", "--drv", "hf-", "--output", "json"}));
    EXPECT_EQ(std::string(d["windows"]["new"]["first_day"].GetString()), format_day(-6));
    EXPECT_EQ(std::string(d["windows"]["new"]["last_day"].GetString()), format_day(0));
    EXPECT_EQ(std::string(d["windows"]["old"]["first_day"].GetString()), format_day(-13));
    EXPECT_EQ(std::string(d["windows"]["old"]["last_day"].GetString()), format_day(-7));
    const auto& rows = d["rows"];
    ASSERT_GE(rows.Size(), 1u);
    bool seen = false;
    for (const auto& r : rows.GetArray()) {
        std::vector<std::string> keys;
        for (auto m = r.MemberBegin(); m != r.MemberEnd(); ++m) keys.emplace_back(m->name.GetString());
        EXPECT_EQ(keys, (std::vector<std::string>{"kind", "name", "n_old", "n_new", "median_old_seconds",
                                                  "median_new_seconds", "change_percent", "p_value", "p_adjusted",
                                                  "significant", "too_few_samples", "method", "cliffs_delta",
                                                  "shift_seconds"}));
        if (std::string(r["name"].GetString()) != "hf-ok-3.3") continue;
        seen = true;
        EXPECT_EQ(r["n_old"].GetUint64(), 0u);
        EXPECT_EQ(r["n_new"].GetUint64(), 1u);
        EXPECT_TRUE(r["median_old_seconds"].IsNull()) << "NaN is null";
        EXPECT_TRUE(r["median_new_seconds"].IsNumber());
        EXPECT_TRUE(r["change_percent"].IsNull());
        EXPECT_EQ(r["p_value"].GetDouble(), 1.0);
        EXPECT_FALSE(r["significant"].GetBool());
        EXPECT_TRUE(r["too_few_samples"].GetBool());
        EXPECT_TRUE(r["cliffs_delta"].IsNull());
    }
    EXPECT_TRUE(seen);
}

// ---- colour, legend, help, version -------------------------------------------------------------------

// Runs nodctl with stdout on a pseudo-terminal (script(1)).
CommandResult on_terminal(const std::string& bus_address, const std::string& args, Env extra = {}) {
    Env env = nodctl_env(bus_address);
    for (auto& [k, v] : extra) env[k] = v;
    return run({"script", "-qec", nodctl_binary.string() + " " + args, "/dev/null"}, env);
}

TEST_F(NodctlTest, ColourOnlyOnATerminalWithoutNoColor) {
    auto tty = on_terminal(loaded->bus.address(), "stats");
    ASSERT_EQ(tty.status, 0) << tty.err;
    EXPECT_NE(tty.out.find("\x1b[1mKIND"), std::string::npos) << "bold header on a terminal:\n" << tty.out;
    EXPECT_NE(tty.out.find("\x1b[31m"), std::string::npos) << "failed counts in red:\n" << tty.out;
    auto no_color_env = on_terminal(loaded->bus.address(), "stats", {{"NO_COLOR", "1"}});
    EXPECT_EQ(no_color_env.out.find('\x1b'), std::string::npos) << no_color_env.out;
    auto flag = on_terminal(loaded->bus.address(), "--no-color stats");
    EXPECT_EQ(flag.out.find('\x1b'), std::string::npos) << flag.out;
    auto dumb = on_terminal(loaded->bus.address(), "stats", {{"TERM", "dumb"}});
    EXPECT_EQ(dumb.out.find('\x1b'), std::string::npos) << dumb.out;
    auto pipe = nodctl({"stats"});
    EXPECT_EQ(pipe.out.find('\x1b'), std::string::npos);
    for (const char* format : {"csv", "json"}) {
        auto machine = on_terminal(loaded->bus.address(), std::string("stats -o ") + format);
        EXPECT_EQ(machine.out.find('\x1b'), std::string::npos) << "never in " << format;
    }
}

TEST_F(NodctlTest, HelpOfEveryCommandAndVersion) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"-h"}, {"stats", "--help"},
                                          {"bucket", "--help"}, {"test", "--help"}, {"clean", "--help"},
                                          {"estimate", "--help"}, {"running", "--help"}, {"top", "--help"}, {"caches", "--help"}, {"metrics", "--help"}, {"--help", "bucket"}}) {
        // No bus at all: help must not need one.
        auto r = nodctl_at("unix:path=/nonexistent", args);
        EXPECT_EQ(r.status, 0) << args[0] << r.err;
        EXPECT_TRUE(r.out.starts_with("Usage: nodctl")) << r.out;
        EXPECT_EQ(r.err, "");
    }
    auto stats = nodctl_at("unix:path=/nonexistent", {"stats", "--help"}).out;
    for (const char* flag : {"--days", "--months", "--drv", "--kind", "--group", "--sort", "--limit", "--output",
                             "--bus", "--address", "--no-legend", "--no-color"})
        EXPECT_NE(stats.find(flag), std::string::npos) << flag;
    EXPECT_NE(nodctl_at("", {"bucket", "--help"}).out.find("chart"), std::string::npos);
    EXPECT_NE(nodctl_at("", {"clean", "--help"}).out.find("--before-days"), std::string::npos);
    auto general = nodctl_at("", {"--help"}).out;
    for (const char* command : {"stats", "bucket", "test", "running", "top", "estimate", "caches", "metrics", "clean"})
        EXPECT_NE(general.find(command), std::string::npos);
    auto version = nodctl_at("", {"--version"});
    EXPECT_EQ(version.status, 0);
    EXPECT_EQ(version.out, std::string("nodctl ") + NOD_VERSION + "\n");
}

// Every flag that --help lists is in the man page (roff's \- read as -).
void expect_man_covers(const std::string& help, const fs::path& page) {
    std::string roff = read_file(page);
    std::string text;
    for (std::size_t i = 0; i < roff.size(); ++i) {
        if (roff.compare(i, 2, "\\-") == 0) {
            text += '-';
            ++i;
        } else {
            text += roff[i];
        }
    }
    static const std::regex flag(R"(--[a-z][a-z-]*)");
    std::set<std::string> flags;
    for (auto it = std::sregex_iterator(help.begin(), help.end(), flag); it != std::sregex_iterator(); ++it)
        flags.insert(it->str());
    EXPECT_GE(flags.size(), 5u) << help;
    for (const auto& f : flags) EXPECT_NE(text.find(f), std::string::npos) << f << " is not in " << page;
}

TEST(ManPages, CoverEveryOption) {
    const fs::path man = fs::path(NOD_TEST_DATA).parent_path().parent_path() / "man";
    std::string nodctl_help;
    for (const char* command : {"stats", "bucket", "test", "running", "top", "estimate", "caches", "metrics", "clean"})
        nodctl_help += nodctl_at("", {command, "--help"}).out;
    expect_man_covers(nodctl_help, man / "nodctl.1");
    auto collector = run({collector_binary.string(), "--help"});
    ASSERT_EQ(collector.status, 0);
    expect_man_covers(collector.out, man / "nod-collector.8");
}

// ---- errors: one line, exit 1 ------------------------------------------------------------------------

TEST_F(NodctlTest, BadFlagsNameTheFlagBeforeAnyBusCall) {
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    for (const auto& c : std::vector<Case>{
             {{"--days", "0"}, "nodctl: --days must be a positive number, not '0'"},
             {{"stats", "--days", "-3"}, "nodctl: --days must be a positive number, not '-3'"},
             {{"stats", "--days", "seven"}, "nodctl: --days must be a positive number, not 'seven'"},
             {{"stats", "--months", "99999999999"}, "nodctl: --months must be a positive number, not '99999999999'"},
             {{"stats", "--days", "3", "--months", "1"}, "nodctl: --days and --months exclude each other"},
             {{"stats", "--kind", "eval"}, "nodctl: --kind must be build, substitute, copy or post-build-hook, not 'eval'"},
             {{"stats", "--group", "--sort", "size"}, "nodctl: --sort must be count, time or name, not 'size'"},
             {{"stats", "--sort", "time"}, "nodctl: --sort orders and cuts grouped rows: add --group"},
             {{"stats", "--group", "--limit", "x"}, "nodctl: --limit must be a number, not 'x'"},
             {{"stats", "--output", "chart"}, "nodctl: --output must be table, csv, json or test, not 'chart'"},
             {{"stats", "--output", "test", "--group", "--limit", "3"},
              "nodctl: --limit does not apply to the test comparison (it compares every name)"},
             {{"stats", "--days"}, "nodctl stats: the required argument for option '--days' is missing (see 'nodctl stats --help')"},
             {{"stats", "--frobnicate"}, "nodctl stats: unknown option '--frobnicate' (see 'nodctl stats --help')"},
             {{"stats", "firefox"}, "nodctl stats: too many arguments (see 'nodctl stats --help')"},
             {{"bucket"}, "nodctl bucket: say which buckets: day, week or month"},
             {{"bucket", "year"}, "nodctl bucket: the unit must be day, week or month, not 'year'"},
             {{"bucket", "day", "--group"}, "nodctl bucket: --group is not an option of bucket (it belongs to stats and test)"},
             {{"bucket", "day", "--sort", "time"}, "nodctl bucket: --sort is not an option of bucket (it belongs to stats)"},
             {{"bucket", "day", "--limit", "3"}, "nodctl bucket: --limit is not an option of bucket (it belongs to stats)"},
             {{"bucket", "day", "-o", "test"}, "nodctl: --output must be table, csv, json or chart, not 'test'"},
             {{"clean", "--days", "3"}, "nodctl clean: --days is not an option of clean (it takes only --before-days)"},
             {{"clean", "--before-days", "soon"}, "nodctl: --before-days must be a number, not 'soon'"},
             {{"frobnicate"}, "nodctl: unknown command 'frobnicate'; the commands are stats, bucket, test, running, top, estimate, caches, metrics and clean (see 'nodctl --help')"},
             {{"--bus", "user"}, "nodctl: --bus must be system or session, not 'user'"},
             {{"--bus", "system", "--address", "unix:path=/x"}, "nodctl: --bus and --address exclude each other"},
         }) {
        // A bus that is not there: a flag error must come first.
        auto r = nodctl_at("unix:path=/nonexistent", c.args);
        EXPECT_EQ(r.status, 1) << c.message;
        EXPECT_EQ(r.err, c.message + "\n");
        EXPECT_EQ(r.out, "");
    }
}

// Machines and substituters on the corpus: h5's substitutions all came from its file:// cache, every build
// ran on this machine.
TEST_F(NodctlTest, GroupedAndFilteredByMachineAndSubstituter) {
    auto kind_count = [](const rapidjson::Document& d, const char* kind) {
        for (const auto& r : d["rows"].GetArray())
            if (std::string(r["kind"].GetString()) == kind) return r["count"].GetUint64();
        return std::uint64_t{0};
    };
    auto all = parse_json(ok({"stats", "-o", "json"}));
    std::uint64_t substitutions = kind_count(all, "substitute"), builds = kind_count(all, "build");
    ASSERT_GT(substitutions, 0u);
    const std::string cache = "file:///tmp/capture/cache";

    auto by = parse_json(ok({"stats", "--group-by", "substituter", "-o", "json"}));
    EXPECT_EQ(std::string(by["group_by"].GetString()), "substituter");
    std::uint64_t grouped = 0;
    for (const auto& r : by["rows"].GetArray()) {
        EXPECT_EQ(std::string(r["kind"].GetString()), "substitute") << "substitutions only";
        EXPECT_EQ(std::string(r["substituter"].GetString()), cache);
        grouped += r["count"].GetUint64();
    }
    EXPECT_EQ(grouped, substitutions);

    auto from_cache = parse_json(ok({"stats", "--substituter", cache, "-o", "json"}));
    EXPECT_EQ(kind_count(from_cache, "substitute"), substitutions);
    EXPECT_EQ(kind_count(from_cache, "build"), 0u);
    auto here = parse_json(ok({"stats", "--machine", "", "-o", "json"}));
    EXPECT_EQ(kind_count(here, "build"), builds);
    EXPECT_EQ(kind_count(here, "substitute"), 0u);
    auto nowhere = parse_json(ok({"stats", "--machine", "ssh://never-seen", "-o", "json"}));
    EXPECT_EQ(kind_count(nowhere, "build") + kind_count(nowhere, "substitute"), 0u);

    std::string table = ok({"stats", "--group-by", "machine", "--kind", "build"});
    EXPECT_NE(table.find("(this machine)"), std::string::npos) << table;
    EXPECT_NE(table.find("1 machine"), std::string::npos) << table;
    auto bucket = parse_json(ok({"bucket", "day", "--days", "1", "--substituter", cache, "-o", "json"}));
    EXPECT_EQ(kind_count(bucket, "substitute"), substitutions);
}

// caches on the corpus: h5's substitutions came from its file:// cache; the hit rate is what it says.
TEST_F(NodctlTest, CachesAndTheHitRate) {
    auto d = parse_json(ok({"caches", "-o", "json"}));
    std::uint64_t substituted = d["substituted"].GetUint64(), built = d["built"].GetUint64();
    ASSERT_GT(substituted, 0u);
    ASSERT_GT(built, 0u);
    EXPECT_DOUBLE_EQ(d["hit_rate"].GetDouble(), static_cast<double>(substituted) / static_cast<double>(substituted + built));
    ASSERT_EQ(d["rows"].Size(), 1u);
    EXPECT_EQ(std::string(d["rows"][0]["substituter"].GetString()), "file:///tmp/capture/cache");
    EXPECT_EQ(d["rows"][0]["substituted"].GetUint64(), substituted);
    EXPECT_DOUBLE_EQ(d["rows"][0]["share"].GetDouble(), 1.0);
    std::string table = ok({"caches"});
    EXPECT_TRUE(table.starts_with("SUBSTITUTER")) << table;
    EXPECT_NE(table.find("file:///tmp/capture/cache"), std::string::npos) << table;
    EXPECT_NE(table.find("\nHit rate "), std::string::npos) << table;
    EXPECT_NE(table.find(": " + std::to_string(substituted) + " substituted, " + std::to_string(built) + " built, "),
              std::string::npos)
        << table;
    auto none = parse_json(ok({"caches", "--user", "4242", "-o", "json"}));
    EXPECT_TRUE(none["hit_rate"].IsNull()) << "nothing realised for that user";
}

TEST_F(NodctlTest, TheCollectorsOwnRefusalIsPassedOn) {
    auto r = nodctl({"stats", "--days", "100001"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "nodctl: the collector refused the options: option 'days' must be between 1 and 100000\n");
}

TEST_F(NodctlTest, ReadsAreOpenToEveryoneCleanIsNot) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run nodctl as another user (nobody)";
    fs::path mine = copy_for_anyone(nodctl_binary, loaded->dir.path());
    auto as_nobody = [&](std::vector<std::string> args) {
        args.insert(args.begin(), mine.string());
        return run(args, nodctl_env(loaded->bus.address()), nobody);
    };
    auto read = as_nobody({"stats", "-o", "csv"});
    EXPECT_EQ(read.status, 0) << read.err;
    EXPECT_EQ(read.out, ok({"stats", "-o", "csv"}));
    auto clean = as_nobody({"clean"});
    EXPECT_EQ(clean.status, 1);
    EXPECT_EQ(clean.err, "nodctl clean: access denied: run as root\n");
    EXPECT_EQ(clean.out, "");
    EXPECT_EQ(ok({"stats", "-o", "csv"}), read.out) << "nothing was deleted";
}

TEST(NodctlErrors, CollectorAbsent) {
    PrivateBus bus{policy_dir, collector_may_own};
    for (std::vector<std::string> args : {std::vector<std::string>{}, {"bucket", "week"}, {"test"}, {"clean"}}) {
        auto r = nodctl_at(bus.address(), args);
        EXPECT_EQ(r.status, 1);
        EXPECT_EQ(r.err,
                  "nodctl: nod-collector is not running on the system bus (net.bergsoe.Nod1 has no owner); start it "
                  "with 'systemctl start nod-collector.socket' or check 'systemctl status nod-collector'\n");
        EXPECT_EQ(r.out, "");
    }
    auto session = nodctl_at("", {"--address", bus.address(), "stats"});
    EXPECT_EQ(session.status, 1);
    EXPECT_EQ(session.err, "nodctl: nod-collector is not running on the bus at " + bus.address() +
                               " (net.bergsoe.Nod1 has no owner); start it with 'nod-collector --bus-address " +
                               bus.address() + "'\n");
}

TEST(NodctlErrors, NoBusAtAll) {
    auto r = nodctl_at("unix:path=/nonexistent/bus", {"stats"});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.err.starts_with("nodctl: cannot connect to the system bus (")) << r.err;
    EXPECT_TRUE(r.err.ends_with("); is D-Bus running?\n")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// ---- users: --user, --trusted, --group-by user, against a history of several users -----------------
//
// Rows written with the Store as the collector writes them, today: root's own builds (trusted), builds a
// user asked the daemon for (reported by the daemon's worker, uid 0, for user 1000: trusted), the same
// user's builds that only their own connection reported (untrusted), and one build of a uid that this
// machine has no user for. Each group has durations of its own, so that every figure says which rows
// were counted: a query that filtered or grouped on the reporting connection's uid instead of the
// row's user, or that ignored trusted, gets other numbers.

// The user name of `uid` on this machine, or the uid in decimal (as nodctl shows it).
std::string name_of_uid(std::uint32_t uid) {
    std::vector<char> buffer(1 << 16);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) return found->pw_name;
    return std::to_string(uid);
}

// A uid that no user of this machine has.
std::uint32_t unused_uid() {
    for (std::uint32_t uid = 4242;; ++uid)
        if (name_of_uid(uid) == std::to_string(uid)) return uid;
}

const std::uint32_t alice = 1000;  // a user who builds through the daemon and on their own
const std::uint32_t stranger = unused_uid();

struct UserRows {
    std::uint32_t user;
    bool trusted;
    Kind kind;
    int count;
    int failed;
    Micros seconds;  // each
    std::uint64_t bytes;
};

// root: 3 builds of 10 s; alice through the daemon: 3 builds of 20 s (1 failed) and a substitution of
// 1000 bytes; alice alone: 4 builds of 5 s; the stranger alone: 1 build of 100 s.
const std::vector<UserRows> user_rows = {
    {0, true, Kind::build, 3, 0, 10, 0},          {alice, true, Kind::build, 3, 1, 20, 0},
    {alice, true, Kind::substitute, 1, 0, 2, 1000}, {alice, false, Kind::build, 4, 0, 5, 0},
    {stranger, false, Kind::build, 1, 0, 100, 0},
};

void write_user_rows(const fs::path& db) {
    store::Store store(db);
    std::vector<Row> rows;
    Micros at = today_noon_micros();
    std::uint64_t id = 0;
    for (const auto& g : user_rows) {
        for (int i = 0; i < g.count; ++i) {
            Row r;
            r.kind = g.kind;
            r.name = "ur-" + std::to_string(g.user) + (g.trusted ? "-daemon-" : "-own-") + std::to_string(i);
            r.path = "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-" + r.name + (g.kind == Kind::build ? ".drv" : "");
            r.start = at;
            at += 1'000'000;
            r.duration = g.seconds * 1'000'000;
            r.outcome = i < g.failed ? Outcome::failed : Outcome::succeeded;
            r.bytes = g.bytes;
            r.uid = g.trusted ? 0 : g.user;  // the connection that reported it: the daemon's worker is root
            r.pid = 4000 + static_cast<std::int32_t>(g.user % 1000);
            r.activity_id = (std::uint64_t{7} << 32) | ++id;
            r.user = g.user;
            r.trusted = g.trusted;
            r.origin = true;
            rows.push_back(std::move(r));
        }
    }
    store.write(rows);
}

// What nodctl should count for a filter: rows, failed rows and seconds of one kind.
struct Expected {
    std::uint64_t count = 0, failed = 0, bytes = 0;
    double seconds = 0;
};

Expected expected(Kind kind, std::optional<std::uint32_t> user, bool trusted_only) {
    Expected e;
    for (const auto& g : user_rows) {
        if (g.kind != kind || (user && g.user != *user) || (trusted_only && !g.trusted)) continue;
        e.count += static_cast<std::uint64_t>(g.count);
        e.failed += static_cast<std::uint64_t>(g.failed);
        e.bytes += g.bytes * static_cast<std::uint64_t>(g.count);
        e.seconds += static_cast<double>(g.seconds * g.count);
    }
    return e;
}

class NodctlUsersTest : public ::testing::Test {
protected:
    struct Serving {
        TempDir dir;
        PrivateBus bus{policy_dir, collector_may_own};
        std::optional<NotifySocket> notify;
        std::optional<Process> collector;
        Serving() {
            write_user_rows(dir / "nod.db");
            notify.emplace(dir / "notify");
            Env env = {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}, {"NOTIFY_SOCKET", notify->path().string()}};
            collector.emplace(std::vector<std::string>{collector_binary.string(), "--socket",
                                                       (dir / "nod.sock").string(), "--db", (dir / "nod.db").string()},
                              env, dir / "collector.log");
            if (!notify->wait_for("READY=1")) throw std::runtime_error("the collector did not start");
        }
    };
    static void SetUpTestSuite() { serving = new Serving(); }
    static void TearDownTestSuite() {
        delete serving;
        serving = nullptr;
    }
    static CommandResult nodctl(std::vector<std::string> args) { return nodctl_at(serving->bus.address(), args); }
    static std::string ok(std::vector<std::string> args) {
        auto r = nodctl(args);
        EXPECT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err, "");
        return r.out;
    }
    // nodctl's JSON answer; when nodctl failed (ok() said so), an answer without rows, so that the checks
    // fail one by one instead of RapidJSON's asserts aborting every test.
    static rapidjson::Document json(std::vector<std::string> args) {
        rapidjson::Document d = parse_json(ok(args));
        if (!d.IsObject() || !d.HasMember("rows") || !d["rows"].IsArray()) d.Parse(R"({"rows":[]})");
        return d;
    }
    // The row of `kind` in a per-kind Stats or one-day Bucket answer (zeros when there is none).
    static const rapidjson::Value& kind_row(const rapidjson::Document& d, const char* kind) {
        for (const auto& r : d["rows"].GetArray())
            if (r.HasMember("kind") && std::string(r["kind"].GetString()) == kind) return r;
        ADD_FAILURE() << "no row of kind " << kind;
        static const rapidjson::Document none = [] {
            rapidjson::Document z;
            z.Parse(R"({"kind":"","count":0,"failed":0,"total_seconds":0.0,"bytes":0})");
            return z;
        }();
        return none;
    }
    static void expect_figures(const rapidjson::Value& row, const Expected& e, const std::string& what) {
        EXPECT_EQ(row["count"].GetUint64(), e.count) << what;
        EXPECT_EQ(row["failed"].GetUint64(), e.failed) << what;
        EXPECT_NEAR(row["total_seconds"].GetDouble(), e.seconds, 1e-6) << what;
        EXPECT_EQ(row["bytes"].GetUint64(), e.bytes) << what;
    }
    static Serving* serving;
};
NodctlUsersTest::Serving* NodctlUsersTest::serving = nullptr;

TEST_F(NodctlUsersTest, UserCountsOnlyTheirRows) {
    using User = std::optional<std::uint32_t>;
    for (User user : {User{}, User{0}, User{alice}, User{stranger}}) {
        std::vector<std::string> args = {"stats", "-o", "json"};
        if (user) args.insert(args.end(), {"--user", std::to_string(*user)});
        auto d = json(args);
        std::string what = user ? "--user " + std::to_string(*user) : "every user";
        expect_figures(kind_row(d, "build"), expected(Kind::build, user, false), what);
        expect_figures(kind_row(d, "substitute"), expected(Kind::substitute, user, false), what);
    }
    EXPECT_EQ(expected(Kind::build, alice, false).count, 7u) << "the daemon's 3 and alice's own 4";
}

TEST_F(NodctlUsersTest, UserNamesAreLookedUp) {
    EXPECT_EQ(ok({"stats", "--user", "root", "-o", "csv"}), ok({"stats", "--user", "0", "-o", "csv"}));
    EXPECT_NE(ok({"stats", "--user", "root", "-o", "csv"}), ok({"stats", "-o", "csv"}));
    if (std::string name = name_of_uid(alice); name != std::to_string(alice)) {
        EXPECT_EQ(ok({"stats", "--user", name, "-o", "csv"}), ok({"stats", "--user", "1000", "-o", "csv"})) << name;
    }
    ASSERT_EQ(getpwnam("nosuchuser"), nullptr) << "this machine has a user nosuchuser";
    // Before any bus call: the same line with no bus at all.
    for (const std::string& address : {serving->bus.address(), std::string("unix:path=/nonexistent")}) {
        for (std::vector<std::string> args : {std::vector<std::string>{"stats", "--user", "nosuchuser"},
                                              {"bucket", "day", "--user", "nosuchuser"},
                                              {"--user", "nosuchuser", "test", "--trusted"}}) {
            auto r = nodctl_at(address, args);
            EXPECT_EQ(r.status, 1);
            EXPECT_EQ(r.err, "nodctl: no user 'nosuchuser' on this machine; give a user name or a uid\n");
            EXPECT_EQ(r.out, "");
        }
    }
}

TEST_F(NodctlUsersTest, TrustedCountsOnlyWhatRootReported) {
    auto d = json({"stats", "--trusted", "-o", "json"});
    expect_figures(kind_row(d, "build"), expected(Kind::build, {}, true), "--trusted");
    EXPECT_EQ(kind_row(d, "build")["count"].GetUint64(), 6u) << "root's 3 and the daemon's 3 for alice";
    auto mine = json({"stats", "--trusted", "--user", "1000", "-o", "json"});
    expect_figures(kind_row(mine, "build"), expected(Kind::build, alice, true), "--trusted --user 1000");
    expect_figures(kind_row(mine, "substitute"), expected(Kind::substitute, alice, true), "--trusted --user 1000");
    auto forged = json({"stats", "--trusted", "--user", std::to_string(stranger), "-o", "json"});
    EXPECT_EQ(kind_row(forged, "build")["count"].GetUint64(), 0u) << "only their own connection reported it";
}

TEST_F(NodctlUsersTest, GroupByUserTable) {
    std::string out = ok({"stats", "--group-by", "user"});
    std::istringstream lines(out);
    std::vector<std::string> line;
    for (std::string l; std::getline(lines, l);) line.push_back(l);
    ASSERT_GE(line.size(), 4u) << out;
    EXPECT_TRUE(line[0].starts_with("KIND")) << out;
    EXPECT_NE(line[0].find(" USER "), std::string::npos) << out;
    EXPECT_EQ(line[0].find("NAME"), std::string::npos) << out;
    // Rows: kind, user, count, failed, …, in the collector's order (per kind, most rows first).
    auto words = [](const std::string& text) {
        std::istringstream in(text);
        std::vector<std::string> w;
        for (std::string x; in >> x;) w.push_back(x);
        return w;
    };
    const std::vector<std::vector<std::string>> want = {
        {"build", name_of_uid(alice), "7", "1"},
        {"build", "root", "3", "0"},
        {"build", std::to_string(stranger), "1", "0"},
        {"substitute", name_of_uid(alice), "1", "0"},
    };
    ASSERT_EQ(line.size(), want.size() + 3) << "header, a row per kind and user, blank, footer; no total:\n" << out;
    for (std::size_t i = 0; i < want.size(); ++i) {
        auto w = words(line[i + 1]);
        ASSERT_GE(w.size(), 4u) << line[i + 1];
        EXPECT_EQ(std::vector<std::string>(w.begin(), w.begin() + 4), want[i]) << out;
    }
    EXPECT_EQ(line[want.size() + 1], "");
    EXPECT_EQ(line[want.size() + 2], "3 users, " + format_day(0) + " to " + format_day(0) + ".") << out;
    // --sort and --limit apply: the one build user with the most time.
    auto top = words(ok({"--no-legend", "stats", "--group-by", "user", "--kind", "build", "--sort", "time",
                         "--limit", "1"}));
    ASSERT_GE(top.size(), 3u);
    EXPECT_EQ(std::vector<std::string>(top.begin(), top.begin() + 3),
              (std::vector<std::string>{"build", std::to_string(stranger), "1"}));
    // Name-grouped output is unchanged by the new option.
    EXPECT_EQ(ok({"stats", "--group-by", "name", "--sort", "name"}), ok({"stats", "--group", "--sort", "name"}));
}

TEST_F(NodctlUsersTest, GroupByUserCsvAndJson) {
    std::string csv = without_cr(ok({"stats", "--group-by", "user", "-o", "csv"}));
    std::istringstream lines(csv);
    std::vector<std::vector<std::string>> records;
    for (std::string l; std::getline(lines, l);) {
        std::vector<std::string> fields;
        std::istringstream in(l);
        for (std::string f; std::getline(in, f, ',');) fields.push_back(f);
        records.push_back(fields);
    }
    ASSERT_EQ(records.size(), 5u) << csv;
    EXPECT_EQ(records[0], (std::vector<std::string>{"kind", "user", "uid", "count", "failed", "cancelled",
                                                     "unknown_duration", "total_seconds", "mean_seconds",
                                                     "p50_seconds", "p90_seconds", "max_seconds", "bytes",
                                                     "download_bytes", "cpu_user_seconds", "cpu_system_seconds"}));
    auto head = [](const std::vector<std::string>& r) {
        return std::vector<std::string>(r.begin(), r.begin() + std::min<std::size_t>(r.size(), 5));
    };
    EXPECT_EQ(head(records[1]), (std::vector<std::string>{"build", name_of_uid(alice), "1000", "7", "1"}));
    EXPECT_EQ(head(records[2]), (std::vector<std::string>{"build", "root", "0", "3", "0"}));
    EXPECT_EQ(head(records[3]),
              (std::vector<std::string>{"build", std::to_string(stranger), std::to_string(stranger), "1", "0"}));
    EXPECT_EQ(head(records[4]), (std::vector<std::string>{"substitute", name_of_uid(alice), "1000", "1", "0"}));
    EXPECT_EQ(records[1][7], "80") << "alice's build seconds: 3 x 20 + 4 x 5";

    auto d = json({"stats", "--group-by", "user", "--trusted", "-o", "json"});
    ASSERT_TRUE(d.HasMember("grouped"));
    EXPECT_TRUE(d["grouped"].GetBool());
    ASSERT_TRUE(d.HasMember("group_by") && d["group_by"].IsString());
    EXPECT_EQ(std::string(d["group_by"].GetString()), "user");
    const auto& rows = d["rows"];
    ASSERT_EQ(rows.Size(), 3u) << "trusted only: alice's builds and substitution, root's builds";
    for (const auto& r : rows.GetArray()) {
        std::vector<std::string> keys;
        for (auto m = r.MemberBegin(); m != r.MemberEnd(); ++m) keys.emplace_back(m->name.GetString());
        EXPECT_EQ(keys, (std::vector<std::string>{"kind", "user", "uid", "count", "failed", "cancelled",
                                                  "unknown_duration", "total_seconds", "mean_seconds",
                                                  "p50_seconds", "p90_seconds", "max_seconds", "bytes",
                                                  "download_bytes", "cpu_user_seconds", "cpu_system_seconds"}));
        ASSERT_TRUE(r.HasMember("user") && r.HasMember("uid"));
        EXPECT_TRUE(r["uid"].IsUint());
        EXPECT_EQ(std::string(r["user"].GetString()), name_of_uid(r["uid"].GetUint()));
    }
    // Three builds each: a tie in count, so in uid order.
    EXPECT_EQ(std::string(rows[0]["user"].GetString()), "root");
    expect_figures(rows[0], expected(Kind::build, 0, true), "root's builds");
    EXPECT_EQ(rows[1]["uid"].GetUint(), alice);
    expect_figures(rows[1], expected(Kind::build, alice, true), "alice's trusted builds");
    expect_figures(rows[2], expected(Kind::substitute, alice, true), "alice's substitution");
    auto by_name = json({"stats", "--group", "-o", "json"});
    ASSERT_TRUE(by_name.HasMember("group_by") && by_name["group_by"].IsString());
    EXPECT_EQ(std::string(by_name["group_by"].GetString()), "name");
    auto per_kind = json({"stats", "-o", "json"});
    EXPECT_TRUE(per_kind.HasMember("group_by") && per_kind["group_by"].IsNull());
}

TEST_F(NodctlUsersTest, BucketForOneUser) {
    for (bool trusted : {false, true}) {
        std::vector<std::string> args = {"bucket", "day", "--days", "1", "--user", "1000", "-o", "json"};
        if (trusted) args.push_back("--trusted");
        auto d = json(args);
        ASSERT_GE(d["rows"].Size(), 1u);
        ASSERT_EQ(std::string(d["rows"][0]["bucket"].GetString()), format_day(0));
        expect_figures(kind_row(d, "build"), expected(Kind::build, alice, trusted), trusted ? "trusted" : "all");
    }
    auto everyone = json({"bucket", "day", "--days", "1", "-o", "json"});
    expect_figures(kind_row(everyone, "build"), expected(Kind::build, {}, false), "every user");
}

TEST_F(NodctlUsersTest, TestComparesOnlyTrustedRows) {
    auto n_new = [](std::vector<std::string> args) {
        auto d = json(args);
        if (d["rows"].Size() != 1) {
            ADD_FAILURE() << "not one row";
            return std::uint64_t{0};
        }
        return d["rows"][0]["n_new"].GetUint64();
    };
    EXPECT_EQ(n_new({"test", "--days", "7", "--kind", "build", "-o", "json"}), 11u);
    EXPECT_EQ(n_new({"test", "--days", "7", "--kind", "build", "--trusted", "-o", "json"}), 6u);
    EXPECT_EQ(n_new({"test", "--days", "7", "--kind", "build", "--trusted", "--user", "1000", "-o", "json"}), 3u);
    EXPECT_EQ(n_new({"test", "--days", "7", "--kind", "build", "--user", "root", "-o", "json"}), 3u);
    // stats --output test passes them on too.
    auto r = nodctl({"stats", "--output", "test", "--days", "7", "--kind", "build", "--trusted", "--user", "1000"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("0+3"), std::string::npos) << "N: no old samples, 3 new:\n" << r.out;
    EXPECT_NE(r.err.find("(0 old, 3 new)"), std::string::npos) << r.err;
}

// Estimate over the users' history: one name's own run; a name that never ran falls back to its package
// ("ur": every ur-… name) and counts only successful builds; --trusted leaves out what users reported on
// their own; open to every user, through the shipped bus policy.
TEST_F(NodctlUsersTest, EstimateFromTheNameOrItsPackage) {
    auto d = json({"estimate", "ur-0-daemon-1", "ur-9-new", "other-1.0", "-o", "json"});
    ASSERT_EQ(d["rows"].Size(), 3u);
    const auto& own = d["rows"][0];
    EXPECT_EQ(std::string(own["name"].GetString()), "ur-0-daemon-1");
    EXPECT_EQ(std::string(own["basis"].GetString()), "name");
    EXPECT_EQ(own["count"].GetUint64(), 1u);
    EXPECT_DOUBLE_EQ(own["median_seconds"].GetDouble(), 10.0);
    const auto& package = d["rows"][1];
    EXPECT_EQ(std::string(package["basis"].GetString()), "package");
    // root 3 × 10 s, alice's daemon builds 2 × 20 s (the third failed), alice's own 4 × 5 s, the stranger's 100 s.
    EXPECT_EQ(package["count"].GetUint64(), 10u);
    EXPECT_DOUBLE_EQ(package["median_seconds"].GetDouble(), 10.0);
    EXPECT_DOUBLE_EQ(package["p90_seconds"].GetDouble(), 28.0);
    EXPECT_DOUBLE_EQ(package["last_seconds"].GetDouble(), 100.0) << "the stranger's started last";
    EXPECT_EQ(std::string(d["rows"][2]["basis"].GetString()), "none");
    EXPECT_TRUE(d["rows"][2]["median_seconds"].IsNull());

    auto trusted = json({"estimate", "ur-9-new", "--trusted", "-o", "json"});
    ASSERT_EQ(trusted["rows"].Size(), 1u);
    EXPECT_EQ(trusted["rows"][0]["count"].GetUint64(), 5u);
    EXPECT_DOUBLE_EQ(trusted["rows"][0]["last_seconds"].GetDouble(), 20.0) << "alice's last daemon build";

    EXPECT_EQ(ok({"estimate", "ur-0-daemon-1", "ur-9-new", "other-1.0", "--no-legend"}),
              "ur-0-daemon-1  10.0s  10.0s     10.0s   1  this name\n"
              "ur-9-new       10.0s  28.0s  1min 40s  10  other versions\n"
              "other-1.0          -      -         -   0  no history\n");
    auto csv = ok({"estimate", "ur-9-new", "-o", "csv"});
    EXPECT_EQ(csv, "name,basis,count,median_seconds,p90_seconds,last_seconds\r\nur-9-new,package,10,10,28,100\r\n");

    if (geteuid() != 0) GTEST_SKIP() << "needs root to run nodctl as another user (nobody)";
    fs::path mine = copy_for_anyone(nodctl_binary, serving->dir.path());
    auto as_nobody = run({mine.string(), "estimate", "ur-9-new", "-o", "csv"}, nodctl_env(serving->bus.address()), nobody);
    EXPECT_EQ(as_nobody.status, 0) << as_nobody.err;
    EXPECT_EQ(as_nobody.out, csv);
}

// ---- the live path and clean, each with a collector of its own ------------------------------------

std::string lines_of(const replay::CapturedConnection& c) {
    std::string s;
    for (const auto& l : c.lines) s += l.text + "\n";
    return s;
}

TEST_F(CollectorTest, LiveRowsReachNodctlAndRootCleans) {
    start();
    {
        NixConnection nix(socket);
        nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h4-local-fail")[0]));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 2; })) << log_text();
    auto stats = nodctl_at(bus.address(), {"--no-legend", "stats", "--group", "--kind", "build", "--sort", "name",
                                           "-o", "csv"});
    ASSERT_EQ(stats.status, 0) << stats.err;
    EXPECT_NE(stats.out.find("build,hl-fail-9,1,1,0,"), std::string::npos) << stats.out;
    EXPECT_NE(stats.out.find("build,hl-good-9,1,0,1,"), std::string::npos) << "cancelled: the stream ended first\n" << stats.out;

    auto keep = nodctl_at(bus.address(), {"clean", "--before-days", "30"});
    EXPECT_EQ(keep.status, 0) << keep.err;
    EXPECT_EQ(keep.out, "Deleted 0 rows older than the last 30 days.\n");
    auto all = nodctl_at(bus.address(), {"clean"});
    EXPECT_EQ(all.status, 0) << all.err;
    EXPECT_EQ(all.out, "Deleted 2 rows.\n");
    EXPECT_TRUE(eventually([&] { return property_rows() == 0; }));
}

// Determinate Nix's build results through the socket and a real collector: the CPU time reaches nodctl's
// table (a CPU column, user and system together) and its JSON and CSV (apart; null and empty where a kind
// has none).
TEST_F(CollectorTest, DeterminateCpuTimeReachesNodctl) {
    start();
    namespace det = determinate;
    det::Stream s(det::Version::v3_22, 4242);
    const std::uint64_t epoch = 1'755'790'000;
    s.begin(0);
    det::Drv hello = det::drv("hello-2.12", 1), world = det::drv("world-1.0", 2), dep = det::drv("dep-3.1", 3);
    auto sub = s.substitution_start(0.1, dep.out_path(), "https://cache.example.org", 4096);
    s.substitution_stop(0.2, sub);
    s.substitution_done(0.2, sub, "done", "Substituted");
    std::uint64_t h = s.build_start(1, hello), w = s.build_start(1, world);
    det::Result r;
    r.start_time = epoch;
    r.stop_time = epoch + 12;
    r.cpu_user_us = 912'000;
    r.cpu_system_us = 41'000;
    s.build_end(2, h, hello, r);
    r.cpu_user_us = 2'000'000;
    r.cpu_system_us = 500'000;
    s.build_end(3, w, world, r);
    s.end(4);
    {
        NixConnection nix(socket);
        nix.write(lines_of(s.connection(5)));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 3; })) << log_text();

    auto table = nodctl_at(bus.address(), {"stats", "--days", "1"});
    ASSERT_EQ(table.status, 0) << table.err;
    std::istringstream lines(table.out);
    std::string header, build, substitute;
    std::getline(lines, header);
    std::getline(lines, build);
    std::getline(lines, substitute);
    EXPECT_NE(header.find("  CPU  "), std::string::npos) << table.out;
    EXPECT_TRUE(build.starts_with("build ")) << table.out;
    EXPECT_NE(build.find("  3.5s  "), std::string::npos) << "2.912 s user + 0.541 s system\n" << table.out;
    EXPECT_NE(build.find("  12.0s  "), std::string::npos) << "each took Nix's 12 s (received at once)\n" << table.out;

    auto json = nodctl_at(bus.address(), {"stats", "--days", "1", "-o", "json"});
    ASSERT_EQ(json.status, 0) << json.err;
    rapidjson::Document d;
    d.Parse(json.out.c_str());
    ASSERT_FALSE(d.HasParseError()) << json.out;
    const auto& rows = d["rows"];
    ASSERT_EQ(rows.Size(), 4u) << json.out;
    EXPECT_EQ(std::string(rows[0]["kind"].GetString()), "build");
    EXPECT_EQ(rows[0]["count"].GetUint64(), 2u);
    EXPECT_NEAR(rows[0]["cpu_user_seconds"].GetDouble(), 2.912, 1e-9) << json.out;
    EXPECT_NEAR(rows[0]["cpu_system_seconds"].GetDouble(), 0.541, 1e-9) << json.out;
    EXPECT_EQ(std::string(rows[1]["kind"].GetString()), "substitute");
    EXPECT_EQ(rows[1]["count"].GetUint64(), 1u);
    EXPECT_TRUE(rows[1]["cpu_user_seconds"].IsNull()) << json.out;
    EXPECT_TRUE(rows[1]["cpu_system_seconds"].IsNull()) << json.out;

    auto csv = nodctl_at(bus.address(), {"stats", "--days", "1", "--group", "--kind", "build", "--sort", "name", "-o", "csv"});
    ASSERT_EQ(csv.status, 0) << csv.err;
    EXPECT_NE(csv.out.find(",cpu_user_seconds,cpu_system_seconds\r\n"), std::string::npos) << csv.out;
    EXPECT_NE(csv.out.find("build,hello-2.12,1,0,0,0,12,12,"), std::string::npos) << csv.out;
    EXPECT_NE(csv.out.find(",0.912,0.041\r\n"), std::string::npos) << csv.out;
    EXPECT_NE(csv.out.find(",2,0.5\r\n"), std::string::npos) << csv.out;
}


// What runs now, through a real socket, collector and bus: a build held open on a live connection is
// listed with its phase, the Worker's progress, whom it runs for and what its history expects (the median
// of its three earlier runs); its elapsed time grows between calls; it leaves the list when it stops.
TEST_F(CollectorTest, RunningShowsALiveBuildWithWhatItsHistoryExpects) {
    {
        store::Store store(db);
        std::vector<Row> history;
        std::uint64_t n = 0;
        for (int seconds : {10, 30, 20}) {
            Row r;
            r.kind = Kind::build;
            r.name = "hello-2.12";
            r.path = "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-hello-2.12.drv";
            r.start = today_noon_micros() - 86'400'000'000LL + static_cast<Micros>(n) * 60'000'000;
            r.duration = seconds * 1'000'000LL;
            r.outcome = Outcome::succeeded;
            r.activity_id = (std::uint64_t{77} << 32) | ++n;
            r.pid = 77;
            r.trusted = r.origin = true;
            history.push_back(r);
        }
        store.write(history);
    }
    start();
    const std::uint64_t base = static_cast<std::uint64_t>(getpid()) << 32;  // ours: this connection is the origin
    const std::string id = std::to_string(base + 2);
    NixConnection nix(socket);
    ASSERT_TRUE(nix.write(R"({"action":"start","id":)" + std::to_string(base + 1) +
                          R"(,"level":5,"parent":0,"text":"","type":104})" "\n"
                          R"({"action":"start","fields":["/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-hello-2.12.drv","",1,1],"id":)" +
                          id + R"(,"level":3,"parent":0,"text":"building hello","type":105})" "\n"
                          R"({"action":"result","fields":[0,3,1,0],"id":)" + std::to_string(base + 1) + R"(,"type":105})" "\n"
                          R"({"action":"result","fields":["buildPhase"],"id":)" + id + R"(,"type":104})" "\n"));

    rapidjson::Document d;
    auto running = [&] {
        auto r = nodctl_at(bus.address(), {"running", "-o", "json"});
        EXPECT_EQ(r.status, 0) << r.err;
        d.Parse(r.out.c_str());
        return !d.HasParseError() && d.IsObject() && d["rows"].Size() == 1 && d["rows"][0].HasMember("phase") &&
               d["rows"][0]["phase"].IsString();
    };
    ASSERT_TRUE(eventually(running)) << log_text();
    EXPECT_EQ(d["in_flight"].GetUint64(), 1u);
    const auto& row = d["rows"][0];
    EXPECT_EQ(std::string(row["kind"].GetString()), "build");
    EXPECT_EQ(std::string(row["name"].GetString()), "hello-2.12");
    EXPECT_EQ(std::string(row["path"].GetString()), "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-hello-2.12.drv");
    EXPECT_EQ(row["uid"].GetUint64(), std::uint64_t{getuid()});
    EXPECT_EQ(row["trusted"].GetBool(), getuid() == 0);
    EXPECT_EQ(std::string(row["phase"].GetString()), "buildPhase");
    EXPECT_TRUE(row["machine"].IsNull());
    EXPECT_EQ(row["done"].GetUint64(), 0u);
    EXPECT_EQ(row["expected"].GetUint64(), 3u);
    EXPECT_DOUBLE_EQ(row["expected_seconds"].GetDouble(), 20.0) << "the median of 10, 30 and 20 s";
    double first = row["elapsed_seconds"].GetDouble();
    EXPECT_GE(first, 0.0);
    ASSERT_TRUE(eventually([&] { return running() && d["rows"][0]["elapsed_seconds"].GetDouble() > first + 0.3; }))
        << "the elapsed time grows";

    auto table = nodctl_at(bus.address(), {"running"});
    ASSERT_EQ(table.status, 0) << table.err;
    EXPECT_TRUE(table.out.starts_with("KIND   NAME        USER")) << table.out;
    EXPECT_NE(table.out.find("  20.0s  buildPhase  0/3 builds  -\n"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("\n1 activity in flight."), std::string::npos) << table.out;

    if (geteuid() == 0) {
        fs::path mine = copy_for_anyone(nodctl_binary, dir.path());
        auto as_nobody = run({mine.string(), "running", "-o", "csv"}, nodctl_env(bus.address()), nobody);
        EXPECT_EQ(as_nobody.status, 0) << as_nobody.err;
        EXPECT_NE(as_nobody.out.find(",hello-2.12,"), std::string::npos) << "open to every user, as Stats is";
    }

    ASSERT_TRUE(nix.write(R"({"action":"stop","id":)" + id + "}\n"));
    ASSERT_TRUE(eventually([&] {
        auto r = nodctl_at(bus.address(), {"running", "-o", "json"});
        d.Parse(r.out.c_str());
        return r.status == 0 && !d.HasParseError() && d["in_flight"].GetUint64() == 0 && d["rows"].Size() == 0;
    }));
    EXPECT_EQ(nodctl_at(bus.address(), {"running"}).out, "0 activities in flight.\n");
}


// ---- the live view's signals, property and nodctl top ----------------------------------------------

// One signal as dbus-monitor printed it: its member, the structs of its array, the strings in them and its
// last uint64 (Started's and Finished's `more`).
struct MonitoredSignal {
    std::string member;
    std::size_t entries = 0;
    std::vector<std::string> strings;
    std::uint64_t more = 0;
};

std::vector<MonitoredSignal> monitored_signals(const fs::path& file) {
    std::vector<MonitoredSignal> out;
    std::istringstream in(read_file(file));
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("signal ")) {
            auto m = line.find("member=");
            MonitoredSignal signal;
            signal.member = m == std::string::npos ? "" : line.substr(m + 7);
            out.push_back(std::move(signal));
            continue;
        }
        if (out.empty()) continue;
        std::string t = line.substr(std::min(line.find_first_not_of(' '), line.size()));
        if (t == "struct {") ++out.back().entries;
        if (t.starts_with("string \"")) out.back().strings.push_back(t.substr(8, t.size() - 9));
        if (t.starts_with("uint64 ")) out.back().more = std::stoull(t.substr(7));
    }
    return out;
}

// A real subscriber on the bus (dbus-monitor, matching what the collector sends).
struct Monitor {
    fs::path file;
    Process process;
    Monitor(const std::string& address, const fs::path& dir)
        : file(dir / "monitor.txt"),
          process({"dbus-monitor", "--address", address, "type='signal',sender='net.bergsoe.Nod1'"}, {}, file) {
        // It is listening once it printed its own name's coming and going.
        if (!eventually([&] { return read_file(file).find("NameLost") != std::string::npos; }))
            throw std::runtime_error("dbus-monitor did not start: " + read_file(file));
    }
    ~Monitor() { process.signal(SIGTERM); }
    std::vector<MonitoredSignal> signals(const std::string& member) const {
        std::vector<MonitoredSignal> out;
        for (auto& m : monitored_signals(file))
            if (m.member == member) out.push_back(std::move(m));
        return out;
    }
};

std::string build_lines(std::uint64_t base, const std::string& name, bool end) {
    std::string id = std::to_string(base + 2), agg = std::to_string(base + 1);
    std::string path = "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-" + name + ".drv";
    if (end)
        return R"({"action":"result","fields":[1,1,0,0],"id":)" + agg + R"(,"type":105})" "\n"
               R"({"action":"stop","id":)" + id + "}\n";
    return R"({"action":"start","id":)" + agg + R"(,"level":5,"parent":0,"text":"","type":104})" "\n"
           R"({"action":"start","fields":[")" + path + R"(","",1,1],"id":)" + id +
           R"(,"level":3,"parent":0,"text":"","type":105})" "\n"
           R"({"action":"result","fields":[0,1,1,0],"id":)" + agg + R"(,"type":105})" "\n"
           R"({"action":"result","fields":["buildPhase"],"id":)" + id + R"(,"type":104})" "\n";
}

// Started and Finished reach a real subscriber, each activity once, and the Running property announces
// its changes with PropertiesChanged.
TEST_F(CollectorTest, StartedFinishedAndRunningReachASubscriber) {
    start();
    Monitor monitor(bus.address(), dir.path());
    const std::uint64_t base = static_cast<std::uint64_t>(getpid()) << 32;
    NixConnection nix(socket);
    ASSERT_TRUE(nix.write(build_lines(base, "hello-2.12", false)));
    ASSERT_TRUE(eventually([&] { return !monitor.signals("Started").empty(); })) << read_file(monitor.file);
    auto started = monitor.signals("Started");
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0].entries, 1u);
    EXPECT_EQ(started[0].strings, (std::vector<std::string>{"build", "hello-2.12",
                                                            "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-hello-2.12.drv"}));
    EXPECT_EQ(started[0].more, 0u);
    auto property = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Running"});
    EXPECT_EQ(property.out, "u 1\n");

    ASSERT_TRUE(nix.write(build_lines(base, "hello-2.12", true)));
    ASSERT_TRUE(eventually([&] { return !monitor.signals("Finished").empty(); })) << read_file(monitor.file);
    auto finished = monitor.signals("Finished");
    ASSERT_EQ(finished.size(), 1u);
    EXPECT_EQ(finished[0].entries, 1u);
    EXPECT_EQ(finished[0].strings, (std::vector<std::string>{"build", "hello-2.12",
                                                             "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-hello-2.12.drv",
                                                             "succeeded"}));
    ASSERT_TRUE(eventually([&] {
        auto changes = monitor.signals("PropertiesChanged");
        return changes.size() >= 2;  // to 1, then back to 0
    })) << read_file(monitor.file);
    for (const auto& c : monitor.signals("PropertiesChanged"))
        EXPECT_NE(std::find(c.strings.begin(), c.strings.end(), "Running"), c.strings.end());
    EXPECT_EQ(busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Running"}).out,
              "u 0\n");
}

// A burst of 10 000 substitutions is a few signals, not 10 000: each carries at most 1 000 entries and
// counts the rest in `more`, and together they account for every one.
TEST_F(CollectorTest, ABurstOfSubstitutionsIsCoalesced) {
    start();
    Monitor monitor(bus.address(), dir.path());
    const std::uint64_t base = static_cast<std::uint64_t>(getpid()) << 32;
    constexpr int burst = 10'000;
    std::string lines;
    for (int i = 0; i < burst; ++i) {
        std::string id = std::to_string(base + 10 + static_cast<std::uint64_t>(i));
        lines += R"({"action":"start","fields":["/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-p-)" + std::to_string(i) +
                 R"(","https://cache.example"],"id":)" + id + R"(,"level":4,"parent":0,"text":"","type":108})" "\n"
                 R"({"action":"stop","id":)" + id + "}\n";
    }
    {
        NixConnection nix(socket);
        ASSERT_TRUE(nix.write(lines));
    }
    auto total = [&](const std::string& member) {
        std::uint64_t n = 0;
        for (const auto& m : monitor.signals(member)) n += m.entries + m.more;
        return n;
    };
    ASSERT_TRUE(eventually([&] { return total("Finished") == burst && total("Started") == burst; }, 30s))
        << "started " << total("Started") << ", finished " << total("Finished");
    for (const char* member : {"Started", "Finished"}) {
        auto signals = monitor.signals(member);
        EXPECT_LE(signals.size(), 20u) << member;
        for (const auto& m : signals) EXPECT_LE(m.entries, 1000u) << member;
    }
}

// A live view's Subscribe keeps an idle collector up (for a minute); without it, --idle-exit-sec 1 ends it
// within seconds (CollectorTest's idle tests).
TEST_F(CollectorTest, ASubscriberKeepsAnIdleCollectorUp) {
    start({"--idle-exit-sec", "1"});
    auto r = call("Subscribe", {});
    ASSERT_EQ(r.status, 0) << r.err;
    std::this_thread::sleep_for(3s);
    EXPECT_TRUE(collector->running()) << log_text();
}

// Columns a line takes in a terminal: UTF-8 code points.
std::size_t display_columns(const std::string& line) {
    return static_cast<std::size_t>(
        std::count_if(line.begin(), line.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string tmux_pane(const fs::path& socket_path) {
    return run({"tmux", "-S", socket_path.string(), "capture-pane", "-p", "-t", "top"}).out;
}

// nodctl top in a real terminal (tmux, 80×24): it shows a live build, then the build among the last
// finished; q quits with status 0 and gives the terminal back (the normal screen, not top's frame).
TEST_F(CollectorTest, TopInATerminalShowsWhatRunsAndQuitsCleanly) {
    if (run({"tmux", "-V"}).status != 0) GTEST_SKIP() << "tmux is not installed (scripts/setup installs it)";
    start();
    const fs::path tmux_socket = dir / "tmux.sock";
    // A shell stays after top, so that the terminal top leaves behind can be looked at.
    std::string command = "env DBUS_SYSTEM_BUS_ADDRESS='" + bus.address() + "' NO_COLOR=1 LC_ALL=C.UTF-8 '" +
                          nodctl_binary.string() + "' top; echo \"top exited $?\"; sleep 60";
    auto tmux = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {"tmux", "-S", tmux_socket.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv);
    };
    ASSERT_EQ(tmux({"-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", "-s", "top", command}).status, 0);
    ASSERT_TRUE(eventually([&] { return tmux_pane(tmux_socket).find("nod top: 0 activities") != std::string::npos; }))
        << tmux_pane(tmux_socket);

    const std::uint64_t base = static_cast<std::uint64_t>(getpid()) << 32;
    NixConnection nix(socket);
    ASSERT_TRUE(nix.write(build_lines(base, "hello-2.12", false)));
    ASSERT_TRUE(eventually([&] {
        std::string pane = tmux_pane(tmux_socket);
        return pane.find("nod top: 1 activity") != std::string::npos && pane.find("hello-2.12") != std::string::npos;
    })) << tmux_pane(tmux_socket);
    ASSERT_TRUE(nix.write(build_lines(base, "hello-2.12", true)));
    ASSERT_TRUE(eventually([&] {
        std::string pane = tmux_pane(tmux_socket);
        return pane.find("Last finished") != std::string::npos && pane.find("succeeded") != std::string::npos &&
               pane.find("nod top: 0 activities") != std::string::npos;
    })) << tmux_pane(tmux_socket);
    for (const auto& line : [&] {
             std::vector<std::string> v;
             std::istringstream in(tmux_pane(tmux_socket));
             for (std::string l; std::getline(in, l);) v.push_back(l);
             return v;
         }())
        EXPECT_LE(display_columns(line), 80u) << line;

    tmux({"send-keys", "-t", "top", "q"});
    ASSERT_TRUE(eventually([&] { return tmux_pane(tmux_socket).find("top exited 0") != std::string::npos; }))
        << tmux_pane(tmux_socket);
    EXPECT_EQ(tmux_pane(tmux_socket).find("nod top:"), std::string::npos)
        << "top's alternate screen is gone:\n" << tmux_pane(tmux_socket);
    EXPECT_EQ(tmux({"display-message", "-p", "-t", "top", "#{alternate_on} #{cursor_flag}"}).out, "0 1\n")
        << "the normal screen and the cursor are back";

    // Ctrl-C too.
    ASSERT_EQ(tmux({"new-session", "-d", "-x", "80", "-y", "24", "-s", "top2", command}).status, 0);
    ASSERT_TRUE(eventually([&] {
        return run({"tmux", "-S", tmux_socket.string(), "capture-pane", "-p", "-t", "top2"}).out.find("nod top:") !=
               std::string::npos;
    }));
    tmux({"send-keys", "-t", "top2", "C-c"});
    ASSERT_TRUE(eventually([&] {
        return run({"tmux", "-S", tmux_socket.string(), "capture-pane", "-p", "-t", "top2"}).out.find("top exited 0") !=
               std::string::npos;
    })) << run({"tmux", "-S", tmux_socket.string(), "capture-pane", "-p", "-t", "top2"}).out;
    EXPECT_EQ(tmux({"display-message", "-p", "-t", "top2", "#{alternate_on} #{cursor_flag}"}).out, "0 1\n");
    tmux({"kill-server"});
}

// The hit rate from a stream with known work: three builds and one substitution, all successful, through a
// real socket and collector: 1 / 4.
TEST_F(CollectorTest, TheHitRateOfAKnownStream) {
    start();
    const std::uint64_t base = static_cast<std::uint64_t>(getpid()) << 32;
    std::string lines;
    for (std::uint64_t i = 0; i < 3; ++i) {
        lines += build_lines(base + 100 * i, "b-" + std::to_string(i), false);
        lines += build_lines(base + 100 * i, "b-" + std::to_string(i), true);
    }
    const std::string copies = std::to_string(base + 900), sub = std::to_string(base + 901);
    lines += R"({"action":"start","id":)" + copies + R"(,"level":5,"parent":0,"text":"","type":103})" "\n"
             R"({"action":"start","fields":["/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-s-1","https://cache.example"],"id":)" +
             sub + R"(,"level":4,"parent":0,"text":"","type":108})" "\n"
             R"({"action":"stop","id":)" + sub + "}\n"
             R"({"action":"result","fields":[1,1,0,0],"id":)" + copies + R"(,"type":105})" "\n";
    {
        NixConnection nix(socket);
        ASSERT_TRUE(nix.write(lines));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 4; })) << log_text();
    auto r = nodctl_at(bus.address(), {"caches", "-o", "json"});
    ASSERT_EQ(r.status, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_FALSE(d.HasParseError()) << r.out;
    EXPECT_EQ(d["substituted"].GetUint64(), 1u);
    EXPECT_EQ(d["built"].GetUint64(), 3u);
    EXPECT_DOUBLE_EQ(d["hit_rate"].GetDouble(), 0.25);
    ASSERT_EQ(d["rows"].Size(), 1u);
    EXPECT_EQ(std::string(d["rows"][0]["substituter"].GetString()), "https://cache.example");
}

TEST_F(CollectorTest, TopOnceIsOneFrame) {
    start();
    auto r = nodctl_at(bus.address(), {"top", "--once"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("nod top: 0 activities in flight")) << r.out;
    EXPECT_EQ(r.out.find("\033["), std::string::npos) << "no terminal, no escapes";
    EXPECT_TRUE(r.out.ends_with("q: quit\n")) << r.out;
}

}  // namespace
}  // namespace nod::test
