// The reader end to end on hand-written streams: outcomes, bytes, hooks, hostile input, deduplication.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "harness.hpp"

namespace nod {
namespace {

using namespace nod::test;

constexpr std::uint64_t pid = 4242;
constexpr std::uint64_t base = pid << 32;
constexpr std::uint64_t builds_agg = base + 1;
constexpr std::uint64_t copies_agg = base + 2;

// The Worker's preamble: actBuilds and actCopyPaths aggregates.
void worker(Harness& h, ConnectionId c, Micros t) {
    h.send(c, start(builds_agg, 104), t);
    h.send(c, start(copies_agg, 103), t);
}

TEST(Reader, OneSuccessfulBuild) {
    Harness h;
    auto c = h.open(pid, 1000);
    worker(h, c, 0);
    h.send(c, start_build(base + 5, "hello-2.12"), 1 * second);
    h.send(c, progress(builds_agg, 0, 1, 1, 0), 1 * second);
    h.send(c, log_line(base + 5, "compiling"), 2 * second);
    h.send(c, progress(builds_agg, 1, 1, 0, 0), 3 * second);
    h.send(c, stop(base + 5), 3 * second + 100);
    ASSERT_EQ(h.rows.size(), 1u);
    const Row& r = h.rows[0];
    EXPECT_EQ(r.kind, Kind::build);
    EXPECT_EQ(r.name, "hello-2.12");
    EXPECT_EQ(r.path, drv("hello-2.12"));
    EXPECT_EQ(r.start, 1 * second);
    EXPECT_EQ(r.duration, 2 * second);
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.uid, 1000u);
    EXPECT_EQ(r.pid, static_cast<std::int32_t>(pid));
    EXPECT_EQ(r.machine, "");
}

TEST(Reader, StopAloneIsNotSuccess) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    h.send(c, start_build(base + 5, "x"), 0);
    h.send(c, stop(base + 5), 2 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::cancelled);
}

TEST(Reader, ErrorMessageMarksTheBuildFailed) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    h.send(c, start_build(base + 5, "broken-1"), 0);
    h.send(c, start_build(base + 6, "ok-1"), 0);
    h.send(c, error_msg("Cannot build '" + drv("broken-1") + "'.\\nReason: builder failed with exit code 2."), second);
    h.send(c, stop(base + 5), second);  // no progress seen (a stream that began late)
    h.send(c, stop(base + 6), second);
    ASSERT_EQ(h.rows.size(), 2u);
    EXPECT_EQ(h.find("broken-1")->outcome, Outcome::failed);
    EXPECT_EQ(h.find("ok-1")->outcome, Outcome::cancelled);
}

TEST(Reader, EofCancelsOpenWork) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    h.send(c, start_build(base + 5, "slow"), second);
    h.send(c, start(base + 7, 108, "\"" + out("dep") + "\",\"https://cache.nixos.org\""), second);
    h.close(c, 4 * second);
    ASSERT_EQ(h.rows.size(), 2u);
    for (const auto& r : h.rows) {
        EXPECT_EQ(r.outcome, Outcome::cancelled) << r.name;
        EXPECT_EQ(r.duration, 3 * second) << r.name;
    }
}

TEST(Reader, SubstitutionWithBytesAndDownload) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    std::string p = out("big");
    h.send(c, start(base + 10, 108, "\"" + p + "\",\"https://cache.nixos.org\""), 0);
    h.send(c, start(base + 11, 100, "\"" + p + "\",\"https://cache.nixos.org\",\"local\"", base + 10), 0);
    h.send(c, start(base + 12, 101, "\"https://cache.nixos.org/nar/x.nar.xz\"", base + 11), 0);
    h.send(c, progress(base + 12, 0, 0, 0, 0), 0);
    h.send(c, progress(base + 12, 300, 500, 0, 0), 0);
    h.send(c, progress(base + 12, 500, 500, 0, 0), 0);
    h.send(c, progress(base + 11, 4096, 2000, 0, 0), 0);
    h.send(c, progress(base + 11, 8192, 9000, 0, 0), 0);
    h.send(c, stop(base + 12), second);
    h.send(c, stop(base + 11), second);
    h.send(c, stop(base + 10), second);
    EXPECT_TRUE(h.rows.empty()) << "outcome comes with the Worker's next progress";
    h.send(c, progress(copies_agg, 1, 1, 0, 0), second + 5);
    ASSERT_EQ(h.rows.size(), 1u);
    const Row& r = h.rows[0];
    EXPECT_EQ(r.kind, Kind::substitute);
    EXPECT_EQ(r.name, "big");
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.bytes, 9000u);
    EXPECT_EQ(r.download_bytes, 500u);
    EXPECT_EQ(r.machine, "https://cache.nixos.org");
    EXPECT_EQ(r.duration, second);
}

TEST(Reader, FailedSubstitution) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    h.send(c, start(base + 10, 108, "\"" + out("gone") + "\",\"https://c\""), 0);
    h.send(c, stop(base + 10), second);
    h.send(c, progress(copies_agg, 0, 0, 0, 1), second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::failed);
}

TEST(Reader, StandaloneCopyHasDirection) {
    Harness h;
    auto c = h.open();
    h.send(c, start(base + 20, 103), 0);
    h.send(c, start(base + 21, 100, "\"" + out("up") + "\",\"local\",\"ssh-ng://builder\"", base + 20), 0);
    h.send(c, progress(base + 21, 100, 100, 0, 0), 0);
    h.send(c, stop(base + 21), second);
    h.send(c, progress(base + 20, 1, 1, 0, 0), second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].kind, Kind::copy);
    EXPECT_EQ(h.rows[0].direction, Direction::out);
    EXPECT_EQ(h.rows[0].machine, "ssh-ng://builder");
    EXPECT_EQ(h.rows[0].bytes, 100u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
}

TEST(Reader, PostBuildHookTakesItsBuildsOutcome) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    h.send(c, start_build(base + 5, "pkg"), 0);
    h.send(c, start(base + 6, 110, "\"" + drv("pkg") + "\""), second);
    h.send(c, stop(base + 6), 2 * second);
    h.send(c, progress(builds_agg, 1, 1, 0, 0), 2 * second);
    h.send(c, stop(base + 5), 2 * second);
    ASSERT_EQ(h.rows.size(), 2u);
    const Row* hook = h.find("pkg", Kind::post_build_hook);
    ASSERT_TRUE(hook);
    EXPECT_EQ(hook->outcome, Outcome::succeeded);
    EXPECT_EQ(hook->duration, second);
}

TEST(Reader, StopForUnknownIdIsCounted) {
    Harness h;
    auto c = h.open();
    h.send(c, stop(999), 0);
    h.send(c, R"({"action":"result","fields":[1,2,3,4],"id":998,"type":105})", 0);
    EXPECT_EQ(h.reader.counters().unknown_stops, 1u);
    EXPECT_TRUE(h.rows.empty());
}

TEST(Reader, StartReusingALiveIdClosesTheOldOneAsUnknown) {
    Harness h;
    auto c = h.open();
    h.send(c, start_build(base + 5, "first"), 0);
    h.send(c, start_build(base + 5, "second"), second);
    EXPECT_EQ(h.reader.counters().reused_ids, 1u);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].name, "first");
    EXPECT_EQ(h.rows[0].outcome, Outcome::unknown);
    EXPECT_FALSE(h.rows[0].duration);
    h.send(c, stop(base + 5), 2 * second);
    ASSERT_EQ(h.rows.size(), 2u);
    EXPECT_EQ(h.rows[1].name, "second");
}

// Regression (fuzzing, tests/data/fuzz/reader-expired-key-twice): a key that expired while its activity
// was still open went out again without being remembered, so the same key right after was a second row.
TEST(Reader, AKeyRecordedAfterExpiringIsKnownForAnotherWindow) {
    Harness h;
    auto c = h.open();
    constexpr Micros later = 32 * 60 * second;  // past the 10-minute dedup window
    h.send(c, start_build(base + 5, "app"), 0);
    h.send(c, start_build(base + 5, "app"), second);  // reused: the first is recorded, the second stays open
    h.send(c, start_build(base + 6, "other"), later);    // the key expires, its activity still open
    h.send(c, start_build(base + 5, "app"), later);      // reused again: the second is recorded
    h.close(c, later + 1);                               // and the third, a microsecond later, is the same key
    EXPECT_EQ(std::count_if(h.rows.begin(), h.rows.end(), [](const Row& r) { return r.name == "app"; }), 2);
    EXPECT_EQ(h.reader.counters().duplicate_rows, 1u);
}

TEST(Reader, HostileLinesAreCountedNeverFatal) {
    Harness h;
    auto c = h.open();
    for (std::string line : {std::string("{"), std::string("[1]"), std::string("garbage"),
                             std::string(R"({"action":"start","type":105})"), std::string(R"({"action":"nope"})"),
                             std::string(R"({"action":"stop","id":1e400})"), std::string("{\"a\":1}\0x", 9),
                             std::string(R"({"action":"start","id":1,"type":99999})"),
                             std::string(R"({"action":"result","id":1,"type":4242,"fields":[]})")}) {
        h.send(c, line, 0);
    }
    const auto& k = h.reader.counters();
    EXPECT_EQ(k.lines, 9u);
    EXPECT_EQ(k.malformed_lines, 3u);  // "{", "garbage", 1e400 overflows the double range
    EXPECT_EQ(k.non_object_lines, 1u);
    EXPECT_EQ(k.missing_keys, 1u);
    EXPECT_EQ(k.unknown_actions, 1u);
    EXPECT_EQ(k.nul_lines, 1u);
    EXPECT_EQ(k.unknown_activity_types, 1u);
    EXPECT_EQ(k.unknown_result_types, 1u);
}

TEST(Reader, InvalidUtf8InAPathIsRepairedAndCounted) {
    Harness h;
    auto c = h.open();
    h.send(c, start(base + 5, 105, "\"/nix/store/0123456789abcdfghijklmnpqrsvwxyz-b\xff" "d.drv\",\"\",1,1"), 0);
    h.close(c, second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].name, "b\xEF\xBF\xBD" "d");
    EXPECT_EQ(h.reader.counters().invalid_utf8, 1u);
}

TEST(Reader, TooManyActivitiesAreRefused) {
    ReaderLimits limits;
    limits.max_activities = 3;
    Harness h(limits);
    auto c = h.open();
    for (int i = 1; i <= 5; ++i) h.send(c, start(base + i, 0), 0);
    EXPECT_EQ(h.reader.counters().refused_activities, 2u);
    EXPECT_EQ(h.reader.in_flight(), 3u);
}

TEST(Reader, A64MiBLineIsSkippedWithMemoryBounded) {
    Harness h;
    auto c = h.open();
    worker(h, c, 0);
    h.send(c, start_build(base + 5, "x"), 0);
    std::string chunk = R"({"action":"result","fields":[")";
    h.reader.feed(c, chunk.data(), chunk.size(), 0);
    std::string filler(1 << 20, 'a');
    std::size_t peak = 0;
    for (int i = 0; i < 64; ++i) {
        h.reader.feed(c, filler.data(), filler.size(), 0);
        peak = std::max(peak, h.reader.buffered_bytes());
    }
    std::string end = "\"],\"id\":1,\"type\":101}\n";
    h.reader.feed(c, end.data(), end.size(), 0);
    EXPECT_LE(peak, std::size_t{1} << 20);
    EXPECT_EQ(h.reader.counters().oversized_lines, 1u);
    h.send(c, progress(builds_agg, 1, 1, 0, 0), second);
    h.send(c, stop(base + 5), second);
    ASSERT_EQ(h.rows.size(), 1u) << "the stream goes on after the skipped line";
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
}

TEST(Reader, RandomBytesNeverThrow) {
    std::mt19937_64 rng(42);
    Harness h;
    for (int round = 0; round < 200; ++round) {
        auto c = h.open(static_cast<std::int32_t>(rng() % 5));
        for (int i = 0; i < 20; ++i) {
            std::string s;
            std::size_t n = rng() % 300;
            for (std::size_t k = 0; k < n; ++k) {
                static const char alphabet[] = "{}[]\",:0123456789\n actionstartstopresultidtypefields\\u\xff";
                s.push_back(alphabet[rng() % (sizeof alphabet - 1)]);
            }
            h.reader.feed(c, s.data(), s.size(), i);
        }
        h.close(c, 100);
    }
    EXPECT_EQ(h.reader.connections(), 0u);
}

// ---- exactly once ---------------------------------------------------------------------------------

struct DoubleStream : ::testing::Test {
    Harness h;
    // The daemon worker (origin of the ids: pid 4242) and the client that repeats its activities.
    void build_on(ConnectionId c, Micros offset, bool finish = true) {
        worker(h, c, offset);
        h.send(c, start_build(base + 5, "app"), second + offset);
        h.send(c, progress(builds_agg, 0, 1, 1, 0), second + offset);
        if (!finish) return;
        h.send(c, progress(builds_agg, 1, 1, 0, 0), 3 * second + offset);
        h.send(c, stop(base + 5), 3 * second + offset);
    }
    // Both connections' lines as they really arrive: interleaved, `first` a little ahead.
    void interleaved(ConnectionId first, ConnectionId second_conn) {
        std::vector<std::string> lines = {start(builds_agg, 104), start(copies_agg, 103), start_build(base + 5, "app"),
                                          progress(builds_agg, 0, 1, 1, 0), progress(builds_agg, 1, 1, 0, 0),
                                          stop(base + 5)};
        Micros t = 0;
        for (const auto& l : lines) {
            h.send(first, l, t);
            h.send(second_conn, l, t + 10);
            t += second;
        }
    }
};

TEST_F(DoubleStream, DaemonAndClientGiveOneRow) {
    auto daemon = h.open(pid, 0);
    auto client = h.open(999, 1000);
    interleaved(client, daemon);
    h.close(client, 5 * second);
    h.close(daemon, 5 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].pid, static_cast<std::int32_t>(pid)) << "the origin's view wins";
    EXPECT_EQ(h.reader.counters().duplicate_rows, 1u);
}

TEST_F(DoubleStream, ReplayedByAnotherProcessStillOneRow) {
    auto a = h.open(1, 0);
    auto b = h.open(2, 0);
    build_on(a, 0);
    build_on(b, 5);
    h.close(a, 5 * second);
    h.close(b, 5 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
}

TEST_F(DoubleStream, OwnerCutOffTheOtherViewIsUsed) {
    auto daemon = h.open(pid, 0);
    auto client = h.open(999, 1000);
    build_on(daemon, 0, /*finish*/ false);
    build_on(client, 0);
    h.close(daemon, 4 * second);  // the worker's stream broke before the end
    h.close(client, 5 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
    EXPECT_EQ(h.rows[0].duration, 2 * second);
}

TEST_F(DoubleStream, OwnerGoneWhileOtherStillBuildsHandsOver) {
    auto daemon = h.open(pid, 0);
    auto client = h.open(999, 1000);
    build_on(daemon, 0, false);
    build_on(client, 0, false);
    h.close(daemon, 2 * second);
    EXPECT_TRUE(h.rows.empty());
    h.send(client, progress(builds_agg, 1, 1, 0, 0), 3 * second);
    h.send(client, stop(base + 5), 3 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
}

TEST_F(DoubleStream, SameIdForAnotherPathIsAnotherActivity) {
    auto a = h.open(1, 0);
    auto b = h.open(2, 0);
    h.send(a, start_build(base + 5, "one"), 0);
    h.send(b, start_build(base + 5, "two"), 0);  // Nix 2.8 daemons reuse ids across clients
    h.close(a, second);
    h.close(b, second);
    EXPECT_EQ(h.rows.size(), 2u);
}

// ---- who, and whose view -------------------------------------------------------------------------

TEST_F(DoubleStream, TheRowIsForTheClientsUserAndTrustedByTheRootWorker) {
    auto daemon = h.open(pid, 0);
    auto client = h.open(999, 1000);
    interleaved(daemon, client);
    h.close(client, 5 * second);
    h.close(daemon, 5 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].uid, 0u) << "reported by the root worker";
    EXPECT_EQ(h.rows[0].user, 1000u) << "for the user whose client reported the same id";
    EXPECT_TRUE(h.rows[0].trusted);
    EXPECT_TRUE(h.rows[0].origin);
}

TEST_F(DoubleStream, AUsersOwnNixIsTheirsAndNotTrusted) {
    auto own = h.open(pid, 1000);  // a local-store `nix build` by uid 1000: the origin of its own ids
    build_on(own, 0);
    h.close(own, 5 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].user, 1000u);
    EXPECT_FALSE(h.rows[0].trusted);
    EXPECT_TRUE(h.rows[0].origin);
}

// Anyone can read a worker's pid in /proc and send its ids before the worker does. That row goes out first,
// but the worker's own is given again, origin-confirmed, so that the store replaces the forged one; it
// was suppressed as a duplicate once.
TEST_F(DoubleStream, IdsSentAheadOfTheirOriginDoNotSuppressItsRows) {
    auto daemon = h.open(pid, 0);
    auto hostile = h.open(31337, 65534);
    h.send(hostile, start_build(base + 5, "app"), 0);
    h.send(hostile, stop(base + 5), 10);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_FALSE(h.rows[0].origin);
    EXPECT_FALSE(h.rows[0].trusted);
    EXPECT_EQ(h.rows[0].user, 65534u);
    build_on(daemon, 0);
    ASSERT_EQ(h.rows.size(), 2u) << "the origin's row is not taken for a duplicate";
    const Row& real = h.rows[1];
    EXPECT_TRUE(real.origin);
    EXPECT_TRUE(real.supersedes) << "the store replaces the forged row with it";
    EXPECT_TRUE(real.trusted);
    EXPECT_EQ(real.pid, static_cast<std::int32_t>(pid));
    EXPECT_EQ(real.outcome, Outcome::succeeded);
    // ... and only once: a second report of the same key by anyone is a duplicate again.
    h.send(hostile, start_build(base + 5, "app"), 4 * second);
    h.send(hostile, stop(base + 5), 4 * second);
    h.close(hostile, 5 * second);
    h.close(daemon, 5 * second);
    EXPECT_EQ(h.rows.size(), 2u);
}

// A hostile stream that reports an id the worker is building keeps only a fallback: the worker's row wins.
TEST_F(DoubleStream, AnotherStreamCannotOverwriteTheOriginsRow) {
    auto daemon = h.open(pid, 0);
    auto hostile = h.open(31337, 65534);
    build_on(daemon, 0, false);
    h.send(hostile, start_build(base + 5, "app"), 2 * second);
    h.send(hostile, error_msg("Cannot build '" + drv("app") + "'."), 2 * second);
    h.send(hostile, stop(base + 5), 2 * second);
    EXPECT_TRUE(h.rows.empty()) << "the owner is still at work";
    h.send(daemon, progress(builds_agg, 1, 1, 0, 0), 3 * second);
    h.send(daemon, stop(base + 5), 3 * second);
    h.close(hostile, 5 * second);
    h.close(daemon, 5 * second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].outcome, Outcome::succeeded);
    EXPECT_EQ(h.rows[0].pid, static_cast<std::int32_t>(pid));
}

// ---- bounds ---------------------------------------------------------------------------------------

TEST(Reader, PathsLongerThanTheBoundAreRefusedAndCounted) {
    ReaderLimits limits;
    limits.max_path = 100;
    Harness h(limits);
    auto c = h.open(1, 1000);
    worker(h, c, 0);
    std::string long_name(200, 'x');
    h.send(c, start_build(base + 5, long_name), 0);
    h.send(c, start_build(base + 6, "ok", std::string(200, 'm')), 0);
    h.send(c, start_build(base + 7, "ok"), 0);
    EXPECT_EQ(h.reader.counters().refused_long_paths, 2u);
    EXPECT_EQ(h.reader.in_flight(), 3u) << "the two aggregates and the one build that fits";
    h.send(c, stop(base + 5), second);
    EXPECT_EQ(h.reader.counters().unknown_stops, 1u);
    h.close(c, second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].name, "ok");
}

TEST(Reader, BytesInFlightAreBoundedPerConnectionAndPerUserButNotForRoot) {
    ReaderLimits limits;
    limits.max_held_bytes = 1000;
    limits.max_held_bytes_per_user = 1500;
    Harness h(limits);
    auto name = [](int i) { return "pkg-" + std::to_string(i) + std::string(100, 'n'); };  // ≈ 160-byte paths
    auto a = h.open(1, 1000), b = h.open(2, 1000), root = h.open(3, 0);
    for (int i = 0; i < 10; ++i) h.send(a, start_build(base + 10 + i, name(i)), 0);
    std::uint64_t on_a = h.reader.in_flight();
    EXPECT_EQ(on_a, 6u) << "1000 bytes per connection";
    for (int i = 0; i < 10; ++i) h.send(b, start_build(base + 30 + i, name(i)), 0);
    EXPECT_EQ(h.reader.in_flight() - on_a, 3u) << "1500 bytes for both of the user's connections";
    EXPECT_EQ(h.reader.counters().refused_held_bytes, 11u);
    std::uint64_t before_root = h.reader.in_flight();
    for (int i = 0; i < 5; ++i) h.send(root, start_build(base + 50 + i, name(i)), 0);
    EXPECT_EQ(h.reader.in_flight() - before_root, 5u) << "root's connection is held to its own bound only";
    // What a connection gives back when its activities end counts again.
    for (int i = 0; i < 6; ++i) h.send(a, stop(base + 10 + i), second);
    h.send(b, start_build(base + 60, name(60)), 2 * second);
    EXPECT_EQ(h.reader.counters().refused_held_bytes, 11u);
    h.close(a, 3 * second);
    h.close(b, 3 * second);
    h.close(root, 3 * second);
}

// A stopped substitution waits for the Worker's count with its strings: they stay counted against the
// bound until the count settles it, or a stream could keep 4096 rows of 4 KiB paths per connection.
TEST(Reader, SubstitutionsWaitingForTheirOutcomeStayCountedAgainstTheBound) {
    ReaderLimits limits;
    limits.max_held_bytes = 1000;
    Harness h(limits);
    auto name = [](int i) { return "pkg-" + std::to_string(i) + std::string(100, 'n'); };  // ≈ 160-byte paths
    auto substitute = [&](ConnectionId c, std::uint64_t id, int i) {
        h.send(c, start(id, 108, "\"" + out(name(i)) + "\",\"https://cache.example\""), 0);
        h.send(c, stop(id), 0);
    };
    auto c = h.open(1, 1000);
    h.send(c, start(base + 1, 103), 0);  // the Worker's actCopyPaths
    for (int i = 0; i < 10; ++i) substitute(c, base + 10 + i, i);
    EXPECT_GT(h.reader.counters().refused_held_bytes, 0u) << "rows waiting for their outcome hold bytes";
    std::uint64_t refused = h.reader.counters().refused_held_bytes;
    // The count settles them: their bytes are free again.
    h.send(c, progress(base + 1, 10, 10, 0, 0), second);
    substitute(c, base + 30, 30);
    EXPECT_EQ(h.reader.counters().refused_held_bytes, refused);
    h.close(c, 2 * second);
    EXPECT_EQ(h.rows.size(), 10 - refused + 1);
}

// What is in flight, for Running: a daemon build seen on the worker's connection and on its client's is
// listed once, for the client's user, trusted, with its phase and the Worker's build progress; a
// substitution with its bytes; nothing once it stopped.
TEST(Reader, RunningListsEachActivityOnceForWhomItIs) {
    Harness h;
    auto daemon = h.open(pid, 0);
    auto client = h.open(999, 1000);
    for (auto c : {daemon, client}) {
        h.send(c, start(builds_agg, 104), 0);
        h.send(c, start_build(base + 5, "hello-2.12"), 1 * second);
        h.send(c, progress(builds_agg, 2, 7, 1, 0), 1 * second);
        h.send(c, R"({"action":"result","fields":["buildPhase"],"id":)" + std::to_string(base + 5) + R"(,"type":104})",
               2 * second);
    }
    h.send(daemon, start(base + 9, 108, "\"" + out("dep-1.0") + "\",\"https://cache.example\""), 2 * second);
    h.send(daemon, start(base + 10, 100, "\"" + out("dep-1.0") + "\",\"https://cache.example\",\"local\"", base + 9),
           2 * second);
    h.send(daemon, progress(base + 10, 300, 1000, 0, 0), 2 * second);

    auto live = h.reader.running();
    ASSERT_EQ(live.size(), 2u);
    std::sort(live.begin(), live.end(), [](const auto& a, const auto& b) { return a.kind < b.kind; });
    EXPECT_EQ(live[0].kind, Kind::build);
    EXPECT_EQ(live[0].name, "hello-2.12");
    EXPECT_EQ(live[0].path, drv("hello-2.12"));
    EXPECT_EQ(live[0].start, 1 * second);
    EXPECT_EQ(live[0].user, 1000u) << "the client's user";
    EXPECT_TRUE(live[0].trusted);
    EXPECT_EQ(live[0].phase, "buildPhase");
    EXPECT_EQ(live[0].done, 2u);
    EXPECT_EQ(live[0].expected, 7u);
    EXPECT_EQ(live[1].kind, Kind::substitute);
    EXPECT_EQ(live[1].name, "dep-1.0");
    EXPECT_EQ(live[1].machine, "https://cache.example");
    EXPECT_EQ(live[1].done, 300u);
    EXPECT_EQ(live[1].expected, 1000u);
    EXPECT_EQ(live[1].user, 0u);

    for (auto c : {daemon, client}) h.send(c, stop(base + 5), 3 * second);
    live = h.reader.running();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].kind, Kind::substitute);
    h.close(daemon, 4 * second);
    h.close(client, 4 * second);
    EXPECT_TRUE(h.reader.running().empty());
}

TEST(Reader, ByteCountsAreClampedToTheRowBound) {
    Harness h;
    auto c = h.open();
    h.send(c, start(base + 7, 100, "\"" + out("big") + "\",\"local\",\"ssh://peer\""), 0);
    h.send(c, progress(base + 7, 18446744073709551615ULL, 9223372036854775807ULL, 0, 0), 0);
    h.send(c, stop(base + 7), second);
    h.close(c, second);
    ASSERT_EQ(h.rows.size(), 1u);
    EXPECT_EQ(h.rows[0].bytes, max_row_bytes);
}

TEST(Reader, RememberedIdsAreBounded) {
    ReaderLimits limits;
    limits.max_remembered = 100;
    Harness h(limits);
    auto c = h.open();
    for (int i = 0; i < 1000; ++i) {
        h.send(c, start_build(base + 100 + static_cast<std::uint64_t>(i), "p"), i);
        h.send(c, stop(base + 100 + static_cast<std::uint64_t>(i)), i);
    }
    EXPECT_EQ(h.rows.size(), 1000u);
    EXPECT_LE(h.reader.remembered_ids(), 101u);
    h.close(c, 2000);
}

TEST(Reader, StoppedSubstitutionsWaitingForAWordAreBounded) {
    Harness h;
    auto c = h.open();
    h.send(c, start(copies_agg, 103), 0);
    for (int i = 0; i < 5000; ++i) {
        std::uint64_t id = base + 100 + static_cast<std::uint64_t>(i);
        h.send(c, start(id, 108, "\"" + out("s" + std::to_string(i)) + "\",\"https://cache\""), i);
        h.send(c, stop(id), i);
    }
    EXPECT_EQ(h.rows.size(), 5000u - 4096u) << "the oldest beyond the bound are settled as unknown";
    for (const auto& r : h.rows) EXPECT_EQ(r.outcome, Outcome::unknown);
    h.close(c, 6000);
}

}  // namespace
}  // namespace nod
