// What the collector answers, as plain values: the bus client fills them, the formatters read them.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace nod::ctl {

// Inclusive range of local days, YYYY-MM-DD.
struct Window {
    std::string first_day;
    std::string last_day;
};

// How Stats rows are grouped: one per kind (none), per derivation name, or per user.
enum class GroupBy { none, name, user, machine, substituter };

// One row of Stats (bucket empty) or Bucket (name empty). Seconds are NaN-free doubles from the API, except
// the CPU times: NaN when no row of the group had any.
struct FigureRow {
    std::string bucket;
    std::string kind;
    std::string name;
    // Grouped by user: the uid, and the user's name on this machine (the uid in decimal when it has none).
    std::uint32_t uid = 0;
    std::string user;
    std::uint64_t count = 0;
    std::uint64_t failed = 0;
    std::uint64_t cancelled = 0;
    std::uint64_t unknown_duration = 0;
    double total_seconds = 0;
    double mean_seconds = 0;
    double p50_seconds = 0;
    double p90_seconds = 0;
    double max_seconds = 0;
    std::uint64_t bytes = 0;
    std::uint64_t download_bytes = 0;
    double cpu_user_seconds = std::numeric_limits<double>::quiet_NaN();
    double cpu_system_seconds = std::numeric_limits<double>::quiet_NaN();
};

struct StatsResult {
    Window window;
    GroupBy group_by = GroupBy::none;
    std::vector<FigureRow> rows;
};

struct BucketResult {
    std::string unit;  // day, week or month
    Window window;
    std::vector<FigureRow> rows;
};

// One comparison of Test. Medians, change, delta and shift are NaN where a sample is empty.
struct ComparisonRow {
    std::string kind;
    std::string name;
    std::uint64_t n_old = 0;
    std::uint64_t n_new = 0;
    double median_old_seconds = 0;
    double median_new_seconds = 0;
    double change_percent = 0;
    double p_value = 1;
    double p_adjusted = 1;
    bool significant = false;
    bool too_few_samples = false;
    std::string method;
    double cliffs_delta = 0;
    double shift_seconds = 0;
};

struct ComparisonResult {
    Window old_window;
    Window new_window;
    bool grouped = false;
    std::vector<ComparisonRow> rows;
};

// One name of Estimate. basis is "name", "package" or "none"; the figures are NaN when count is 0.
struct EstimateRow {
    std::string name;
    std::string basis;
    std::uint64_t count = 0;
    double median_seconds = 0;
    double p90_seconds = 0;
    double last_seconds = 0;
};

// One activity in flight (Running). expected_seconds is NaN without history; done/expected 0/0 when Nix
// said nothing.
struct RunningRow {
    std::string kind;
    std::string name;
    std::string path;
    std::uint64_t started_usec = 0;
    double elapsed_seconds = 0;
    std::uint32_t uid = 0;
    std::string user;  // the uid's name on this machine, or the uid as text
    bool trusted = false;
    std::string machine;
    std::string phase;
    std::uint64_t done = 0;
    std::uint64_t expected = 0;
    double expected_seconds = 0;
};

struct RunningResult {
    std::uint64_t in_flight = 0;  // matching the filters; rows holds the earliest started of them
    std::vector<RunningRow> rows;
};

// One substituter of Caches. median_throughput (bytes/s) and share (0 to 1) are NaN when not defined.
struct CacheRow {
    std::string substituter;
    std::uint64_t substituted = 0, failed = 0, other = 0, bytes = 0, download_bytes = 0;
    double median_throughput = 0;
    double share = 0;
};

struct CachesResult {
    Window window;
    std::uint64_t substituted = 0, built = 0;
    double hit_rate = 0;  // NaN when nothing was realised
    std::vector<CacheRow> rows;
};

// One entry of the Finished signal. duration_seconds is NaN when unknown.
struct FinishedActivity {
    std::string kind;
    std::string name;
    std::uint32_t uid = 0;
    std::string user;  // the uid's name, as for running
    std::string outcome;
    double duration_seconds = 0;
    double at_seconds = 0;  // when nodctl heard of it (seconds since the epoch)
};

struct EstimateResult {
    std::string kind;  // what was estimated: build unless --kind said otherwise
    std::vector<EstimateRow> rows;
};

}  // namespace nod::ctl
