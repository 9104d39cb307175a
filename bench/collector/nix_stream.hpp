// A Nix-like client that sends a build every 2 ms and notes when, and the read latency that follows from
// it: the collector stamps each build's start on receipt, so receipt − send is how long the line waited.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

#include "reader/row.hpp"

namespace nod::bench {

Micros now_micros();  // µs since the epoch, as the collector stamps rows

struct Latencies {
    std::vector<double> ms;
    double max() const;
    double quantile(double q) const;
};

// Sends one build start and stop every 2 ms for `seconds`, and after that until `done` (if given) says so;
// returns id → send time (µs since the epoch). Names are "stall-<id>".
std::map<std::uint64_t, Micros> send_builds(const std::filesystem::path& socket, std::uint64_t first_id,
                                            double seconds, const std::atomic<bool>* done = nullptr);

// The read latency of each build `sent` that the database holds.
Latencies read_latencies(const std::filesystem::path& db, const std::map<std::uint64_t, Micros>& sent);

}  // namespace nod::bench
