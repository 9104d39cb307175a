#include "ctl/format_caches.hpp"

#include <cmath>

#include "ctl/format_csv.hpp"
#include "ctl/format_figures.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

namespace {

std::string percent(double share) {
    if (std::isnan(share)) return "-";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.1f%%", share * 100);
    return buffer;
}

std::string throughput(double bytes_per_second) {
    if (std::isnan(bytes_per_second)) return "-";
    return human_bytes(static_cast<std::uint64_t>(std::llround(bytes_per_second))) + "/s";
}

}  // namespace

std::string caches_table(const CachesResult& result, const ViewOptions& view) {
    Table table({{"SUBSTITUTER", Align::left},
                 {"PATHS", Align::right},
                 {"FAILED", Align::right},
                 {"SHARE", Align::right},
                 {"DOWNLOADED", Align::right},
                 {"NAR SIZE", Align::right},
                 {"THROUGHPUT", Align::right}});
    for (const auto& r : result.rows)
        table.add_row({{r.substituter.empty() ? "(unnamed)" : r.substituter},
                       {std::to_string(r.substituted)},
                       {std::to_string(r.failed), r.failed > 0 ? Style::red : Style::plain},
                       {percent(r.share)},
                       {human_bytes(r.download_bytes)},
                       {human_bytes(r.bytes)},
                       {throughput(r.median_throughput)}});
    std::string out = table.empty() ? "" : table.render(view.legend, view.color);
    if (view.legend) {
        out += (table.empty() ? "" : "\n") + std::string("Hit rate ") + percent(result.hit_rate) + ": " +
               std::to_string(result.substituted) + " substituted, " + std::to_string(result.built) + " built, " +
               window_text(result.window) + ".\n";
    }
    return out;
}

std::string caches_csv(const CachesResult& result) {
    std::string out = csv_record({"substituter", "substituted", "failed", "other", "bytes", "download_bytes",
                                  "median_throughput", "share"});
    for (const auto& r : result.rows)
        out += csv_record({r.substituter, std::to_string(r.substituted), std::to_string(r.failed), std::to_string(r.other),
                           std::to_string(r.bytes), std::to_string(r.download_bytes), machine_number(r.median_throughput),
                           machine_number(r.share)});
    return out;
}

}  // namespace nod::ctl
