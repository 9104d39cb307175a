// What the reader saw and what it skipped: every tolerance is counted, never silent.
#pragma once

#include <cstdint>

namespace nod {

struct ReaderCounters {
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;
    std::uint64_t malformed_lines = 0;   // not JSON at all
    std::uint64_t non_object_lines = 0;  // JSON, but not an object
    std::uint64_t nul_lines = 0;         // a raw NUL byte inside a line
    std::uint64_t too_deep_lines = 0;    // nested deeper than max_record_depth
    std::uint64_t oversized_lines = 0;   // longer than the line cap; skipped to the next newline
    std::uint64_t unknown_actions = 0;   // missing or unknown `action`
    std::uint64_t missing_keys = 0;      // start/stop/result without an id, start/result without a type
    std::uint64_t wrong_types = 0;       // a key nod reads held another JSON type
    std::uint64_t unknown_activity_types = 0;
    std::uint64_t unknown_result_types = 0;
    std::uint64_t payload_results = 0;    // results with `payload` (Determinate Nix), read or not
    std::uint64_t unusable_payloads = 0;  // ... of a type nod does not read, or saying nothing nod can take
    std::uint64_t unmatched_payloads = 0; // ... naming no build or substitution in flight on the connection
    std::uint64_t unknown_stops = 0;      // stop for an id that is not in flight
    std::uint64_t reused_ids = 0;         // start for an id that is still in flight
    std::uint64_t refused_activities = 0; // over the per-connection in-flight limit
    std::uint64_t refused_long_paths = 0; // a path or machine longer than max_path
    std::uint64_t refused_held_bytes = 0; // over the bytes a connection or a user may keep in flight
    std::uint64_t invalid_utf8 = 0;       // kept strings that had to be repaired
    std::uint64_t rows = 0;               // rows handed to the sink
    std::uint64_t duplicate_rows = 0;     // the same activity reported by another connection

    // Lines that were not JSON objects nod could read.
    std::uint64_t skipped_lines() const {
        return malformed_lines + non_object_lines + nul_lines + too_deep_lines + oversized_lines;
    }
};

}  // namespace nod
