#include "ctl/format_chart.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "ctl/format_figures.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

namespace {

// A bar of `eighths` eighths of a character: full blocks, then one partial block (U+2589..U+258F).
std::string bar(std::size_t eighths, bool unicode) {
    if (!unicode) return std::string((eighths + 4) / 8, '#');
    static const char* const partial[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    std::string out;
    for (std::size_t i = 0; i < eighths / 8; ++i) out += "█";
    return out + partial[eighths % 8];
}

}  // namespace

std::string bucket_chart(const BucketResult& result, const ViewOptions& view) {
    std::vector<std::pair<std::string, double>> series;  // bucket → seconds, oldest first
    std::string kinds;
    for (const auto& r : result.rows) {
        if (series.empty() || series.back().first != r.bucket) series.emplace_back(r.bucket, 0.0);
        series.back().second += r.total_seconds;
        if (kinds.empty()) kinds = r.kind;
        else if (kinds != r.kind) kinds = "all kinds";
    }
    std::size_t label_width = 0, value_width = 0;
    double longest = 0;
    std::vector<std::string> values;
    for (const auto& [bucket, seconds] : series) {
        label_width = std::max(label_width, display_width(bucket));
        values.push_back(human_duration(seconds));
        value_width = std::max(value_width, display_width(values.back()));
        longest = std::max(longest, seconds);
    }
    // label, two spaces, the bar, one space, the value; at least 10 columns for the bar.
    std::size_t used = label_width + 2 + 1 + value_width;
    std::size_t bar_width = view.width > used + 10 ? view.width - used : 10;

    std::string out;
    if (view.legend) {
        out += std::string(view.color ? "\x1b[1m" : "") + "Time per " + result.unit + " (" + kinds + "), " +
               window_text(result.window) + (view.color ? "\x1b[0m" : "") + "\n";
    }
    for (std::size_t i = 0; i < series.size(); ++i) {
        const auto& [bucket, seconds] = series[i];
        double share = longest > 0 ? seconds / longest : 0;
        auto eighths = static_cast<std::size_t>(std::llround(share * static_cast<double>(bar_width * 8)));
        std::string b = bar(eighths, view.unicode);
        std::string line = bucket + std::string(label_width - display_width(bucket) + 2, ' ') + b;
        line += std::string(bar_width - display_width(b) + 1 + value_width - display_width(values[i]), ' ');
        line += values[i];
        out += line + "\n";
    }
    if (view.legend) {
        double total = 0;
        for (const auto& s : series) total += s.second;
        out += "\nTotal " + human_duration(total) + " in " + std::to_string(series.size()) + " " + result.unit +
               (series.size() == 1 ? "" : "s") + ".\n";
    }
    return out;
}

}  // namespace nod::ctl
