// Decides how a substitution or copy ended, from its Worker's CopyPaths progress or, with Determinate Nix,
// from the substitution's resBuildResult.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reader/activity_registry.hpp"
#include "reader/build_result.hpp"
#include "reader/row.hpp"

namespace nod {

// A substitution's activity lives on the thread that copies the path, so its `stop` is the real end;
// but whether it succeeded is only told afterwards, when the Worker's actCopyPaths progress counts it
// as done or failed. Stopped substitutions wait here, oldest first, for that word; a completion that
// arrives before any stop waits for the next one.
//
// Determinate Nix then also writes the substitution's resBuildResult, naming its path, right after that
// progress (or without one: a path the cache no longer has counts as no failure). A row stopped on a
// connection that has sent results (`awaits_result`) is settled by its own result: the progress, which
// cannot say which path it counts, only gives it a provisional outcome, kept if no result comes before the
// Worker ends (or, past max_waiting, the row is the oldest of those held).
class CopyCompletions {
public:
    struct Resolved {
        ActivityKey key;
        Row row;
    };

    void progress(std::uint64_t aggregate, std::uint64_t done, std::uint64_t failed,
                  std::vector<Resolved>& out);
    void aggregate_stopped(std::uint64_t aggregate, std::vector<Resolved>& out);
    void stopped(ActivityKey key, Row row, std::vector<Resolved>& out, bool awaits_result = false);
    // A result for the store path whose base name is `base`: settles the newest substitution of that path
    // that waits for it (among the `searched` newest of each queue). False when there is none.
    bool result(std::string_view base, const ResultFacts& facts, std::vector<Resolved>& out);
    // A new attempt at the same path: the earlier one, still waiting, did not deliver it.
    void superseded(const std::string& path, std::vector<Resolved>& out);
    // End of stream: whatever still waits gets no word any more.
    void flush(std::vector<Resolved>& out);
    // Bytes of the strings of the rows kept here: the connection counts them against what it may keep.
    std::size_t bytes() const { return bytes_; }

private:
    struct Progress {
        std::uint64_t done = 0;
        std::uint64_t failed = 0;
    };
    struct Waiting {
        Resolved resolved;
        bool awaits_result = false;
    };
    void settle(Outcome outcome, std::vector<Resolved>& out);
    void hold(Resolved r, std::vector<Resolved>& out);
    static std::size_t charge(const Resolved& r);
    void push_waiting(Resolved r, bool awaits_result);
    void push_held(Resolved r);
    Resolved take(std::deque<Waiting>::iterator it);
    Resolved take(std::deque<Resolved>::iterator it);
    template <typename Queue, typename Match>
    typename Queue::iterator find_recent(Queue& queue, Match match);

    static constexpr std::size_t max_credits = 4096;
    // Stopped ones waiting for their word: past this the oldest is settled as unknown (a stream that stops
    // substitutions and never reports their outcome would otherwise grow this without end). The same bound
    // holds for the rows held for their result.
    static constexpr std::size_t max_waiting = 4096;
    // How many of the newest rows of each queue a result or a new attempt at a path is compared with.
    static constexpr std::size_t searched = 256;

    std::unordered_map<std::uint64_t, Progress> aggregates_;
    std::deque<Waiting> waiting_;
    std::deque<Resolved> held_;    // outcome from the progress, waiting for their result
    std::deque<Outcome> credits_;  // completions that came before their stop
    std::size_t bytes_ = 0;        // charge() of every row in waiting_ and held_
};

}  // namespace nod
