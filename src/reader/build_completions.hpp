// Decides when a build really ended and how, from the Builds progress of its Nix Worker.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <unordered_set>
#include <unordered_map>
#include <vector>

#include "reader/row.hpp"

namespace nod {

// Nix's `stop` for a build proves nothing (src/reader/README.md, Evidence): what proves an end is the Worker's actBuilds
// progress `[done, expected, running, failed]`, whose `done` or `failed` goes up at the moment a build
// finishes. Progress does not say *which* build, so this ledger pairs completions with builds:
//  - Nix ≥ 2.30 stops a build right after its completion (several builds finishing together give a
//    batch of completions, then their stops): a stop takes the oldest completion of the current batch
//    that came after the build's last output and at most `batch_tolerance` before the stop.
//  - Nix 2.8 keeps a requested build's activity until Nix exits. Such a late stop is paired only when
//    the Worker reports no running build (so every open build has finished) and exactly one pairing of
//    completions with open builds is consistent with each build's last output; otherwise the end is
//    unknown, and the outcome too unless every possible completion agrees.
//  - When the Worker reports that nothing runs any more and exactly as many open builds were waiting
//    as completions arrived, those builds finished then (Nix 2.8: a failed requested build, whose stop
//    comes only at exit, cannot take another build's completion).
// Evidence is ordered by `seq`, the record's position on its connection.
class BuildCompletions {
public:
    struct Resolution {
        Outcome outcome = Outcome::unknown;
        std::optional<Micros> end;  // empty: the stream cannot tell
    };

    void started(std::uint64_t build);
    void progress(std::uint64_t aggregate, std::uint64_t done, std::uint64_t running, std::uint64_t failed,
                  std::uint64_t seq, Micros time);
    void aggregate_stopped(std::uint64_t aggregate);

    // A build stops (or the stream ends with it open: `at_eof`). `evidence_seq` is the position of the
    // build's last own record; `others` the same for the other builds still open on the connection.
    // `others` is asked only when the stop is late (it walks the open builds).
    using OtherBuilds = std::function<std::vector<std::uint64_t>()>;
    Resolution resolve(std::uint64_t build, std::uint64_t evidence_seq, std::uint64_t seq, Micros time,
                       bool at_eof, const OtherBuilds& others);

    // The build's end is already known (it needs no completion any more).
    bool settled(std::uint64_t build) const {
        auto it = open_.find(build);
        return it != open_.end() && it->second.has_value();
    }
    std::size_t unclaimed() const { return unclaimed_.size(); }

private:
    struct Completion {
        std::uint64_t seq;
        Micros time;
        bool failed;
    };
    struct Progress {
        std::uint64_t done = 0;
        std::uint64_t running = 0;
        std::uint64_t failed = 0;
    };

    std::uint64_t running() const;
    bool attribute_all(std::uint64_t count, bool failed, bool mixed, Micros time);
    std::optional<Resolution> resolve_fresh(std::uint64_t evidence_seq, Micros now);
    Resolution resolve_late(std::uint64_t evidence_seq, std::vector<std::uint64_t> thresholds);
    bool matchable(const std::vector<std::uint64_t>& thresholds, std::size_t skip) const;

    static constexpr std::size_t max_unclaimed = 4096;  // bounds memory on a hostile stream
    static constexpr Micros batch_tolerance = 10'000;    // 10 ms

    std::unordered_map<std::uint64_t, Progress> aggregates_;
    std::deque<Completion> unclaimed_;
    std::unordered_map<std::uint64_t, std::optional<Resolution>> open_;  // open builds; set: known end
    std::vector<std::uint64_t> ghosts_;  // thresholds of late builds paired with an unknown completion
    std::uint64_t last_stop_seq_ = 0;
    std::uint64_t last_completion_seq_ = 0;
    std::uint64_t batch_boundary_ = 0;  // completions at or before this belong to earlier turns
};

}  // namespace nod
