#include "queries/running.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>

#include "queries/estimate.hpp"

namespace nod::queries {

RunningSelection select_running(std::vector<LiveActivity> live, const RunningRequest& request) {
    std::erase_if(live, [&](const LiveActivity& a) {
        return (request.kind && a.kind != *request.kind) || (request.user && a.user != *request.user) ||
               (request.trusted_only && !a.trusted);
    });
    RunningSelection s;
    s.matching = live.size();
    std::size_t keep = std::min<std::size_t>(live.size(), std::min(request.limit, max_running_rows));
    auto older = [](const LiveActivity& a, const LiveActivity& b) {
        return a.start != b.start ? a.start < b.start : a.path < b.path;
    };
    std::partial_sort(live.begin(), live.begin() + static_cast<std::ptrdiff_t>(keep), live.end(), older);
    live.resize(keep);
    s.rows = std::move(live);
    return s;
}

std::vector<double> expected_seconds(const store::Database& db, const std::vector<LiveActivity>& rows,
                                     bool trusted_history) {
    // One Estimate per kind, each name once.
    std::map<Kind, std::vector<std::string>> names;
    for (const auto& r : rows) {
        auto& list = names[r.kind];
        if (std::find(list.begin(), list.end(), r.name) == list.end()) list.push_back(r.name);
    }
    std::map<std::pair<Kind, std::string>, double> median;
    for (auto& [kind, list] : names) {
        RowFilter filter;
        filter.trusted_only = trusted_history;
        for (auto& e : estimate(db, {.names = list, .kind = kind, .filter = filter}))
            median[{kind, e.name}] = e.median_seconds;
    }
    std::vector<double> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(median.at({r.kind, r.name}));
    return out;
}

}  // namespace nod::queries
