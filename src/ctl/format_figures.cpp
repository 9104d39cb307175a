#include "ctl/format_figures.hpp"

#include <algorithm>

#include "ctl/format_csv.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

namespace {

// Columns of the figures shared by both tables. Rarely used ones appear only when some row needs them.
struct Shape {
    bool bucket = false;
    bool name = false;
    bool untimed = false;
    bool download = false;
};

Shape shape_of(const std::vector<FigureRow>& rows, bool bucket, bool name) {
    Shape s{bucket, name, false, false};
    for (const auto& r : rows) {
        s.untimed = s.untimed || r.unknown_duration > 0;
        s.download = s.download || r.download_bytes > 0;
    }
    return s;
}

std::vector<Column> columns_of(const Shape& s) {
    std::vector<Column> c;
    if (s.bucket) c.push_back({"BUCKET", Align::left});
    c.push_back({"KIND", Align::left});
    if (s.name) c.push_back({"NAME", Align::left});
    for (const char* h : {"COUNT", "FAILED", "CANCELLED"}) c.push_back({h, Align::right});
    if (s.untimed) c.push_back({"UNTIMED", Align::right});
    for (const char* h : {"TOTAL", "MEAN", "P50", "P90", "MAX", "BYTES"}) c.push_back({h, Align::right});
    if (s.download) c.push_back({"DOWNLOADED", Align::right});
    return c;
}

std::vector<Cell> cells_of(const Shape& s, const FigureRow& r, bool percentiles = true) {
    std::vector<Cell> c;
    if (s.bucket) c.push_back({r.bucket});
    c.push_back({r.kind});
    if (s.name) c.push_back({r.name});
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
    c.push_back({human_bytes(r.bytes)});
    if (s.download) c.push_back({human_bytes(r.download_bytes)});
    return c;
}

// The per-kind rows added up; percentiles of different kinds do not add, so they stay empty.
FigureRow total_of(const std::vector<FigureRow>& rows) {
    FigureRow t;
    t.kind = "total";
    for (const auto& r : rows) {
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

std::vector<std::string> csv_header(bool bucket, bool name) {
    std::vector<std::string> h;
    if (bucket) h.push_back("bucket");
    h.push_back("kind");
    if (name) h.push_back("name");
    for (const char* f : {"count", "failed", "cancelled", "unknown_duration", "total_seconds", "mean_seconds",
                          "p50_seconds", "p90_seconds", "max_seconds", "bytes", "download_bytes"})
        h.push_back(f);
    return h;
}

std::vector<std::string> csv_fields(const FigureRow& r, bool bucket, bool name) {
    std::vector<std::string> f;
    if (bucket) f.push_back(r.bucket);
    f.push_back(r.kind);
    if (name) f.push_back(r.name);
    for (auto n : {r.count, r.failed, r.cancelled, r.unknown_duration}) f.push_back(std::to_string(n));
    for (auto s : {r.total_seconds, r.mean_seconds, r.p50_seconds, r.p90_seconds, r.max_seconds})
        f.push_back(machine_seconds(s));
    f.push_back(std::to_string(r.bytes));
    f.push_back(std::to_string(r.download_bytes));
    return f;
}

}  // namespace

std::string window_text(const Window& window) {
    if (window.first_day.empty() && window.last_day.empty()) return "all time";
    return window.first_day + " to " + window.last_day;
}

std::string stats_table(const StatsResult& result, const ViewOptions& view) {
    Shape s = shape_of(result.rows, false, result.grouped);
    Table table(columns_of(s));
    for (const auto& r : result.rows) table.add_row(cells_of(s, r));
    std::string out;
    bool total = view.legend && !result.grouped && result.rows.size() > 1;
    if (total) {
        FigureRow t = total_of(result.rows);
        auto cells = cells_of(s, t, false);
        for (auto& c : cells)
            if (c.style == Style::plain) c.style = Style::bold;
        table.add_row(std::move(cells));
    }
    out = table.render(view.legend, view.color);
    if (view.legend) {
        std::size_t n = result.rows.size();
        out += "\n" + std::to_string(n) + (result.grouped ? (n == 1 ? " name" : " names") : (n == 1 ? " kind" : " kinds")) +
               ", " + window_text(result.window) + ".\n";
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
    Shape s = shape_of(result.rows, true, false);
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
    std::string out = csv_record(csv_header(false, result.grouped));
    for (const auto& r : result.rows) out += csv_record(csv_fields(r, false, result.grouped));
    return out;
}

std::string bucket_csv(const BucketResult& result) {
    std::string out = csv_record(csv_header(true, false));
    for (const auto& r : result.rows) out += csv_record(csv_fields(r, true, false));
    return out;
}

}  // namespace nod::ctl
