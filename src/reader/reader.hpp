// The reader: bytes from Nix's log connections in, finished rows out. No I/O, no clock of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "reader/activity_registry.hpp"
#include "reader/connection_tracker.hpp"
#include "reader/counters.hpp"
#include "reader/limits.hpp"
#include "reader/live_activity.hpp"
#include "reader/row.hpp"

namespace nod {

// One Reader serves every connection of a collector, because deduplication spans connections.
// Callers stamp each read with its receipt time (Nix's records carry none). Rows reach the sink as
// soon as the evidence for them is complete; each activity reaches it once.
class Reader {
public:
    Reader(ReaderLimits limits, RowSink sink);
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    ConnectionId open(Peer peer, Micros now);
    // `data` is used as scratch space (lines are parsed in place).
    void feed(ConnectionId conn, char* data, std::size_t size, Micros now);
    void close(ConnectionId conn, Micros now);

    const ReaderCounters& counters() const { return counters_; }
    std::size_t connections() const { return connections_.size(); }
    std::size_t in_flight() const;
    // Every activity in flight, each once however many connections report it.
    std::vector<LiveActivity> running() const;
    // What started since the last call (ActivityRegistry::take_started); returns how many were left out.
    std::uint64_t take_started(std::vector<LiveActivity>& out) { return registry_.take_started(out); }
    // Activities in flight, each counted once.
    std::size_t running_count() const { return registry_.open_count(); }
    std::size_t buffered_bytes() const;
    std::size_t remembered_ids() const { return registry_.size(); }

private:
    ReaderLimits limits_;
    RowSink sink_;
    ReaderCounters counters_;
    ActivityRegistry registry_;
    std::unordered_map<std::uint32_t, std::size_t> held_by_user_;  // bytes in flight per non-root uid
    ConnectionId next_id_ = 1;
    std::unordered_map<ConnectionId, std::unique_ptr<ConnectionTracker>> connections_;
};

}  // namespace nod
