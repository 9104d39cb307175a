// Follows the activities of one Nix connection and turns the finished ones into rows.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "reader/activity_registry.hpp"
#include "reader/build_completions.hpp"
#include "reader/build_result.hpp"
#include "reader/copy_completions.hpp"
#include "reader/counters.hpp"
#include "reader/line_framer.hpp"
#include "reader/live_activity.hpp"
#include "reader/limits.hpp"
#include "reader/record.hpp"
#include "reader/row.hpp"

namespace nod {

// The writer at the other end, from SO_PEERCRED (zeros when unknown, e.g. in a replay).
struct Peer {
    std::int32_t pid = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
};

using RowSink = std::function<void(Row&&)>;

class ConnectionTracker {
public:
    // `user_held`: the bytes all connections of the peer's user keep in flight (null for root, who is not
    // held to the per-user bound).
    ConnectionTracker(ConnectionId id, Peer peer, const ReaderLimits& limits, ReaderCounters& counters,
                      ActivityRegistry& registry, const RowSink& sink, std::size_t* user_held);

    void feed(char* data, std::size_t size, Micros now);
    // End of stream: open work is cancelled or handed to another connection that saw it too.
    void close(Micros now);

    std::size_t in_flight() const { return activities_.size(); }
    // Appends this connection's activities in flight that it is the one to list (see
    // ActivityRegistry::open_facts).
    void running(std::vector<LiveActivity>& out) const;
    std::size_t buffered() const { return framer_.buffered(); }

private:
    struct Activity {
        std::int64_t type = 0;
        std::uint64_t parent = 0;
        std::uint64_t owner = 0;  // the activity whose row this one's bytes belong to (0: none)
        bool has_row = false;
        Kind kind = Kind::build;
        Direction direction = Direction::none;
        bool failed_by_message = false;
        std::string path;
        std::string machine;
        Micros start = 0;
        std::uint64_t evidence_seq = 0;  // last record that shows the activity was still at work
        std::uint64_t bytes = 0;
        std::uint64_t download_bytes = 0;
        std::uint64_t transferred = 0;  // this transfer's own bytes so far (file transfers)
        std::size_t held = 0;           // bytes of path and machine, counted against the bounds
        std::optional<ResultFacts> result;  // builds: Determinate Nix's resBuildResult (or resHashMismatch)
        std::string phase;                  // builds: the last resSetPhase, counted in `held`
        std::uint64_t copied = 0, nar_size = 0;  // substitutions and copies: the last copy progress
    };
    using Activities = std::unordered_map<std::uint64_t, Activity>;

    void line(char* data, std::size_t size, Micros now);
    void on_start(const Record& r, Micros now);
    void on_stop(const Record& r, Micros now);
    void on_result(const Record& r, Micros now);
    void on_message(const Record& r);
    void on_payload(const Record& r, Micros now);
    void charge_copies();
    void set_phase(Activity& a, std::string_view phase);
    void on_build_result(const Record& r, Micros now);
    void on_hash_mismatch(const Record& r, Micros now);
    // Gives `facts` to the latest open build whose drv path has the base name `base`; false when there is none.
    bool result_for_builds(std::string_view base, const ResultFacts& facts);

    bool start_row_activity(std::uint64_t id, Activity& a, const Record& r);
    static std::string_view machine_of(const Record& r, Direction& direction);
    bool admit(std::string_view path, std::string_view machine);
    void hold(Activity& a);
    void forget(Activities::iterator it);
    Reporter reporter(std::uint64_t id) const;
    void wait_for_build(ActivityKey key, Row row, Micros now);
    std::uint64_t row_owner(std::uint64_t parent) const;
    bool under_substitution(std::uint64_t parent) const;
    void finish_build(std::uint64_t id, Activity& a, Micros now, bool at_eof);
    void finish_hooks(const std::string& drv, Outcome build_outcome, Micros now);
    // Records the rows whose outcome the copy progress settled, and empties `resolved`.
    void record_resolved(std::vector<CopyCompletions::Resolved>& resolved, Micros now);
    Row make_row(std::uint64_t id, const Activity& a) const;
    ActivityKey key_of(std::uint64_t id, const Activity& a) const { return {id, a.kind, a.path}; }
    void record(const ActivityKey& key, Row row, Micros now, bool abandoned);
    std::string kept(std::string_view text);
    void remember_failure(std::string drv);

    ConnectionId id_;
    Peer peer_;
    const ReaderLimits& limits_;
    ReaderCounters& counters_;
    ActivityRegistry& registry_;
    const RowSink& sink_;
    std::size_t* user_held_;

    LineFramer framer_;
    Record record_;  // reused line after line; its strings point into the line being handled
    std::uint64_t seq_ = 0;
    Activities activities_;
    std::size_t held_bytes_ = 0;  // of activities_, and of copies_ as charged
    std::unordered_set<std::uint64_t> open_builds_;
    // Open builds by their drv path's base name (a view into the activity's path, which lives as long as the
    // entry): Determinate Nix's results name the derivation, not the activity. One Nix process builds a
    // derivation once at a time, so a name maps to its latest build; a map of every build of a name would
    // let a stream that opens thousands of them make each stop and result cost thousands of steps.
    std::unordered_map<std::string_view, std::uint64_t> builds_by_name_;
    bool results_seen_ = false;  // the connection sent a `payload` result or a `sid`: it is Determinate Nix
    std::size_t copies_charged_ = 0;
    std::uint64_t builds_done_ = 0, builds_expected_ = 0;  // the Worker's last actBuilds progress  // copies_.bytes() as counted in held_bytes_ and *user_held_
    std::unordered_map<std::string, std::uint64_t> open_substitutions_;  // store path → activity
    BuildCompletions builds_;
    CopyCompletions copies_;
    std::vector<CopyCompletions::Resolved> hooks_waiting_;  // stopped hooks wait for their build's outcome
    std::deque<std::string> failed_drvs_;                  // drvs named by error messages, newest last
    std::vector<CopyCompletions::Resolved> resolved_;      // scratch, reused
};

}  // namespace nod
