#include "ctl/format_figures.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "ctl/format_csv.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

namespace {

// Columns of the figures shared by both tables. Rarely used ones appear only when some row needs them.
struct Shape {
    bool bucket = false;
    GroupBy group = GroupBy::none;  // a NAME or USER column
    bool untimed = false;
    bool download = false;
    bool cpu = false;  // a CPU column: some row had CPU times (Determinate Nix)
};

// CPU time, user and system together; NaN when the group had none.
double cpu_seconds(const FigureRow& r) {
    if (std::isnan(r.cpu_user_seconds) && std::isnan(r.cpu_system_seconds)) return NAN;
    return (std::isnan(r.cpu_user_seconds) ? 0 : r.cpu_user_seconds) +
           (std::isnan(r.cpu_system_seconds) ? 0 : r.cpu_system_seconds);
}

Shape shape_of(const std::vector<FigureRow>& rows, bool bucket, GroupBy group) {
    Shape s{bucket, group, false, false, false};
    for (const auto& r : rows) {
        s.untimed = s.untimed || r.unknown_duration > 0;
        s.download = s.download || r.download_bytes > 0;
        s.cpu = s.cpu || !std::isnan(cpu_seconds(r));
    }
    return s;
}

std::vector<Column> columns_of(const Shape& s) {
    std::vector<Column> c;
    if (s.bucket) c.push_back({"BUCKET", Align::left});
    c.push_back({"KIND", Align::left});
    if (s.group == GroupBy::name) c.push_back({"NAME", Align::left});
    if (s.group == GroupBy::user) c.push_back({"USER", Align::left});
    if (s.group == GroupBy::machine) c.push_back({"MACHINE", Align::left});
    if (s.group == GroupBy::substituter) c.push_back({"SUBSTITUTER", Align::left});
    for (const char* h : {"COUNT", "FAILED", "CANCELLED"}) c.push_back({h, Align::right});
    if (s.untimed) c.push_back({"UNTIMED", Align::right});
    for (const char* h : {"TOTAL", "MEAN", "P50", "P90", "MAX"}) c.push_back({h, Align::right});
    if (s.cpu) c.push_back({"CPU", Align::right});
    c.push_back({"BYTES", Align::right});
    if (s.download) c.push_back({"DOWNLOADED", Align::right});
    return c;
}

std::vector<Cell> cells_of(const Shape& s, const FigureRow& r, bool percentiles = true) {
    std::vector<Cell> c;
    if (s.bucket) c.push_back({r.bucket});
    c.push_back({r.kind});
    if (s.group == GroupBy::name) c.push_back({r.name});
    if (s.group == GroupBy::user) c.push_back({r.user});
    if (s.group == GroupBy::machine || s.group == GroupBy::substituter)
        c.push_back({r.name.empty() ? "(this machine)" : r.name});
    c.push_back({std::to_string(r.count)});
    c.push_back({std::to_string(r.failed), r.failed > 0 ? Style::red : Style::plain});
    c.push_back({std::to_string(r.cancelled)});
    if (s.untimed) c.push_back({std::to_string(r.unknown_duration)});
    bool timed = r.count > r.unknown_duration;
    auto time = [&](double v) { return Cell{timed ? human_duration(v) : "-"}; };
    c.push_back(time(r.total_seconds));
    c.push_back(time(r.mean_seconds));
    c.push_back(percentiles ? time(r.p50_seconds) : Cell{""});
    c.push_back(percentiles ? time(r.p90_seconds) : Cell{""});
    c.push_back(time(r.max_seconds));
    if (s.cpu) c.push_back({human_duration(cpu_seconds(r))});  // "-" for NaN
    c.push_back({human_bytes(r.bytes)});
    if (s.download) c.push_back({human_bytes(r.download_bytes)});
    return c;
}

// The per-kind rows added up; percentiles of different kinds do not add, so they stay empty.
FigureRow total_of(const std::vector<FigureRow>& rows) {
    FigureRow t;
    t.kind = "total";
    auto add = [](double& sum, double v) {
        if (!std::isnan(v)) sum = std::isnan(sum) ? v : sum + v;
    };
    for (const auto& r : rows) {
        add(t.cpu_user_seconds, r.cpu_user_seconds);
        add(t.cpu_system_seconds, r.cpu_system_seconds);
        t.count += r.count;
        t.failed += r.failed;
        t.cancelled += r.cancelled;
        t.unknown_duration += r.unknown_duration;
        t.total_seconds += r.total_seconds;
        t.max_seconds = std::max(t.max_seconds, r.max_seconds);
        t.bytes += r.bytes;
        t.download_bytes += r.download_bytes;
    }
    std::uint64_t timed = t.count - t.unknown_duration;
    t.mean_seconds = timed > 0 ? t.total_seconds / static_cast<double>(timed) : 0;
    return t;
}

std::vector<std::string> csv_header(bool bucket, GroupBy group) {
    std::vector<std::string> h;
    if (bucket) h.push_back("bucket");
    h.push_back("kind");
    if (group == GroupBy::name) h.push_back("name");
    if (group == GroupBy::user) {
        h.push_back("user");
        h.push_back("uid");
    }
    if (group == GroupBy::machine) h.push_back("machine");
    if (group == GroupBy::substituter) h.push_back("substituter");
    for (const char* f : {"count", "failed", "cancelled", "unknown_duration", "total_seconds", "mean_seconds",
                          "p50_seconds", "p90_seconds", "max_seconds", "bytes", "download_bytes",
                          "cpu_user_seconds", "cpu_system_seconds"})
        h.push_back(f);
    return h;
}

std::vector<std::string> csv_fields(const FigureRow& r, bool bucket, GroupBy group) {
    std::vector<std::string> f;
    if (bucket) f.push_back(r.bucket);
    f.push_back(r.kind);
    if (group == GroupBy::name) f.push_back(r.name);
    if (group == GroupBy::user) {
        f.push_back(r.user);
        f.push_back(std::to_string(r.uid));
    }
    if (group == GroupBy::machine || group == GroupBy::substituter) f.push_back(r.name);
    for (auto n : {r.count, r.failed, r.cancelled, r.unknown_duration}) f.push_back(std::to_string(n));
    for (auto s : {r.total_seconds, r.mean_seconds, r.p50_seconds, r.p90_seconds, r.max_seconds})
        f.push_back(machine_seconds(s));
    f.push_back(std::to_string(r.bytes));
    f.push_back(std::to_string(r.download_bytes));
    f.push_back(machine_seconds(r.cpu_user_seconds));  // "" when unknown
    f.push_back(machine_seconds(r.cpu_system_seconds));
    return f;
}

// "4 kinds", "12 names", "1 name"; per user, the users, not their rows (a user has one per kind).
std::string count_text(const StatsResult& result) {
    std::size_t n = result.rows.size();
    switch (result.group_by) {
    case GroupBy::none: return std::to_string(n) + (n == 1 ? " kind" : " kinds");
    case GroupBy::name: return std::to_string(n) + (n == 1 ? " name" : " names");
    case GroupBy::user: {
        std::set<std::uint32_t> users;
        for (const auto& r : result.rows) users.insert(r.uid);
        return std::to_string(users.size()) + (users.size() == 1 ? " user" : " users");
    }
    case GroupBy::machine:
    case GroupBy::substituter: {
        std::set<std::string> machines;
        for (const auto& r : result.rows) machines.insert(r.name);
        std::string what = result.group_by == GroupBy::machine ? " machine" : " substituter";
        return std::to_string(machines.size()) + what + (machines.size() == 1 ? "" : "s");
    }
    }
    return {};
}

}  // namespace

std::string window_text(const Window& window) {
    if (window.first_day.empty() && window.last_day.empty()) return "all time";
    return window.first_day + " to " + window.last_day;
}

std::string stats_table(const StatsResult& result, const ViewOptions& view) {
    Shape s = shape_of(result.rows, false, result.group_by);
    Table table(columns_of(s));
    for (const auto& r : result.rows) table.add_row(cells_of(s, r));
    std::string out;
    bool total = view.legend && result.group_by == GroupBy::none && result.rows.size() > 1;
    if (total) {
        FigureRow t = total_of(result.rows);
        auto cells = cells_of(s, t, false);
        for (auto& c : cells)
            if (c.style == Style::plain) c.style = Style::bold;
        table.add_row(std::move(cells));
    }
    out = table.render(view.legend, view.color);
    if (view.legend) {
        out += "\n" + count_text(result) + ", " + window_text(result.window) + ".\n";
    }
    return out;
}

std::string bucket_table(const BucketResult& result, const ViewOptions& view) {
    // A kind that has no row in the whole window would only add lines of zeros: it is left out (CSV and
    // JSON keep every row). The first kind stays when nothing ran at all, so that every bucket shows.
    std::vector<std::string> ran;
    for (const auto& r : result.rows)
        if (r.count > 0 && std::find(ran.begin(), ran.end(), r.kind) == ran.end()) ran.push_back(r.kind);
    if (ran.empty() && !result.rows.empty()) ran.push_back(result.rows.front().kind);
    Shape s = shape_of(result.rows, true, GroupBy::none);
    Table table(columns_of(s));
    for (const auto& r : result.rows)
        if (std::find(ran.begin(), ran.end(), r.kind) != ran.end()) table.add_row(cells_of(s, r));
    std::string out = table.render(view.legend, view.color);
    if (view.legend) {
        std::size_t buckets = 0;
        std::string last;
        for (const auto& r : result.rows) {
            if (r.bucket != last) ++buckets;
            last = r.bucket;
        }
        out += "\n" + std::to_string(buckets) + " " + result.unit + (buckets == 1 ? "" : "s") + ", " +
               window_text(result.window) + ".\n";
    }
    return out;
}

std::string stats_csv(const StatsResult& result) {
    std::string out = csv_record(csv_header(false, result.group_by));
    for (const auto& r : result.rows) out += csv_record(csv_fields(r, false, result.group_by));
    return out;
}

std::string bucket_csv(const BucketResult& result) {
    std::string out = csv_record(csv_header(true, GroupBy::none));
    for (const auto& r : result.rows) out += csv_record(csv_fields(r, true, GroupBy::none));
    return out;
}

}  // namespace nod::ctl
