#include <gtest/gtest.h>

#include "reader/build_completions.hpp"

namespace nod {
namespace {

constexpr std::uint64_t agg = 100;
// progress(aggregate, done, running, failed, seq, time)
const BuildCompletions::OtherBuilds none = [] { return std::vector<std::uint64_t>{}; };

TEST(BuildCompletions, StopRightAfterCompletionTakesItsTime) {
    BuildCompletions c;
    c.progress(agg, 0, 1, 0, 1, 10);
    c.progress(agg, 1, 0, 0, 5, 500);
    auto r = c.resolve(1001, /*evidence*/ 3, /*seq*/ 6, /*time*/ 900, false, none);
    EXPECT_EQ(r.outcome, Outcome::succeeded);
    EXPECT_EQ(r.end, 500);
}

TEST(BuildCompletions, FailedCounterMeansFailed) {
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 10);
    c.progress(agg, 0, 1, 1, 5, 400);
    auto r = c.resolve(1002, 3, 6, 450, false, none);
    EXPECT_EQ(r.outcome, Outcome::failed);
    EXPECT_EQ(r.end, 400);
}

TEST(BuildCompletions, StopWithoutCompletionIsCancelled) {
    BuildCompletions c;
    c.progress(agg, 0, 1, 0, 1, 10);
    auto r = c.resolve(1003, 2, 3, 700, false, none);
    EXPECT_EQ(r.outcome, Outcome::cancelled);
    EXPECT_EQ(r.end, 700);
}

TEST(BuildCompletions, CompletionBeforeTheBuildsLastOutputIsNotItsOwn) {
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 10);
    c.progress(agg, 1, 1, 0, 2, 100);  // someone else finished
    auto r = c.resolve(1004, /*evidence after it*/ 3, 4, 300, false, none);
    EXPECT_NE(r.end, 100);
}

TEST(BuildCompletions, BatchOfCompletionsThenStopsPairInOrder) {
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 10);
    c.progress(agg, 1, 1, 0, 5, 1000);
    c.progress(agg, 2, 0, 0, 6, 1400);
    auto a = c.resolve(1005, 3, 7, 2000, false, none);
    auto b = c.resolve(1006, 4, 8, 2300, false, none);
    EXPECT_EQ(a.end, 1000);
    EXPECT_EQ(b.end, 1400);
    EXPECT_EQ(a.outcome, Outcome::succeeded);
    EXPECT_EQ(b.outcome, Outcome::succeeded);
}

TEST(BuildCompletions, MixedBatchLeavesTheOutcomeUnknown) {
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 0);
    c.progress(agg, 1, 1, 0, 5, 1000);
    c.progress(agg, 1, 0, 1, 6, 1001);
    auto a = c.resolve(1007, 2, 7, 1100, false, none);
    EXPECT_EQ(a.outcome, Outcome::unknown);
}

TEST(BuildCompletions, OldCompletionIsNotAFreshOne) {
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 0);
    c.progress(agg, 1, 1, 0, 5, 1 * 1'000'000);  // A finished; its stop will come late (Nix 2.8)
    auto b = c.resolve(1008, 2, 9, 3 * 1'000'000, false, none);  // B is stopped two seconds later
    EXPECT_EQ(b.outcome, Outcome::unknown) << "B may be cancelled or be the one that finished";
    EXPECT_FALSE(b.end);
}

// Nix 2.8: requested builds stop only at exit. Three finished at different moments; each one's last
// output pins down which completion is whose.
TEST(BuildCompletions, LateStopsArePairedWhenOnlyOnePairingFits) {
    constexpr Micros s = 1'000'000;
    BuildCompletions c;
    c.progress(agg, 0, 3, 0, 1, 0);
    c.progress(agg, 1, 2, 0, /*seq*/ 11, 1 * s);  // after build A's last output (seq 10)
    c.progress(agg, 2, 1, 0, 21, 2 * s);          // after B's (20)
    c.progress(agg, 3, 0, 0, 31, 3 * s);          // after C's (30)
    // Stops in reverse order when Nix exits.
    auto cr = c.resolve(1009, 30, 41, 9 * s, false, [] { return std::vector<std::uint64_t>{10, 20}; });
    auto br = c.resolve(1010, 20, 42, 9 * s, false, [] { return std::vector<std::uint64_t>{10}; });
    auto ar = c.resolve(1011, 10, 43, 9 * s, false, none);
    EXPECT_EQ(cr.end, 3 * s);
    EXPECT_EQ(br.end, 2 * s);
    EXPECT_EQ(ar.end, 1 * s);
    EXPECT_EQ(ar.outcome, Outcome::succeeded);
}

TEST(BuildCompletions, LateStopsStayUnknownWhenAmbiguous) {
    constexpr Micros s = 1'000'000;
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 0);
    c.progress(agg, 1, 1, 0, 11, 1 * s);
    c.progress(agg, 2, 0, 0, 12, 2 * s);
    // Both builds went quiet (seq 5 and 6) before either completion: either could be either.
    auto a = c.resolve(1012, 5, 21, 9 * s, false, [] { return std::vector<std::uint64_t>{6}; });
    auto b = c.resolve(1013, 6, 22, 9 * s, false, none);
    EXPECT_FALSE(a.end);
    EXPECT_FALSE(b.end) << "the first one's claim keeps the second from looking unique";
    EXPECT_EQ(a.outcome, Outcome::succeeded);
    EXPECT_EQ(b.outcome, Outcome::succeeded);
}

TEST(BuildCompletions, LateStopsWithDifferentOutcomesStayUnknown) {
    constexpr Micros s = 1'000'000;
    BuildCompletions c;
    c.progress(agg, 0, 2, 0, 1, 0);
    c.progress(agg, 1, 1, 0, 11, 1 * s);  // one succeeded
    c.progress(agg, 1, 0, 1, 12, 2 * s);  // one failed
    auto a = c.resolve(1014, 5, 21, 9 * s, false, [] { return std::vector<std::uint64_t>{6}; });
    EXPECT_EQ(a.outcome, Outcome::unknown);
    EXPECT_FALSE(a.end);
}

TEST(BuildCompletions, LateStopWhileOthersRunIsUnknown) {
    constexpr Micros s = 1'000'000;
    BuildCompletions c;
    c.progress(agg, 0, 3, 0, 1, 0);
    c.progress(agg, 1, 2, 0, 11, 1 * s);
    auto r = c.resolve(1015, 5, 21, 9 * s, false, none);
    EXPECT_EQ(r.outcome, Outcome::unknown);
    EXPECT_FALSE(r.end);
}

// Nix 2.8, nix-build --keep-going: the failing requested build finishes first and alone, its stop comes
// only at exit, just after another build's completion. Nothing else was running when it failed.
TEST(BuildCompletions, ABuildThatFinishedAloneKeepsItsCompletion) {
    constexpr Micros s = 1'000'000;
    BuildCompletions c;
    c.started(1);                          // demo-broken
    c.progress(agg, 0, 1, 0, 2, 0);
    c.progress(agg, 0, 0, 1, 3, s / 10);  // it fails: nothing runs any more
    c.started(2);                          // demo-app, later
    c.progress(agg, 0, 1, 1, 5, 1 * s);
    c.progress(agg, 1, 0, 1, 7, 2 * s);    // done: nothing runs
    auto broken = c.resolve(1, 0, 8, 2 * s + 8000, false, none);  // stops first, 8 ms later
    auto app = c.resolve(2, 6, 9, 2 * s + 9000, false, none);
    EXPECT_EQ(broken.outcome, Outcome::failed);
    EXPECT_EQ(broken.end, s / 10);
    EXPECT_EQ(app.outcome, Outcome::succeeded);
    EXPECT_EQ(app.end, 2 * s);
}

TEST(BuildCompletions, ACompletionWhileOthersRunIsNotAttributedEarly) {
    BuildCompletions c;
    c.started(1);
    c.started(2);
    c.progress(agg, 0, 2, 0, 1, 0);
    c.progress(agg, 1, 1, 0, 5, 100);
    EXPECT_FALSE(c.settled(1));
    EXPECT_FALSE(c.settled(2));
    EXPECT_EQ(c.unclaimed(), 1u);
}

TEST(BuildCompletions, WorkerEndForgetsUnclaimedCompletions) {
    BuildCompletions c;
    c.progress(agg, 0, 1, 0, 1, 0);
    c.progress(agg, 1, 0, 0, 2, 100);
    c.aggregate_stopped(agg);
    EXPECT_EQ(c.unclaimed(), 0u);
    EXPECT_EQ(c.resolve(1016, 1, 3, 200, false, none).outcome, Outcome::cancelled);
}

TEST(BuildCompletions, HostileCountersAreBounded) {
    BuildCompletions c;
    c.progress(agg, 0, 0, 0, 1, 0);
    c.progress(agg, UINT64_MAX, 0, UINT64_MAX, 2, 1);
    EXPECT_LE(c.unclaimed(), 4096u);
    auto r = c.resolve(1017, 0, 3, 2, false, none);
    EXPECT_NE(r.outcome, Outcome::cancelled);
    EXPECT_LE(c.unclaimed(), 4095u);
}

}  // namespace
}  // namespace nod
