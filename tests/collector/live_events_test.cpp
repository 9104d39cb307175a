// What one Started or Finished signal may carry.
#include "collector/live_events.hpp"

#include <gtest/gtest.h>

namespace nod::collector {
namespace {

TEST(LiveEvents, AtMostAThousandEntriesEach) {
    LiveEvents e;
    Row row;
    row.name = "x";
    for (int i = 0; i < 1500; ++i) e.add_finished(row);
    EXPECT_EQ(e.finished.size(), LiveEvents::max_per_signal);
    EXPECT_EQ(e.more_finished, 500u);
}

TEST(LiveEvents, LongPathsAreCountedNotSent) {
    LiveEvents e;
    LiveActivity started;
    started.path = std::string(4096, 'p');
    started.name = std::string(200, 'n');
    Row finished;
    finished.path = started.path;
    for (int i = 0; i < 1000; ++i) {
        e.started.push_back(started);
        e.add_finished(finished);
    }
    e.fit();
    EXPECT_LT(e.started.size(), 1000u);
    EXPECT_GT(e.started.size(), 200u);
    EXPECT_EQ(e.started.size() + e.more_started, 1000u);
    EXPECT_EQ(e.finished.size() + e.more_finished, 1000u);
    std::size_t bytes = 0;
    for (const auto& s : e.started) bytes += s.path.size() + s.name.size();
    EXPECT_LE(bytes, LiveEvents::max_signal_bytes);
    LiveEvents small;
    small.started.push_back(LiveActivity{});
    small.fit();
    EXPECT_EQ(small.started.size(), 1u);
    EXPECT_EQ(small.more_started, 0u);
}

}  // namespace
}  // namespace nod::collector
