#include "queries/estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include "queries/window.hpp"

namespace nod::queries {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

struct Run {
    Micros duration;
    Micros start;  // day and offset, comparable within the database
};

// Successful runs of one name, one index lookup per day that has rows of the kind (the CROSS JOIN keeps
// that order).
class RunReader {
public:
    RunReader(const store::Database& db, const EstimateRequest& request)
        : runs_(db.prepare(std::string("SELECT r.duration, r.day, r.start_offset FROM day_totals AS d CROSS JOIN "
                                       "rows AS r INDEXED BY rows_by_day ON r.day = d.day AND r.kind = d.kind "
                                       "AND r.name_id = ?2 WHERE d.kind = ?1 AND r.outcome = 0 AND "
                                       "r.duration IS NOT NULL AND ") +
                           row_filter_sql)),
          id_of_(db.prepare("SELECT id FROM names WHERE name = ?1")),
          versions_(db.prepare("SELECT id, name FROM names WHERE name >= ?1 AND name < ?2 ORDER BY id DESC LIMIT ?3")),
          kind_(static_cast<std::int64_t>(request.kind)),
          filter_(request.filter) {}

    std::optional<std::int64_t> id_of(const std::string& name) {
        id_of_.reset();
        id_of_.bind(1, name);
        if (!id_of_.step()) return std::nullopt;
        return id_of_.column_int(0);
    }

    void add_runs(std::int64_t name_id, std::vector<Run>& out) {
        runs_.reset();
        runs_.bind(1, kind_);
        runs_.bind(2, name_id);
        bind_row_filter(runs_, filter_);
        while (runs_.step())
            out.push_back({runs_.column_int(0), runs_.column_int(1) * 86'400'000'000LL + runs_.column_int(2)});
    }

    // The ids of other names of the package `package`, newest first, at most max_package_versions.
    std::vector<std::int64_t> versions(std::string_view package, const std::string& except) {
        std::vector<std::int64_t> ids;
        versions_.reset();
        versions_.bind(1, std::string(package) + "-");
        versions_.bind(2, std::string(package) + ".");  // '.' follows '-'
        // Names that share the prefix but not the package ("hello-world-1" for "hello") are skipped; read a
        // bounded number of candidates for them.
        versions_.bind(3, static_cast<std::int64_t>(max_package_versions * 16));
        while (versions_.step() && ids.size() < max_package_versions) {
            std::string name(versions_.column_text(1));
            if (name != except && package_name(name) == package) ids.push_back(versions_.column_int(0));
        }
        return ids;
    }

private:
    store::sql::Statement runs_, id_of_, versions_;
    std::int64_t kind_;
    RowFilter filter_;
};

double seconds(double us) { return us / 1e6; }

// Linear interpolation between the closest ranks of the sorted durations (numpy's default), at the
// quantile numerator / denominator, in integers until the last step so that it is exact.
double quantile(const std::vector<Micros>& sorted, std::int64_t numerator, std::int64_t denominator) {
    std::int64_t position = numerator * static_cast<std::int64_t>(sorted.size() - 1);
    auto below = static_cast<std::size_t>(position / denominator);
    std::int64_t remainder = position % denominator;
    std::size_t above = std::min(below + 1, sorted.size() - 1);
    return (static_cast<double>(sorted[below]) * static_cast<double>(denominator) +
            static_cast<double>(sorted[above] - sorted[below]) * static_cast<double>(remainder)) /
           static_cast<double>(denominator);
}

void summarise(std::vector<Run>& runs, EstimateBasis basis, Estimate& e) {
    e.basis = basis;
    e.count = runs.size();
    auto last = std::max_element(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.start < b.start; });
    e.last_seconds = seconds(static_cast<double>(last->duration));
    std::vector<Micros> sorted;
    sorted.reserve(runs.size());
    for (const Run& r : runs) sorted.push_back(r.duration);
    std::sort(sorted.begin(), sorted.end());
    e.median_seconds = seconds(quantile(sorted, 1, 2));
    e.p90_seconds = seconds(quantile(sorted, 9, 10));
}

Estimate estimate_one(RunReader& reader, const std::string& name) {
    Estimate e;
    e.name = name;
    e.median_seconds = e.p90_seconds = e.last_seconds = nan;
    std::vector<Run> runs;
    if (auto id = reader.id_of(name)) reader.add_runs(*id, runs);
    if (!runs.empty()) {
        summarise(runs, EstimateBasis::name, e);
        return e;
    }
    std::string_view package = package_name(name);
    if (package.size() == name.size()) return e;
    for (std::int64_t id : reader.versions(package, name)) reader.add_runs(id, runs);
    if (!runs.empty()) summarise(runs, EstimateBasis::package, e);
    return e;
}

}  // namespace

std::string_view to_string(EstimateBasis basis) {
    switch (basis) {
    case EstimateBasis::none: return "none";
    case EstimateBasis::name: return "name";
    case EstimateBasis::package: return "package";
    }
    return "none";
}

std::string_view package_name(std::string_view name) {
    for (std::size_t i = 0; i + 1 < name.size(); ++i) {
        if (name[i] == '-' && !std::isalpha(static_cast<unsigned char>(name[i + 1]))) return name.substr(0, i);
    }
    return name;
}

std::vector<Estimate> estimate(const store::Database& db, const EstimateRequest& request) {
    if (request.names.size() > max_estimate_names)
        throw InvalidArgument("at most " + std::to_string(max_estimate_names) + " names per call, not " +
                              std::to_string(request.names.size()));
    RunReader reader(db, request);
    std::unordered_map<std::string, Estimate> done;
    std::vector<Estimate> out;
    out.reserve(request.names.size());
    for (const std::string& name : request.names) {
        auto it = done.find(name);
        if (it == done.end()) it = done.emplace(name, estimate_one(reader, name)).first;
        out.push_back(it->second);
    }
    return out;
}

}  // namespace nod::queries
