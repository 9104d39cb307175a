// What nod refused, and from whom: every bound that turns work away counts it here per (reason, uid), and
// logs it at most once a minute per pair, so that no user can flood the journal by hitting a bound.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reader/row.hpp"

namespace nod::collector {

enum class RefusalReason : std::uint8_t {
    connections,           // every connection slot a non-root user may take was taken
    connections_per_user,  // the user had its own share of connections open
    fd_limit,              // accept() failed for lack of file descriptors: accepting paused a moment
    line_too_long,         // a log line over --max-line-bytes
    too_deep,              // a record nested deeper than the parser reads
    path_too_long,         // a path or machine over the path bound
    activities,            // a connection had --max-activities in flight
    held_bytes,            // a connection or user had the bytes in flight it may keep
    paused,                // the writer was behind: the connection was not read for a while
    rows_dropped,          // rows dropped because memory for unwritten rows ran out
    rows_per_day,          // a non-root user stored --max-rows-per-user-day rows in 24 hours
};
inline constexpr int refusal_reason_count = 11;

std::string_view to_string(RefusalReason reason);

class Refusals {
public:
    static constexpr Micros log_every = 60'000'000;

    // Counts `n` refusals. When this (reason, uid) is to be logged now (its first refusal, or a minute after
    // its last log line), returns how many were counted since that line (this one's included).
    std::optional<std::uint64_t> note(RefusalReason reason, std::uint32_t uid, Micros now, std::uint64_t n = 1);

    struct Count {
        RefusalReason reason;
        std::uint32_t uid;
        std::uint64_t count;
    };
    std::vector<Count> counts() const;  // by reason, then uid
    std::uint64_t total(RefusalReason reason) const;

private:
    struct Entry {
        std::uint64_t count = 0;
        std::uint64_t at_last_log = 0;
        Micros last_log = 0;
        bool logged = false;
    };
    std::map<std::pair<RefusalReason, std::uint32_t>, Entry> entries_;
};

}  // namespace nod::collector
