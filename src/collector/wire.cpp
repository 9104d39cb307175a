#include "collector/wire.hpp"

#include <algorithm>
#include <array>

#include <limits>

#include "store/calendar.hpp"

namespace nod::wire {

namespace {

bool wanted(std::optional<Kind> filter, Kind kind) { return !filter || *filter == kind; }

// What a row costs in the reply, roughly: its fixed fields (with D-Bus's alignment) and its strings.
constexpr std::size_t row_overhead = 128;

void check_size(std::size_t bytes, const char* narrow) {
    if (bytes <= max_reply_bytes) return;
    throw queries::TooLarge("the answer would take about " + std::to_string((bytes + (1 << 20) - 1) >> 20) +
                            " MiB, more than the " + std::to_string(max_reply_bytes >> 20) +
                            " MiB nod sends in one reply: " + narrow);
}

StatsRow stats_row(Kind kind, const std::string& name, const queries::Figures& f) {
    // NaN: no row of the group had CPU times (only Determinate Nix's build results carry them).
    constexpr double unknown = std::numeric_limits<double>::quiet_NaN();
    return StatsRow(std::string(to_string(kind)), name, f.count, f.failed, f.cancelled, f.unknown_duration,
                    f.total_seconds, f.mean_seconds, f.p50_seconds, f.p90_seconds, f.max_seconds, f.bytes,
                    f.download_bytes, f.cpu_rows > 0 ? f.cpu_user_seconds : unknown,
                    f.cpu_rows > 0 ? f.cpu_system_seconds : unknown);
}

}  // namespace

Window window(const queries::DayRange& days) {
    return Window(store::day_label(days.first), store::day_label(days.last));
}

std::vector<StatsRow> stats_rows(const queries::StatsResult& result, std::optional<Kind> kind) {
    std::vector<StatsRow> rows;
    if (!result.names.empty() || result.kinds.empty()) {
        std::size_t bytes = 0;
        for (const auto& n : result.names)
            if (wanted(kind, n.kind)) bytes += row_overhead + n.name.size();
        check_size(bytes, "ask for fewer groups (a limit), a drv filter, a kind or fewer days");
        for (const auto& n : result.names)
            if (wanted(kind, n.kind)) rows.push_back(stats_row(n.kind, n.name, n.figures));
        return rows;
    }
    for (const auto& k : result.kinds)
        if (wanted(kind, k.kind)) rows.push_back(stats_row(k.kind, "", k.figures));
    return rows;
}

std::vector<BucketRow> bucket_rows(const queries::BucketResult& result, std::optional<Kind> kind) {
    std::vector<BucketRow> rows;
    for (const auto& b : result.buckets) {
        for (const auto& k : b.kinds) {
            if (!wanted(kind, k.kind)) continue;
            BucketRow row = stats_row(k.kind, "", k.figures);
            std::get<0>(row) = b.label;
            std::get<1>(row) = std::string(to_string(k.kind));
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

std::vector<TestRow> test_rows(const queries::ComparisonResult& result, std::optional<Kind> kind) {
    std::size_t bytes = 0;
    for (const auto* part : {&result.kinds, &result.names})
        for (const auto& c : *part)
            if (wanted(kind, c.kind)) bytes += row_overhead + c.name.size();
    check_size(bytes, "set a drv filter, a kind or fewer days");
    std::vector<TestRow> rows;
    auto add = [&](const queries::Comparison& c) {
        if (!wanted(kind, c.kind)) return;
        rows.emplace_back(std::string(to_string(c.kind)), c.name, c.n_old, c.n_new, c.median_old_seconds,
                          c.median_new_seconds, c.change_percent, c.p_value, c.p_adjusted, c.significant,
                          c.too_few_samples, std::string(c.method == stats::Method::exact ? "exact" : "normal"),
                          c.cliffs_delta, c.shift_seconds);
    };
    for (const auto& c : result.kinds) add(c);
    for (const auto& c : result.names) add(c);
    return rows;
}

std::vector<EstimateRow> estimate_rows(const std::vector<queries::Estimate>& estimates) {
    // The names come from the caller's own message, which the bus already bounded; a name asked 1000
    // times is still 1000 copies of it.
    std::size_t bytes = 0;
    for (const auto& e : estimates) bytes += row_overhead + e.name.size();
    check_size(bytes, "ask for fewer or shorter names");
    std::vector<EstimateRow> rows;
    rows.reserve(estimates.size());
    for (const auto& e : estimates)
        rows.emplace_back(e.name, std::string(to_string(e.basis)), e.count, e.median_seconds, e.p90_seconds,
                          e.last_seconds);
    return rows;
}

std::vector<CacheRow> cache_rows(const queries::CachesResult& result) {
    std::vector<CacheRow> out;
    for (const auto& c : result.caches)
        out.emplace_back(c.substituter, c.substituted, c.failed, c.other, c.bytes, c.download_bytes, c.median_throughput,
                         c.share);
    return out;
}

std::vector<StartedRow> started_rows(const std::vector<LiveActivity>& started) {
    std::vector<StartedRow> out;
    out.reserve(started.size());
    for (const auto& a : started)
        out.emplace_back(std::string(to_string(a.kind)), a.name, a.path, a.user,
                         static_cast<std::uint64_t>(std::max<Micros>(0, a.start)));
    return out;
}

std::vector<FinishedRow> finished_rows(const std::vector<Row>& finished) {
    std::vector<FinishedRow> out;
    out.reserve(finished.size());
    for (const auto& r : finished)
        out.emplace_back(std::string(to_string(r.kind)), r.name, r.path, r.user, std::string(to_string(r.outcome)),
                         r.duration ? static_cast<double>(*r.duration) / 1e6 : std::numeric_limits<double>::quiet_NaN());
    return out;
}

std::vector<RunningRow> running_rows(const std::vector<LiveActivity>& rows, const std::vector<double>& expected,
                                     Micros now) {
    std::size_t bytes = 0;
    for (const auto& r : rows) bytes += row_overhead + r.path.size() + r.name.size() + r.machine.size() + r.phase.size();
    check_size(bytes, "ask for fewer rows (a limit) or one kind");
    std::vector<RunningRow> out;
    out.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const LiveActivity& r = rows[i];
        double elapsed = static_cast<double>(std::max<Micros>(0, now - r.start)) / 1e6;
        out.emplace_back(std::string(to_string(r.kind)), r.name, r.path, static_cast<std::uint64_t>(std::max<Micros>(0, r.start)),
                         elapsed, r.user, r.trusted, r.machine, r.phase, r.done, r.expected, expected.at(i));
    }
    return out;
}

Windows windows(const queries::ComparisonResult& result) {
    return Windows(store::day_label(result.old_days.first), store::day_label(result.old_days.last),
                   store::day_label(result.new_days.first), store::day_label(result.new_days.last));
}

namespace {

std::string_view direction_name(Direction direction) {
    switch (direction) {
    case Direction::in: return "in";
    case Direction::out: return "out";
    case Direction::none: break;
    }
    return "";
}

}  // namespace

// Small whatever the history: at most kinds × outcomes × directions activities, kinds durations, 17
// substituters × outcomes, kinds running.
Totals totals(const store::Lifetime& lifetime, const std::vector<LiveActivity>& running) {
    Totals out;
    auto& [bounds, activities, durations, substituters, running_kinds] = out;
    for (Micros bound : store::lifetime_bucket_bounds_us) bounds.push_back(static_cast<double>(bound) / 1e6);
    for (const auto& a : lifetime.activities)
        activities.emplace_back(std::string(to_string(a.kind)), std::string(to_string(a.outcome)),
                                std::string(direction_name(a.direction)), a.count, a.timed, a.duration_us, a.bytes,
                                a.download_bytes);
    for (const auto& d : lifetime.durations)
        durations.emplace_back(std::string(to_string(d.kind)), std::vector<std::uint64_t>(d.buckets.begin(), d.buckets.end()));
    for (const auto& t : lifetime.substituters)
        substituters.emplace_back(t.substituter, std::string(to_string(t.outcome)), t.count, t.bytes, t.download_bytes);
    std::array<std::uint32_t, kind_count> per_kind{};
    for (const auto& r : running) ++per_kind.at(static_cast<std::size_t>(r.kind));
    for (int k = 0; k < kind_count; ++k)
        running_kinds.emplace_back(std::string(to_string(static_cast<Kind>(k))), per_kind[static_cast<std::size_t>(k)]);
    return out;
}

}  // namespace nod::wire
