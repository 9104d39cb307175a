#include "queries/caches.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "queries/names.hpp"
#include "stats/mann_whitney.hpp"

namespace nod::queries {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

}  // namespace

CachesResult caches(const store::Database& db, const CachesRequest& request, Micros now) {
    store::sql::Transaction snapshot(db.handle(), db.context(), false);
    CachesResult result;
    result.days = resolve(db, request.window, now);
    auto rows = db.prepare(std::string("SELECT r.kind, r.machine_id, r.duration, r.outcome, r.bytes, r.download_bytes "
                                       "FROM rows AS r INDEXED BY rows_by_day WHERE r.day BETWEEN ?1 AND ?2 AND "
                                       "r.kind IN (0, 1) AND ") +
                           row_filter_sql);
    rows.bind(1, std::int64_t{result.days.first}).bind(2, std::int64_t{result.days.last});
    bind_row_filter(rows, request.filter);
    struct Gathered {
        CacheFigures figures;
        std::vector<double> throughputs;
    };
    std::map<std::int64_t, Gathered> by_machine;  // this_machine_id: a substitution with no substituter named
    while (rows.step()) {
        auto kind = static_cast<Kind>(rows.column_int(0));
        auto outcome = static_cast<Outcome>(rows.column_int(3));
        if (kind == Kind::build) {
            if (outcome == Outcome::succeeded) ++result.built;
            continue;
        }
        Gathered& g = by_machine[rows.column_is_null(1) ? this_machine_id : rows.column_int(1)];
        if (outcome == Outcome::failed) {
            ++g.figures.failed;
        } else if (outcome != Outcome::succeeded) {
            ++g.figures.other;
        } else {
            ++g.figures.substituted;
            ++result.substituted;
            auto bytes = static_cast<std::uint64_t>(rows.column_int(4));
            auto download = static_cast<std::uint64_t>(rows.column_int(5));
            g.figures.bytes = std::min(g.figures.bytes + bytes, std::uint64_t{INT64_MAX});
            g.figures.download_bytes = std::min(g.figures.download_bytes + download, std::uint64_t{INT64_MAX});
            if (!rows.column_is_null(2) && rows.column_int(2) > 0 && download > 0)
                g.throughputs.push_back(static_cast<double>(download) / (static_cast<double>(rows.column_int(2)) / 1e6));
        }
    }
    NameMap names = machine_names(db);
    for (auto& [id, g] : by_machine) {
        g.figures.substituter = names[id];
        g.figures.median_throughput = stats::median(g.throughputs);
        g.figures.share = result.substituted == 0 ? nan
                                                  : static_cast<double>(g.figures.substituted) /
                                                        static_cast<double>(result.substituted);
        result.caches.push_back(std::move(g.figures));
    }
    std::stable_sort(result.caches.begin(), result.caches.end(), [](const CacheFigures& a, const CacheFigures& b) {
        return a.substituted != b.substituted ? a.substituted > b.substituted : a.substituter < b.substituter;
    });
    std::uint64_t realised = result.substituted + result.built;
    result.hit_rate = realised == 0 ? nan : static_cast<double>(result.substituted) / static_cast<double>(realised);
    snapshot.commit();
    return result;
}

}  // namespace nod::queries
