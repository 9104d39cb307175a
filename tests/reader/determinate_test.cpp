// Determinate Nix's streams (determinate_streams.hpp): its build results give the outcome, Nix's status,
// the duration within a second and the CPU time; type 109 is told apart by `payload` against `fields`;
// `sid` changes nothing; upstream streams beside them stay as they were.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "determinate_streams.hpp"
#include "harness.hpp"
#include "reader/build_result.hpp"
#include "reader/reader.hpp"
#include "replay/capture.hpp"

namespace nod {
namespace {

namespace fs = std::filesystem;
using namespace nod::test::determinate;
using nod::test::second;

constexpr std::int32_t pid = 4242;
constexpr std::uint64_t epoch = 1'755'790'000;  // the payloads' clock (seconds)

struct Replayed {
    std::vector<Row> rows;
    ReaderCounters counters;

    const Row* find(std::string_view name, Kind kind = Kind::build) const {
        const Row* found = nullptr;
        for (const auto& r : rows) {
            if (r.name != name || r.kind != kind) continue;
            EXPECT_EQ(found, nullptr) << name << " recorded twice";
            found = &r;
        }
        return found;
    }
};

Replayed replay_all(const std::vector<replay::CapturedConnection>& conns, bool peer_pids = true) {
    Replayed run;
    Reader reader({}, [&](Row&& r) { run.rows.push_back(std::move(r)); });
    replay::replay(conns, reader, {.base = 0, .peer_pids = peer_pids, .split_seed = 0});
    run.counters = reader.counters();
    return run;
}

// ---- one Worker, every kind of result --------------------------------------------------------------

const Drv hello = drv("hello-2.12", 1), lagged = drv("lagged-1.0", 2), broken = drv("broken-0.1", 3),
          silent = drv("silent-1", 4), src = drv("src-1.0.tar.gz", 5), dep = drv("dep-3.1", 6),
          gone = drv("gone-2.0", 7), sub_a = drv("sub-a-1", 8), sub_b = drv("sub-b-1", 9),
          elsewhere = drv("elsewhere-1", 10), never = drv("never-1", 11);
constexpr const char* cache = "https://cache.example.org";

Result succeeded(std::uint64_t start, std::uint64_t stop, std::uint64_t cpu_user, std::uint64_t cpu_system) {
    Result r;
    r.start_time = start;
    r.stop_time = stop;
    r.cpu_user_us = cpu_user;
    r.cpu_system_us = cpu_system;
    return r;
}

Result failed(std::string status, std::uint64_t start, std::uint64_t stop, std::string error) {
    Result r;
    r.status = std::move(status);
    r.success = false;
    r.start_time = start;
    r.stop_time = stop;
    r.error_msg = std::move(error);
    return r;
}

// hello and lagged overlap (lagged finishes first), broken fails with the Worker's failed count, silent
// times out (stopTime 0), src's fixed output has the wrong hash (109, then 110 HashMismatch). Then the
// substitutions: dep (counted done, then its result), gone (the cache lost the NAR: no count, only the
// result), sub-a and sub-b at once (sub-b's done count comes while both wait, then both results). Last,
// results for paths this connection never worked on.
Stream worker_stream(Version v) {
    Stream s(v, pid);
    s.begin(99.0);
    std::uint64_t h = s.build_start(100.0, hello);
    s.build_log(101.0, h, "compiling");
    std::uint64_t l = s.build_start(110.0, lagged);  // received 7 s late: Nix's span says 9 s
    s.build_log(111.0, l, "working");
    s.build_end(112.0, l, lagged, succeeded(epoch + 3, epoch + 12, 1'500'000, 250'000));
    s.build_end(112.4, h, hello, succeeded(epoch, epoch + 12, 912'000, 41'000));
    // received 12.4 s after its start: within a second of 12 s

    std::uint64_t b = s.build_start(120.0, broken);
    s.build_log(120.5, b, "error: oops");
    Result broken_failed =
        failed("PermanentFailure", epoch + 20, epoch + 21,
               "Cannot build '" + broken.drv_path() + "'.\nReason: builder failed with exit code 1.");
    broken_failed.cpu_user_us = 3'000;
    broken_failed.cpu_system_us = 1'000;
    s.build_end(121.2, b, broken, broken_failed);

    std::uint64_t t = s.build_start(130.0, silent);
    Result timed_out = failed("TimedOut", epoch + 30, 0, "timed out after 3 seconds");
    timed_out.times_built = 0;
    s.build_end(133.0, t, silent, timed_out);

    std::uint64_t f = s.build_start(140.0, src);
    s.hash_mismatch(141.0, f, src);
    s.build_end(141.0, f, src,
                failed("HashMismatch", epoch + 40, epoch + 41,
                       "hash mismatch in fixed-output derivation '" + src.drv_path() + "'"));

    auto d = s.substitution_start(150.0, dep.out_path(), cache, 4096);
    s.substitution_stop(151.0, d);
    s.substitution_done(151.0, d, "done", "Substituted");
    auto g = s.substitution_start(160.0, gone.out_path(), cache, 0);
    s.substitution_stop(160.5, g);
    s.substitution_done(160.5, g, "", "NoSubstituters");
    auto a = s.substitution_start(170.0, sub_a.out_path(), cache, 100);
    auto bb = s.substitution_start(170.0, sub_b.out_path(), cache, 200);
    s.substitution_stop(171.0, a);  // a's NAR is gone: no count for it
    s.substitution_stop(172.0, bb);
    s.substitution_done(172.0, bb, "done", "Substituted");  // counted while a waits too
    s.substitution_done(172.0, a, "", "NoSubstituters");

    s.derivation_result(180.0, elsewhere, "AlreadyValid");
    s.derivation_result(180.0, never, "DependencyFailed");
    s.end(181.0);
    return s;
}

class Generations : public ::testing::TestWithParam<Version> {};

TEST_P(Generations, BuildResultsGiveOutcomeStatusDurationAndCpu) {
    Version v = GetParam();
    Stream s = worker_stream(v);
    Replayed run = replay_all({s.connection(182.0)});
    ASSERT_EQ(run.rows.size(), 9u);
    bool cpu = !g1(v);  // 3.1–3.14 send no CPU times

    const Row* r = run.find("hello-2.12");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::succeeded);
    EXPECT_EQ(r->status, BuildStatus::built);
    EXPECT_EQ(r->duration, 12'400'000) << "the receipt-based duration is within a second of Nix's 12 s";
    EXPECT_EQ(r->cpu_user_us, cpu ? std::optional<std::uint64_t>(912'000) : std::nullopt);
    EXPECT_EQ(r->cpu_system_us, cpu ? std::optional<std::uint64_t>(41'000) : std::nullopt);

    r = run.find("lagged-1.0");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::succeeded);
    EXPECT_EQ(r->duration, 9 * second) << "2 s since the start was received, Nix says 9: its span";
    EXPECT_EQ(r->cpu_user_us, cpu ? std::optional<std::uint64_t>(1'500'000) : std::nullopt);

    r = run.find("broken-0.1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::failed);
    EXPECT_EQ(r->status, BuildStatus::permanent_failure);
    EXPECT_EQ(r->duration, 1'200'000);
    // Failed builds carry their CPU time; 3.15–3.20 sent them without times (0), and cpuUser only when set.
    EXPECT_EQ(r->cpu_user_us, cpu ? std::optional<std::uint64_t>(3'000) : std::nullopt);

    r = run.find("silent-1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::failed);
    EXPECT_EQ(r->status, BuildStatus::timed_out);
    EXPECT_EQ(r->duration, 3 * second) << "stopTime 0: the receipt-based duration";

    r = run.find("src-1.0.tar.gz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::failed);
    EXPECT_EQ(r->status, BuildStatus::hash_mismatch);

    r = run.find("dep-3.1", Kind::substitute);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::succeeded);
    EXPECT_EQ(r->status, BuildStatus::substituted);
    EXPECT_EQ(r->duration, 1 * second) << "a substitution's stop is its end; its result has no times";
    EXPECT_EQ(r->bytes, 4096u);
    EXPECT_FALSE(r->cpu_user_us);

    r = run.find("gone-2.0", Kind::substitute);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::failed) << "no count came for it: only its result says so";
    EXPECT_EQ(r->status, BuildStatus::no_substituters);

    r = run.find("sub-a-1", Kind::substitute);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::failed) << "the done count was sub-b's, although sub-a waited longer";
    r = run.find("sub-b-1", Kind::substitute);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::succeeded);
    EXPECT_EQ(r->status, BuildStatus::substituted);

    // 12 results (lagged, hello, broken, silent, src's 109 and 110, four substitutions, two for other paths):
    // only the two for paths never worked on here are unmatched. dep's came after the count that settled
    // its row, which waited for it: the connection had sent results before.
    EXPECT_EQ(run.counters.payload_results, 12u);
    EXPECT_EQ(run.counters.unmatched_payloads, 2u);
    EXPECT_EQ(run.counters.unusable_payloads, 0u);
    EXPECT_EQ(run.counters.unknown_result_types, 0u);
    EXPECT_EQ(run.counters.wrong_types, 0u);
    EXPECT_EQ(run.counters.malformed_lines, 0u);
}

// `sid` (3.20 on) is on every record and nod ignores it: the same stream without it gives the same rows
// and counts.
TEST_P(Generations, SidOnEveryRecordChangesNothing) {
    Stream s = worker_stream(GetParam());
    replay::CapturedConnection with = s.connection(182.0), without = with;
    std::size_t sids = 0;
    for (auto& line : without.lines) {
        auto at = line.text.find(",\"sid\":\"");
        if (at == std::string::npos) continue;
        ++sids;
        line.text.erase(at, line.text.find('"', at + 8) + 1 - at);
    }
    if (has_sid(GetParam()))
        EXPECT_EQ(sids, with.lines.size()) << "every record has one";
    else
        EXPECT_EQ(sids, 0u);
    Replayed a = replay_all({with}), b = replay_all({without});
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.counters.unmatched_payloads, b.counters.unmatched_payloads);
    EXPECT_EQ(a.counters.wrong_types + a.counters.unknown_actions, 0u);
}

// A Worker often substitutes before it builds. From 3.20 the `sid` on every record says "Determinate" before
// the first result does, so the first substitutions wait for theirs too; before 3.20 nothing does, and
// their outcome is the Worker's count alone, as with upstream Nix.
TEST_P(Generations, SubstitutionsBeforeTheFirstResult) {
    Stream s(GetParam(), pid);
    s.begin(0);
    auto d = s.substitution_start(1.0, dep.out_path(), cache, 4096);
    s.substitution_stop(2.0, d);
    s.substitution_done(2.0, d, "done", "Substituted");
    std::uint64_t b = s.build_start(3.0, hello);
    s.build_end(4.0, b, hello, succeeded(epoch, epoch + 1, 1'000, 1'000));
    s.end(5.0);
    Replayed run = replay_all({s.connection(6.0)});
    ASSERT_EQ(run.rows.size(), 2u);
    const Row* r = run.find("dep-3.1", Kind::substitute);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->outcome, Outcome::succeeded);
    EXPECT_EQ(r->status, has_sid(GetParam()) ? BuildStatus::substituted : BuildStatus::none);
    EXPECT_EQ(run.counters.unmatched_payloads, has_sid(GetParam()) ? 0u : 1u);
}

INSTANTIATE_TEST_SUITE_P(Determinate, Generations,
                         ::testing::Values(Version::v3_14, Version::v3_18, Version::v3_19, Version::v3_21,
                                           Version::v3_22),
                         [](const ::testing::TestParamInfo<Version>& p) {
                             std::string name = std::string("v") + version_name(p.param);
                             std::replace(name.begin(), name.end(), '.', '_');
                             return name;
                         });

// ---- payload shapes, one by one --------------------------------------------------------------------

// The lines of nix-log-variants as Determinate writes them, with a build open for the first's derivation.
TEST(DeterminatePayload, TheDocumentedLinesVerbatim) {
    test::Harness h;
    auto c = h.open(pid);
    std::string base = std::to_string(std::uint64_t{pid} << 32);
    auto id = [&](int n) {
        return std::to_string((std::uint64_t{pid} << 32) + static_cast<std::uint64_t>(n));
    };
    h.send(
        c,
        R"({"action":"start","id":)" + id(1) + R"(,"level":0,"parent":0,"sid":"019e","text":"","type":104})",
        0);
    h.send(
        c,
        R"({"action":"start","fields":["/nix/store/7xkq9hw3jn5bm0kkxplmfl5gb8g7qz1s-hello-2.12.drv","",1,1],"id":)" +
            id(5) + R"(,"level":3,"parent":0,"sid":"019e","text":"building","type":105})",
        0);
    h.send(c, R"({"action":"result","fields":[1,1,0,0],"id":)" + id(1) + R"(,"sid":"019e","type":105})",
           11'900'000);
    h.send(
        c,
        R"({"action":"result","id":0,"payload":{"builtOutputs":{"out":{"outPath":"q3wx9hw3jn5bm0kkxplmfl5gb8g7qz1s-hello-2.12","signatures":[]}},"cpuSystem":41000,"cpuUser":912000,"path":{"drvPath":"7xkq9hw3jn5bm0kkxplmfl5gb8g7qz1s-hello-2.12.drv","outputs":["*"]},"startTime":1755790000,"status":"Built","stopTime":1755790012,"success":true,"timesBuilt":1},"sid":"019e037b-f603-7443-8071-cfd8585ec8c6","type":110})",
        11'900'100);
    h.send(c, R"({"action":"stop","id":)" + id(5) + R"(,"sid":"019e"})", 11'900'200);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].status, BuildStatus::built);
    EXPECT_EQ(h.rows[0].duration, 11'900'000);
    EXPECT_EQ(h.rows[0].cpu_user_us, 912'000u);
    EXPECT_EQ(h.rows[0].cpu_system_us, 41'000u);
    // The timeout line, for a derivation nobody built here, and the substitution line for a path nobody
    // substituted: read, and counted as unmatched.
    h.send(
        c,
        R"({"action":"result","id":0,"payload":{"errorMsg":"timed out after 1 seconds","isNonDeterministic":false,"path":{"drvPath":"ab1q9hw3jn5bm0kkxplmfl5gb8g7qz1s-silent.drv","outputs":["*"]},"startTime":1755790000,"status":"TimedOut","stopTime":0,"success":false,"timesBuilt":0},"sid":"019e","type":110})",
        12 * second);
    h.send(
        c,
        R"({"action":"result","id":0,"payload":{"builtOutputs":{},"path":"q3wx9hw3jn5bm0kkxplmfl5gb8g7qz1s-hello-2.12","startTime":0,"status":"Substituted","stopTime":0,"success":true,"timesBuilt":0},"sid":"019e","type":110})",
        12 * second);
    h.send(
        c,
        R"({"action":"result","id":)" + id(5) +
            R"(,"payload":{"got":"sha256-Xy=","storePath":"/nix/store/7xkq9hw3jn5bm0kkxplmfl5gb8g7qz1s-hello-2.12.drv","wanted":"sha256-AAAA="},"sid":"019e","type":109})",
        12 * second);
    EXPECT_EQ(h.reader.counters().payload_results, 4u);
    EXPECT_EQ(h.reader.counters().unmatched_payloads, 3u);
    EXPECT_EQ(h.reader.counters().unusable_payloads + h.reader.counters().wrong_types, 0u);
    EXPECT_EQ(h.rows.size(), 1u);
}

// 3.1–3.14 name a derivation {"drvPath": …} (or, for a path, {"opaque": …}) and say only `status`.
TEST(DeterminatePayload, G1PathFormsAndStatusAlone) {
    test::Harness h;
    auto c = h.open(pid);
    std::uint64_t b = (std::uint64_t{pid} << 32) + 5, b2 = b + 1;
    h.send(c, test::start_build(b, "opaque-1"), 0);
    h.send(c, test::start_build(b2, "cancelled-1"), 0);
    // A derivation named as opaque: still found among the builds.
    h.send(
        c,
        R"({"action":"result","id":)" + std::to_string(b) +
            R"(,"payload":{"path":{"opaque":"0123456789abcdfghijklmnpqrsvwxyz-opaque-1.drv"},"status":"Built","timesBuilt":1},"type":110})",
        second);
    h.send(c, test::stop(b), second);
    h.send(
        c,
        R"({"action":"result","id":)" + std::to_string(b2) +
            R"(,"payload":{"path":{"drvPath":"0123456789abcdfghijklmnpqrsvwxyz-cancelled-1.drv","outputs":["out"]},"status":"Cancelled"},"type":110})",
        2 * second);
    h.send(c, test::stop(b2), 2 * second);
    ASSERT_EQ(h.rows.size(), 2u);
    EXPECT_EQ(h.find("opaque-1")->outcome, Outcome::succeeded);
    EXPECT_EQ(h.find("opaque-1")->status, BuildStatus::built);
    EXPECT_EQ(h.find("cancelled-1")->outcome, Outcome::cancelled);
    EXPECT_EQ(h.find("cancelled-1")->status, BuildStatus::cancelled);
    EXPECT_EQ(h.reader.counters().unmatched_payloads, 0u);
}

// Only what Determinate means is taken: a result nod cannot read is counted, never guessed at.
TEST(DeterminatePayload, WhatCannotBeUsedIsCounted) {
    ReaderLimits limits;
    limits.max_path = 200;
    test::Harness h(limits);
    auto c = h.open(pid);
    std::uint64_t b = (std::uint64_t{pid} << 32) + 5;
    h.send(c, test::start_build(b, "x"), 0);
    std::string path = R"("path":{"drvPath":"0123456789abcdfghijklmnpqrsvwxyz-x.drv"})";
    for (const std::string& payload : std::vector<std::string>{
             R"({)" + path + R"(})",                                     // neither status nor success
             R"({)" + path + R"(,"status":"Frobnicated"})",              // a status nod does not know
             R"({)" + path + R"(,"status":"TimedOut","success":true})",  // contradicts itself
             R"({"status":"Built","success":true})",                     // names nothing
             R"({"path":"","status":"Built","success":true})",           // names nothing
         })
        h.send(c, R"({"action":"result","id":0,"payload":)" + payload + R"(,"type":110})", second);
    h.send(c, R"({"action":"result","id":0,"payload":{"x":1},"type":111})",
           second);  // a type nod does not read
    EXPECT_EQ(h.reader.counters().unusable_payloads, 6u);
    h.send(c,
           R"({"action":"result","id":0,"payload":{"path":{"drvPath":")" + std::string(300, 'a') +
               R"("},"status":"Built","success":true},"type":110})",
           second);
    EXPECT_EQ(h.reader.counters().refused_long_paths, 1u) << "paths are bounded by max_path here too";
    // Values of the wrong JSON type are flagged and not taken.
    h.send(c,
           R"({"action":"result","id":0,"payload":{)" + path + R"(,"status":7,"success":"yes"},"type":110})",
           second);
    EXPECT_EQ(h.reader.counters().wrong_types, 1u);
    EXPECT_EQ(h.reader.counters().unusable_payloads, 7u);
    h.send(c, test::stop(b), 2 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].status, BuildStatus::none) << "none of them was the build's result";
    EXPECT_EQ(h.rows[0].outcome, Outcome::cancelled) << "as without Determinate: a stop alone";
    EXPECT_EQ(h.reader.counters().payload_results, 8u);
}

// A build result that never comes (3.12.0 had a regression that dropped successful local builds'):
// the row is decided as upstream's would be.
TEST(DeterminatePayload, WithoutAResultTheUpstreamEvidenceDecides) {
    Stream s(Version::v3_22, pid);
    s.begin(0);
    std::uint64_t h = s.build_start(1, hello);
    s.build_end(3, h, hello, succeeded(epoch, epoch + 2, 1, 1), false);
    s.end(4);
    Replayed run = replay_all({s.connection(5)});
    ASSERT_EQ(run.rows.size(), 1u);
    EXPECT_EQ(run.rows[0].outcome, Outcome::succeeded);
    EXPECT_EQ(run.rows[0].status, BuildStatus::none);
    EXPECT_EQ(run.rows[0].duration, 2 * second);
    EXPECT_FALSE(run.rows[0].cpu_user_us);
}

// resHashMismatch alone (the connection broke before the 110): the build failed, HashMismatch.
TEST(DeterminatePayload, HashMismatchAloneFailsTheBuild) {
    for (Version v : {Version::v3_14, Version::v3_22}) {
        Stream s(v, pid);
        s.begin(0);
        std::uint64_t f = s.build_start(1, src);
        s.hash_mismatch(2, f, src);
        Replayed run = replay_all({s.connection(2.5)});
        ASSERT_EQ(run.rows.size(), 1u) << version_name(v);
        EXPECT_EQ(run.rows[0].outcome, Outcome::failed) << version_name(v);
        EXPECT_EQ(run.rows[0].status, BuildStatus::hash_mismatch) << version_name(v);
        EXPECT_EQ(run.rows[0].duration, 1 * second) << "ended when the mismatch was reported";
    }
}

// One process builds a derivation once at a time; a stream that opens it twice on one connection has the
// result go to the latest, and the name's index follows builds as they stop, however they interleave.
TEST(DeterminatePayload, TwoOpenBuildsOfOneNameTheLatestTakesTheResult) {
    test::Harness h;
    auto c = h.open(pid);
    std::uint64_t first = (std::uint64_t{pid} << 32) + 1, second_build = first + 1, third = first + 2;
    auto built = [](int cpu) {
        return R"({"action":"result","id":0,"payload":{"cpuUser":)" + std::to_string(cpu) +
               R"(,"path":{"drvPath":"0123456789abcdfghijklmnpqrsvwxyz-x.drv","outputs":["out"]},"status":"Built","success":true},"type":110})";
    };
    h.send(c, test::start_build(first, "x"), 0);
    h.send(c, test::start_build(second_build, "x"), 0);
    h.send(c, built(7), second);
    h.send(c, test::stop(first), second);  // not the one the index names: it stays
    h.send(c, test::start_build(third, "x"), second);
    h.send(c, test::stop(second_build), 2 * second);  // no longer named: the index keeps the third
    h.send(c, built(9), 3 * second);
    h.send(c, test::stop(third), 3 * second);
    h.send(c, built(11), 4 * second);  // nothing open by that name any more
    ASSERT_EQ(h.rows.size(), 3u);
    EXPECT_FALSE(h.rows[0].cpu_user_us) << "the first build had no result of its own";
    EXPECT_EQ(h.rows[1].cpu_user_us, 7u);
    EXPECT_EQ(h.rows[2].cpu_user_us, 9u);
    EXPECT_EQ(h.reader.counters().unmatched_payloads, 1u);
}

// A result names a substitution's path; a copy of the same path waiting for its Worker's count is not what
// it is about, and taking it out of the queue would make the next count settle the wrong row.
TEST(DeterminatePayload, AResultSettlesOnlyASubstitution) {
    test::Harness h;
    auto c = h.open(pid);
    std::uint64_t base = std::uint64_t{pid} << 32;
    std::string path = test::out("y");
    h.send(c, test::start(base + 1, 103), 0);  // the Worker's actCopyPaths
    h.send(c, test::start(base + 2, 100, "\"" + path + "\",\"local\",\"ssh://peer\""), 0);  // a copy
    h.send(c, test::stop(base + 2), second);
    h.send(c,
           R"({"action":"result","id":0,"payload":{"path":"0123456789abcdfghijklmnpqrsvwxyz-y","status":"Substituted","success":true},"type":110})",
           second);
    EXPECT_EQ(h.reader.counters().unmatched_payloads, 1u);
    EXPECT_TRUE(h.rows.empty()) << "the copy still waits for its count";
    h.send(c, test::progress(base + 1, 0, 1, 0, 1), 2 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::failed) << "the count says it failed";
    EXPECT_EQ(h.rows[0].status, BuildStatus::none);
}

// ---- 109 is two things -----------------------------------------------------------------------------

// Upstream master's resFetchToStore (109 with `fields`, on actFetchToStore 113) is not a hash mismatch, even
// on an id that is a build's: the dispatch is on `payload` against `fields`, not on the number.
TEST(Type109, UpstreamFetchToStoreIsNeverAHashMismatch) {
    test::Harness h;
    auto c = h.open(pid);
    std::uint64_t base = std::uint64_t{pid} << 32;
    h.send(c, test::start(base + 1, 104), 0);
    h.send(c,
           R"({"action":"start","fields":["/home/u/p/default.nix",0],"id":)" + std::to_string(base + 3) +
               R"(,"level":5,"parent":0,"text":"copying '/home/u/p/default.nix' to the store","type":113})",
           0);
    h.send(
        c,
        R"({"action":"result","fields":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-default.nix"],"id":)" +
            std::to_string(base + 3) + R"(,"type":109})",
        0);
    h.send(c, test::stop(base + 3), 0);
    h.send(c, test::start_build(base + 5, "fod-1"), second);
    h.send(c,
           R"({"action":"result","fields":[")" + test::drv("fod-1") + R"("],"id":)" +
               std::to_string(base + 5) + R"(,"type":109})",
           2 * second);
    h.send(c, test::progress(base + 1, 1, 1, 0, 0), 3 * second);
    h.send(c, test::stop(base + 5), 3 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
    EXPECT_EQ(h.rows[0].status, BuildStatus::none);
    const auto& k = h.reader.counters();
    EXPECT_EQ(k.payload_results + k.unknown_result_types + k.unknown_activity_types + k.wrong_types, 0u);
}

// ---- beside upstream streams -----------------------------------------------------------------------

const fs::path corpus = fs::path(NOD_TEST_DATA) / "corpus";

std::vector<replay::CapturedConnection> shifted(std::vector<replay::CapturedConnection> conns, double by) {
    for (auto& c : conns) {
        c.opened += by;
        c.closed += by;
        for (auto& l : c.lines) l.seconds += by;
    }
    return conns;
}

// An upstream Nix 2.30 daemon (h1: worker and client) and a Determinate connection at once: the upstream rows
// are exactly those of h1 alone, the Determinate ones are read as alone too.
TEST(Mixed, UpstreamAndDeterminateConnectionsAtOnce) {
    for (const char* scenario : {"h1-daemon-newcli", "h3-daemon-depfail", "h5-daemon-subst"}) {
        SCOPED_TRACE(scenario);
        auto upstream = replay::load_capture_folder(corpus / "nix-2.30" / scenario);
        Replayed alone = replay_all(upstream);
        Stream s = worker_stream(Version::v3_22);
        // Shifted so that the Determinate stream's 82 s overlap the capture's first seconds.
        auto determinate = shifted({s.connection(182.0)}, -99.0 + upstream.front().opened);
        Replayed det_alone = replay_all(determinate);
        auto both = upstream;
        both.insert(both.end(), determinate.begin(), determinate.end());
        Replayed mixed = replay_all(both);
        std::vector<Row> upstream_rows, det_rows;
        for (const auto& r : mixed.rows) (r.pid == pid ? det_rows : upstream_rows).push_back(r);
        EXPECT_EQ(upstream_rows, alone.rows);
        EXPECT_EQ(det_rows, det_alone.rows);
        for (const auto& r : upstream_rows) {
            EXPECT_EQ(r.status, BuildStatus::none);
            EXPECT_FALSE(r.cpu_user_us || r.cpu_system_us);
        }
        EXPECT_EQ(mixed.counters.payload_results, det_alone.counters.payload_results);
        EXPECT_EQ(mixed.counters.unmatched_payloads, det_alone.counters.unmatched_payloads);
    }
}

// A daemon install: the worker's connection (the ids' origin) has the results; the client's repeats the
// activities without them (TunnelLogger forwards only `fields` results). One row per activity, from the
// worker, with what the results said, for the client's user.
TEST(Mixed, DaemonWorkerHasTheResultsTheClientRepeatsTheRest) {
    for (bool peer_pids : {true, false}) {
        SCOPED_TRACE(peer_pids ? "with peer pids" : "replayed by another process");
        Stream worker = worker_stream(Version::v3_21);
        replay::CapturedConnection w = worker.connection(182.0), client = w;
        client.name = "client";
        client.peer = {pid + 1, 1000, 1000};
        std::erase_if(client.lines, [](const replay::CapturedLine& l) {
            return l.text.find("\"payload\"") != std::string::npos;
        });
        for (auto& l : client.lines) l.seconds += 0.0001;  // after the worker's, as the client relays them
        Replayed run = replay_all({w, client}, peer_pids);
        ASSERT_EQ(run.rows.size(), 9u);
        EXPECT_EQ(run.counters.duplicate_rows, 9u);
        const Row* hello_row = run.find("hello-2.12");
        ASSERT_TRUE(hello_row);
        EXPECT_EQ(hello_row->status, BuildStatus::built);
        EXPECT_EQ(hello_row->cpu_user_us, 912'000u);
        if (peer_pids) {
            EXPECT_EQ(hello_row->user, 1000u) << "the client's user";
            EXPECT_TRUE(hello_row->trusted);
        }
        EXPECT_EQ(run.find("gone-2.0", Kind::substitute)->outcome, Outcome::failed);
        EXPECT_EQ(run.find("sub-a-1", Kind::substitute)->outcome, Outcome::failed);
    }
}

// ---- the duration rule ---------------------------------------------------------------------------

TEST(Duration, ReceiptWithinASecondOfTheSpanElseTheSpan) {
    EXPECT_EQ(reconcile_duration(12'400'000, 12 * second), 12'400'000);
    EXPECT_EQ(reconcile_duration(11'000'000, 12 * second), 11'000'000);
    EXPECT_EQ(reconcile_duration(13'000'000, 12 * second), 13'000'000);
    EXPECT_EQ(reconcile_duration(13'000'001, 12 * second), 12 * second);
    EXPECT_EQ(reconcile_duration(2 * second, 9 * second), 9 * second);
    EXPECT_EQ(reconcile_duration(std::nullopt, 9 * second), 9 * second);
    EXPECT_EQ(reconcile_duration(3 * second, std::nullopt), 3 * second);
    EXPECT_EQ(reconcile_duration(std::nullopt, std::nullopt), std::nullopt);
    EXPECT_EQ(reconcile_duration(400'000, 0), 400'000) << "a build within one second";
}

TEST(Duration, SpanOnlyWhenBothTimesAreSetAndInOrder) {
    auto span_of = [](std::uint64_t start, std::uint64_t stop, bool with_stop = true) {
        Payload p;
        p.members = Payload::status | Payload::start_time | (with_stop ? Payload::stop_time : 0);
        p.status_text = "Built";
        p.start_time_value = start;
        p.stop_time_value = stop;
        ResultFacts f;
        EXPECT_EQ(read_build_result(p, 0, f), PayloadUse::facts);
        return f.span;
    };
    EXPECT_EQ(span_of(epoch, epoch + 7), 7 * second);
    EXPECT_EQ(span_of(epoch, epoch), 0);
    EXPECT_EQ(span_of(epoch, 0), std::nullopt) << "timeouts";
    EXPECT_EQ(span_of(0, epoch), std::nullopt);
    EXPECT_EQ(span_of(epoch + 1, epoch), std::nullopt) << "out of order";
    EXPECT_EQ(span_of(epoch, epoch + 7, false), std::nullopt) << "G1 leaves unset times out";
    EXPECT_EQ(span_of(1, UINT64_MAX), std::nullopt) << "no µs overflow";
}

TEST(Status, NumberedAsTheWorkerProtocolPlusOne) {
    // src/libstore/common-protocol.cc: Built 0 … Cancelled 16.
    const char* names[] = {"Built",
                           "Substituted",
                           "AlreadyValid",
                           "PermanentFailure",
                           "InputRejected",
                           "OutputRejected",
                           "TransientFailure",
                           "CachedFailure",
                           "TimedOut",
                           "MiscFailure",
                           "DependencyFailed",
                           "LogLimitExceeded",
                           "NotDeterministic",
                           "ResolvesToAlreadyValid",
                           "NoSubstituters",
                           "HashMismatch",
                           "Cancelled"};
    for (int wire = 0; wire < 17; ++wire) {
        auto status = build_status_from_string(names[wire]);
        ASSERT_TRUE(status) << names[wire];
        EXPECT_EQ(static_cast<int>(*status), wire + 1) << names[wire];
        EXPECT_EQ(to_string(*status), names[wire]);
    }
    EXPECT_FALSE(build_status_from_string(""));
    EXPECT_FALSE(build_status_from_string("built"));
}

}  // namespace
}  // namespace nod
