// What one scrape shows: the collector's lifetime totals, what is in flight and its health, as plain values
// (no D-Bus types), so that the exposition is pure and tested on its own. collector_source.hpp fills it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nod::metrics {

// Rows ever written per (kind, outcome, direction); kind, outcome and direction as the Totals method names
// them ("build", "succeeded", "" | "in" | "out").
struct ActivityTotals {
    std::string kind, outcome, direction;
    std::uint64_t count = 0;
    std::uint64_t timed = 0;        // rows with a known duration
    std::uint64_t duration_us = 0;  // their summed duration
    std::uint64_t bytes = 0;        // NAR bytes
    std::uint64_t download_bytes = 0;
};

// One kind's durations: counts per bucket (not cumulative), one per bound and a last one above them all.
struct DurationBuckets {
    std::string kind;
    std::vector<std::uint64_t> counts;
};

struct SubstituterTotals {
    std::string substituter;  // "" = other
    std::string outcome;
    std::uint64_t count = 0, bytes = 0, download_bytes = 0;
};

struct Health {
    std::uint32_t connections = 0;
    std::uint64_t lines_read = 0;
    std::uint64_t rows = 0;
    std::uint64_t database_bytes = 0;
    std::uint64_t write_errors = 0;
    std::map<std::string, std::uint64_t> refusals;  // per reason, every uid summed
};

struct Snapshot {
    bool up = false;
    std::string error;  // why not, when !up
    std::vector<double> bounds_seconds;  // the histogram's upper bounds, ascending
    std::vector<ActivityTotals> activities;
    std::vector<DurationBuckets> durations;
    std::vector<SubstituterTotals> substituters;
    std::map<std::string, std::uint32_t> running;  // per kind
    Health health;
};

}  // namespace nod::metrics
