// nodctl top's frame, from what Running answered and what the Finished signal told since: pure, so that
// every frame can be tested without a terminal. The loop around it is in top.cpp.
#pragma once

#include <cstddef>
#include <deque>
#include <string>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

struct TopState {
    RunningResult running;
    double fetched_at = 0;  // seconds since the epoch when `running` was answered
    std::deque<FinishedActivity> finished;  // the newest first
    static constexpr std::size_t max_finished = 50;

    void add_finished(FinishedActivity f);
};

// One full frame for a terminal of `width` columns and `height` rows (at least 80×24 assumed usable, less is
// cut), at time `now` (seconds since the epoch): a title with the count in flight and when the running set
// should be done, the running activities sorted by elapsed time with a bar of elapsed against expected,
// then the last finished ones. Lines never exceed `width`; there are at most `height` of them.
std::string render_top(const TopState& state, double now, std::size_t width, std::size_t height, const ViewOptions& view);

// When the running set should be done, from now: the longest of expected − elapsed among rows that have an
// expectation (0 when they are all past it); negative when no row has one.
double remaining_seconds(const RunningResult& running, double elapsed_since_fetch);

}  // namespace nod::ctl
