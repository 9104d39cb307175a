// Query results in the shapes net.bergsoe.Nod1.xml declares (the generated adaptor's types).
#pragma once

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <sdbus-c++/Types.h>

#include "queries/bucket.hpp"
#include "queries/caches.hpp"
#include "queries/stats.hpp"
#include "queries/comparison.hpp"
#include "queries/estimate.hpp"
#include "queries/running.hpp"
#include "reader/row.hpp"
#include "store/lifetime.hpp"

namespace nod::wire {

using Window = sdbus::Struct<std::string, std::string>;
using StatsRow = sdbus::Struct<std::string, std::string, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t,
                               double, double, double, double, double, std::uint64_t, std::uint64_t, double, double>;
using BucketRow = StatsRow;  // (bucket, kind, figures…)
using Windows = sdbus::Struct<std::string, std::string, std::string, std::string>;
using TestRow = sdbus::Struct<std::string, std::string, std::uint64_t, std::uint64_t, double, double, double, double,
                              double, bool, bool, std::string, double, double>;
using EstimateRow = sdbus::Struct<std::string, std::string, std::uint64_t, double, double, double>;
// (kind, name, path, started_usec, elapsed_seconds, user, trusted, machine, phase, done, expected,
// expected_seconds)
using RunningRow = sdbus::Struct<std::string, std::string, std::string, std::uint64_t, double, std::uint32_t, bool,
                                 std::string, std::string, std::uint64_t, std::uint64_t, double>;

// The most a reply may take: a quarter of the 32 MiB D-Bus allows a message, so that no answer can get
// the collector disconnected from the bus. Past it stats_rows and test_rows throw queries::TooLarge.
inline constexpr std::size_t max_reply_bytes = 8 << 20;

Window window(const queries::DayRange& days);
std::vector<StatsRow> stats_rows(const queries::StatsResult& result, std::optional<Kind> kind);
std::vector<BucketRow> bucket_rows(const queries::BucketResult& result, std::optional<Kind> kind);
std::vector<TestRow> test_rows(const queries::ComparisonResult& result, std::optional<Kind> kind);
Windows windows(const queries::ComparisonResult& result);
// (substituter, substituted, failed, other, bytes, download_bytes, median_throughput, share)
using CacheRow = sdbus::Struct<std::string, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t,
                               double, double>;
std::vector<CacheRow> cache_rows(const queries::CachesResult& result);

// The Started and Finished signals' entries.
using StartedRow = sdbus::Struct<std::string, std::string, std::string, std::uint32_t, std::uint64_t>;
using FinishedRow = sdbus::Struct<std::string, std::string, std::string, std::uint32_t, std::string, double>;
std::vector<StartedRow> started_rows(const std::vector<LiveActivity>& started);
std::vector<FinishedRow> finished_rows(const std::vector<Row>& finished);

std::vector<EstimateRow> estimate_rows(const std::vector<queries::Estimate>& estimates);
// `expected`: one per row (queries::expected_seconds); elapsed is counted to `now` (µs since the epoch).
std::vector<RunningRow> running_rows(const std::vector<LiveActivity>& rows, const std::vector<double>& expected,
                                     Micros now);

// Totals' out arguments: (bounds, activities, durations, substituters, running).
using TotalsActivity = sdbus::Struct<std::string, std::string, std::string, std::uint64_t, std::uint64_t,
                                     std::uint64_t, std::uint64_t, std::uint64_t>;
using TotalsDurations = sdbus::Struct<std::string, std::vector<std::uint64_t>>;
using TotalsSubstituter = sdbus::Struct<std::string, std::string, std::uint64_t, std::uint64_t, std::uint64_t>;
using TotalsRunning = sdbus::Struct<std::string, std::uint32_t>;
using Totals = std::tuple<std::vector<double>, std::vector<TotalsActivity>, std::vector<TotalsDurations>,
                          std::vector<TotalsSubstituter>, std::vector<TotalsRunning>>;
Totals totals(const store::Lifetime& lifetime, const std::vector<LiveActivity>& running);

}  // namespace nod::wire
