// One JSON document per answer, machine units (seconds as numbers, bytes as integers), snake_case
// names that stay stable (nodctl(1) documents them); NaN is written as null.
#pragma once

#include <string>

#include "ctl/model.hpp"

namespace nod::ctl {

std::string stats_json(const StatsResult& result);
std::string bucket_json(const BucketResult& result);
std::string comparison_json(const ComparisonResult& result);
// {"kind": …, "rows": [{"name", "basis", "count", "median_seconds", "p90_seconds", "last_seconds"}]}; null
// where there is no history.
std::string estimate_json(const EstimateResult& result);
// {"in_flight": N, "rows": [{"kind", "name", "path", "user", "uid", "trusted", "machine", "phase",
// "started", "elapsed_seconds", "expected_seconds", "done", "expected"}]}; null for "" machine and phase and for
// unknown expectations.
std::string running_json(const RunningResult& result);
std::string caches_json(const CachesResult& result);

}  // namespace nod::ctl
