// Plausible synthetic history for benchmarks: a Zipf-like mix of derivation names (some rebuilt or
// substituted often, most rarely), per-name typical durations, kinds and outcomes in realistic proportions,
// rows in start order as the collector would write them.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "reader/row.hpp"

namespace nod::bench {

struct SyntheticOptions {
    std::uint64_t rows = 1'000'000;
    int days = 365;
    std::size_t names = 20'000;
    std::uint64_t seed = 1;
    Micros end = 0;  // start of the last row's second; rows spread evenly over [end - days, end)
};

class SyntheticRows {
public:
    explicit SyntheticRows(const SyntheticOptions& options);
    // The next `count` rows (fewer at the end); empty when all rows were produced.
    std::vector<Row> next(std::size_t count);

private:
    Row make(std::uint64_t index);

    SyntheticOptions options_;
    std::mt19937_64 random_;
    std::vector<std::string> names_;
    std::vector<double> typical_seconds_;
    std::discrete_distribution<std::size_t> pick_name_;
    std::uint64_t produced_ = 0;
    Micros first_ = 0;
    Micros step_ = 0;
};

}  // namespace nod::bench
