// What started and finished since the collector last said so, for the Started and Finished signals and
// the Running property: gathered on the reading thread, emitted on the bus's.
#pragma once

#include <cstdint>
#include <vector>

#include "reader/live_activity.hpp"
#include "reader/row.hpp"

namespace nod::collector {

struct LiveEvents {
    // At most max_per_signal of each; `more_…` counts the ones left out (a burst of thousands of
    // substitutions is one signal, not thousands).
    static constexpr std::size_t max_per_signal = 1000;

    std::vector<LiveActivity> started;
    std::uint64_t more_started = 0;
    std::vector<Row> finished;  // the rows as stored (outcome and duration)
    std::uint64_t more_finished = 0;
    std::uint32_t running = 0;  // activities in flight now, each once
    bool running_changed = false;

    // And at most this many bytes of names and paths in each: a path may be 4 KiB, and a signal goes to
    // every subscriber.
    static constexpr std::size_t max_signal_bytes = 1 << 20;

    // Leaves out, and counts in `more_…`, the entries past max_signal_bytes.
    void fit() {
        auto cut = [](auto& entries, std::uint64_t& more) {
            std::size_t bytes = 0, keep = 0;
            for (; keep < entries.size(); ++keep) {
                bytes += entries[keep].name.size() + entries[keep].path.size() + entries[keep].machine.size() + 64;
                if (bytes > max_signal_bytes) break;
            }
            more += entries.size() - keep;
            entries.resize(keep);
        };
        cut(started, more_started);
        cut(finished, more_finished);
    }

    bool empty() const { return started.empty() && !more_started && finished.empty() && !more_finished && !running_changed; }
    // A finished row, or one more left out.
    void add_finished(const Row& row) {
        if (finished.size() < max_per_signal) finished.push_back(row);
        else ++more_finished;
    }
};

}  // namespace nod::collector
