// The reader against real Nix streams (tests/data/corpus, copied unchanged from the shared corpus) and
// the builders' own record of what ran (truth.log).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "reader/reader.hpp"
#include "replay/capture.hpp"

namespace nod {
namespace {

namespace fs = std::filesystem;
const fs::path corpus = fs::path(NOD_TEST_DATA) / "corpus";

struct Mode {
    bool peer_pids;
    std::uint64_t split_seed;
};

std::string describe(const Mode& m) {
    return std::string(m.peer_pids ? "with peer pids" : "replayed by another process") +
           (m.split_seed ? ", lines split across reads" : "");
}

std::vector<Row> run(const std::vector<replay::CapturedConnection>& conns, const Mode& mode, ReaderCounters* k = nullptr) {
    std::vector<Row> rows;
    Reader reader({}, [&](Row&& r) { rows.push_back(std::move(r)); });
    replay::replay(conns, reader, {.base = 0, .peer_pids = mode.peer_pids, .split_seed = mode.split_seed});
    if (k) *k = reader.counters();
    return rows;
}

std::string test_name(std::string n) {
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}

const std::vector<Mode> modes = {{true, 0}, {false, 0}, {true, 7}, {false, 11}};

// ---- Nix 2.30 captures against truth.log ------------------------------------------------------------

class Nix230 : public ::testing::TestWithParam<std::string> {};

TEST_P(Nix230, BuildsMatchTheBuildersTruth) {
    fs::path dir = corpus / "nix-2.30" / GetParam();
    auto conns = replay::load_capture_folder(dir);
    auto truth = replay::load_truth(dir / "truth.log");
    for (const Mode& mode : modes) {
        SCOPED_TRACE(describe(mode));
        ReaderCounters k;
        auto rows = run(conns, mode, &k);
        EXPECT_EQ(k.malformed_lines + k.non_object_lines + k.unknown_actions + k.wrong_types, 0u);

        std::map<std::string, Row> builds;
        for (const auto& r : rows) {
            if (r.kind != Kind::build) continue;
            EXPECT_TRUE(builds.emplace(r.name, r).second) << r.name << " recorded twice";
        }
        std::set<std::string> started, recorded;
        for (const auto& t : truth) started.insert(t.name);
        for (const auto& [name, r] : builds) recorded.insert(name);
        EXPECT_EQ(recorded, started);

        for (const auto& t : truth) {
            auto it = builds.find(t.name);
            if (it == builds.end()) continue;
            const Row& r = it->second;
            SCOPED_TRACE(t.name);
            if (!t.ended) {
                EXPECT_EQ(r.outcome, Outcome::cancelled);
                continue;
            }
            EXPECT_EQ(r.outcome, t.rc == 0 ? Outcome::succeeded : Outcome::failed);
            ASSERT_TRUE(r.duration) << "Nix 2.30 gives every finished build's end";
            double truth_s = t.end - t.start;
            double got_s = static_cast<double>(*r.duration) / 1e6;
            EXPECT_NEAR(got_s, truth_s, std::max(0.1 * truth_s, 0.1));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Nix230,
                         ::testing::Values("h1-daemon-newcli", "h2-daemon-legacy", "h3-daemon-depfail",
                                           "h4-local-fail", "h6-daemon-many", "h7-local-interrupt"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return test_name(p.param); });

TEST(Nix230Corpus, H1RecordsEachDaemonBuildOnceAlthoughItCameTwice) {
    auto conns = replay::load_capture_folder(corpus / "nix-2.30/h1-daemon-newcli");
    ASSERT_EQ(conns.size(), 2u);
    for (const Mode& mode : modes) {
        ReaderCounters k;
        auto rows = run(conns, mode, &k);
        EXPECT_EQ(rows.size(), 3u) << describe(mode);
        EXPECT_EQ(k.duplicate_rows, 3u) << describe(mode);
        if (mode.peer_pids) {
            // The daemon worker (conn-002, the ids' origin) is the one recorded, with its pid.
            for (const auto& r : rows) EXPECT_EQ(r.pid, conns[1].peer.pid);
        }
    }
}

TEST(Nix230Corpus, H5YieldsExactlyItsTwoSubstitutionsWithNarSizes) {
    auto conns = replay::load_capture_folder(corpus / "nix-2.30/h5-daemon-subst");
    for (const Mode& mode : modes) {
        SCOPED_TRACE(describe(mode));
        auto rows = run(conns, mode);
        ASSERT_EQ(rows.size(), 2u);
        std::map<std::string, Row> by_name;
        for (const auto& r : rows) by_name[r.name] = r;
        // NAR sizes as the binary cache's narinfo gave them (the copy progress' expected size, and
        // Nix's own total: setExpected [100, 7000800] = "6.68 MiB unpacked" in stderr).
        ASSERT_TRUE(by_name.count("hs-small-1"));
        ASSERT_TRUE(by_name.count("hs-big-2"));
        EXPECT_EQ(by_name["hs-small-1"].bytes, 1000280u);
        EXPECT_EQ(by_name["hs-big-2"].bytes, 6000520u);
        for (const auto& [name, r] : by_name) {
            EXPECT_EQ(r.kind, Kind::substitute);
            EXPECT_EQ(r.outcome, Outcome::succeeded);
            EXPECT_EQ(r.machine, "file:///tmp/capture/cache");
            ASSERT_TRUE(r.duration);
            EXPECT_GT(*r.duration, 0);
            EXPECT_LT(*r.duration, 1'000'000);
        }
    }
}

// hf-consumer's only dependency failed, so Nix never started it ("Reason: 1 dependency failed"): its
// error message names it, but there is no build to record. Its two dependencies are recorded.
TEST(Nix230Corpus, H3DependencyThatNeverStartedIsNotRecorded) {
    for (const Mode& mode : modes) {
        SCOPED_TRACE(describe(mode));
        auto rows = run(replay::load_capture_folder(corpus / "nix-2.30/h3-daemon-depfail"), mode);
        std::map<std::string, Outcome> builds;
        for (const auto& r : rows)
            if (r.kind == Kind::build) builds[r.name] = r.outcome;
        EXPECT_EQ(builds, (std::map<std::string, Outcome>{{"hf-broken-0.1", Outcome::failed},
                                                          {"hf-ok-3.3", Outcome::succeeded}}));
    }
}

// ---- Nix 2.8 stderr captures ----------------------------------------------------------------------

struct Nix28Expect {
    std::string stream;
    int rc;
};

std::vector<std::string> nix28_streams() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(corpus / "nix-2.8"))
        if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

int read_rc(const fs::path& file) {
    std::ifstream in(file);
    std::string s;
    in >> s;
    if (s.starts_with("rc=")) s = s.substr(3);
    return std::stoi(s);
}

// Counts `start` records of `type` in a stream, independently of the reader.
std::size_t count_starts(const replay::CapturedConnection& c, int type) {
    std::string needle = "\"type\":" + std::to_string(type) + "}";
    return static_cast<std::size_t>(std::count_if(c.lines.begin(), c.lines.end(), [&](const replay::CapturedLine& l) {
        return l.text.starts_with(R"({"action":"start")") && l.text.ends_with(needle);
    }));
}

class Nix28 : public ::testing::TestWithParam<std::string> {};

TEST_P(Nix28, EveryStartedBuildAndSubstitutionIsRecordedWithTheRightOutcome) {
    fs::path json = corpus / "nix-2.8" / (GetParam() + ".json");
    auto conn = replay::load_stderr_capture(json);
    int rc = read_rc(corpus / "nix-2.8" / (GetParam() + ".rc"));
    for (const Mode& mode : modes) {
        SCOPED_TRACE(describe(mode));
        ReaderCounters k;
        auto rows = run({conn}, mode, &k);
        EXPECT_EQ(k.malformed_lines + k.non_object_lines, 0u);
        auto of = [&](Kind kind) {
            return static_cast<std::size_t>(
                std::count_if(rows.begin(), rows.end(), [&](const Row& r) { return r.kind == kind; }));
        };
        EXPECT_EQ(of(Kind::build), count_starts(conn, 105));
        EXPECT_EQ(of(Kind::substitute), count_starts(conn, 108));
        for (const auto& r : rows) {
            SCOPED_TRACE(r.name);
            if (r.kind != Kind::build) continue;
            if (rc == 0) EXPECT_EQ(r.outcome, Outcome::succeeded);
            else if (GetParam().starts_with("s8-interrupt")) EXPECT_EQ(r.outcome, Outcome::cancelled);
            else EXPECT_EQ(r.outcome, Outcome::failed);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Corpus, Nix28, ::testing::ValuesIn(nix28_streams()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return test_name(p.param); });

// In Nix 2.8 a requested derivation's stop comes only when Nix exits: s3's leaves 3–5 (sleep 1, done
// after ~1 s) stop at ~4 s. Their duration must be the real ~1 s or unknown, never the 4 s of stop.
TEST(Nix28Corpus, LateStopsNeverGiveTheStopsDuration) {
    auto conn = replay::load_stderr_capture(corpus / "nix-2.8/s3-parallel-nixbuild-ts.json");
    for (const Mode& mode : modes) {
        auto rows = run({conn}, mode);
        int known = 0;
        for (const auto& r : rows) {
            if (!r.name.starts_with("s3-leaf") && !r.name.starts_with("s3-chain")) continue;
            SCOPED_TRACE(r.name);
            if (!r.duration) continue;
            ++known;
            EXPECT_NEAR(static_cast<double>(*r.duration) / 1e6, 1.0, 0.1);
        }
        EXPECT_GE(known, 5) << "the builds whose stop came on time have their duration";
    }
}

// Without a clock (the .json captures) there is nothing to time; the no-timestamp streams whose late
// stops cannot be paired must say unknown rather than zero.
TEST(Nix28Corpus, UnpairableLateStopsAreUnknown) {
    auto conn = replay::load_stderr_capture(corpus / "nix-2.8/s3-parallel-nixbuild.json");
    auto rows = run({conn}, modes[0]);
    int unknown = 0;
    for (const auto& r : rows) unknown += !r.duration;
    EXPECT_GT(unknown, 0);
    for (const auto& r : rows) {
        if (r.name == "s3-leaf-3" || r.name == "s3-leaf-4" || r.name == "s3-leaf-5") {
            EXPECT_FALSE(r.duration && *r.duration > 0) << r.name;
        }
    }
}

// Our own Nix 2.8 capture (tests/data/captures/README.md): with --keep-going, the failing requested build
// finishes alone and early, but its stop comes at exit just after another build's completion.
TEST(Nix28Captures, AnEarlyFailureKeepsItsOwnEndAndOutcome) {
    auto conn = replay::load_stderr_capture(fs::path(NOD_TEST_DATA) / "captures/nix28-keep-going.json");
    for (const Mode& mode : modes) {
        SCOPED_TRACE(describe(mode));
        std::map<std::string, Row> by_name;
        for (auto& r : run({conn}, mode)) by_name[r.name] = r;
        ASSERT_EQ(by_name.size(), 5u);
        EXPECT_EQ(by_name["demo-broken"].outcome, Outcome::failed);
        ASSERT_TRUE(by_name["demo-broken"].duration);
        EXPECT_LT(*by_name["demo-broken"].duration, 100'000) << "it failed at once, not at exit";
        const std::map<std::string, double> sleeps = {
            {"demo-leaf-1", 0.3}, {"demo-leaf-2", 0.6}, {"demo-leaf-3", 0.9}, {"demo-app", 0.2}};
        for (const auto& [name, seconds] : sleeps) {
            SCOPED_TRACE(name);
            EXPECT_EQ(by_name[name].outcome, Outcome::succeeded);
            ASSERT_TRUE(by_name[name].duration);
            EXPECT_NEAR(static_cast<double>(*by_name[name].duration) / 1e6, seconds, 0.1);
        }
    }
}

}  // namespace
}  // namespace nod
