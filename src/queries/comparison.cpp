#include "queries/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <exception>
#include <thread>
#include <utility>

#include "queries/names.hpp"
#include "queries/window_samples.hpp"

namespace nod::queries {

namespace {

constexpr double micros_per_second = 1e6;
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
// The Hodges-Lehmann shift costs far more than the U test on large samples (it selects among n*m pairwise
// differences); above this many values in total only Cliff's delta is given as the effect size.
constexpr std::size_t shift_limit = 20'000;

std::vector<double> to_seconds(const std::vector<Micros>& durations) {
    std::vector<double> seconds;
    seconds.reserve(durations.size());
    for (Micros d : durations) seconds.push_back(static_cast<double>(d) / micros_per_second);
    return seconds;
}

// Reads the prior window on a second read-only connection in a helper thread while this thread reads the
// current one: the two halves of the work are independent and the machine has more than one core.
// (The two connections may see snapshots a few commits apart; new rows only ever add to the current window.)
std::pair<WindowSamples, WindowSamples> read_both_windows(const store::Database& db, DayRange old_days,
                                                          DayRange new_days, const NameMap* filter,
                                                          const RowFilter& rows, bool per_name) {
    WindowSamples old_samples;
    std::exception_ptr failure;
    std::thread helper([&] {
        try {
            store::Database other(db.path(), store::Access::read_only);
            other.set_deadline(db.deadline());
            old_samples = read_window_samples(other, old_days, filter, rows, per_name);
        } catch (...) {
            failure = std::current_exception();
        }
    });
    WindowSamples new_samples;
    try {
        new_samples = read_window_samples(db, new_days, filter, rows, per_name);
    } catch (...) {
        helper.join();
        throw;
    }
    helper.join();
    if (failure) std::rethrow_exception(failure);
    return {std::move(old_samples), std::move(new_samples)};
}

// The kinds are compared two at a time: the large samples of a busy history make this the costly part.
std::vector<Comparison> compare_kinds(const ComparisonSamples& samples) {
    std::vector<Comparison> result(kind_count);
    auto compare = [&](std::size_t kind) {
        result[kind] = compare_samples(static_cast<Kind>(kind), {}, samples.kinds[kind]);
    };
    // Substitutions and builds are most of the rows: one thread takes substitutions, the other the rest.
    std::thread helper([&] { compare(static_cast<std::size_t>(Kind::substitute)); });
    for (std::size_t kind = 0; kind < kind_count; ++kind)
        if (kind != static_cast<std::size_t>(Kind::substitute)) compare(kind);
    helper.join();
    return result;
}

}  // namespace

ComparisonSamples collect_comparison_samples(const store::Database& db, const ComparisonRequest& request, Micros now) {
    ComparisonSamples result;
    result.new_days = resolve(db, request.window, now);
    result.old_days = prior(db, request.window, now);
    bool filtered = !request.name_filter.empty();
    NameMap names;
    if (filtered || request.group_by_name) names = matching_names(db, request.name_filter);
    auto [old_samples, new_samples] =
        read_both_windows(db, result.old_days, result.new_days, filtered ? &names : nullptr, request.filter,
                          request.group_by_name);
    for (std::size_t kind = 0; kind < kind_count; ++kind) {
        // Sorted samples make every sort inside the statistics (U ranks, medians, Cliff's delta) cheap.
        result.kinds[kind] = {to_seconds(old_samples.kinds[kind]), to_seconds(new_samples.kinds[kind])};
        for (auto* window : {&old_samples, &new_samples}) {
            bool is_old = window == &old_samples;
            for (auto& [name_id, durations] : window->names[kind]) {
                auto name = names.find(name_id);
                if (name == names.end()) continue;
                Samples& samples = result.names[{static_cast<int>(kind), name->second}];
                (is_old ? samples.old_seconds : samples.new_seconds) = to_seconds(durations);
            }
        }
    }
    return result;
}

Comparison compare_samples(Kind kind, std::string name, const Samples& samples) {
    Comparison c;
    c.kind = kind;
    c.name = std::move(name);
    auto test = stats::mann_whitney(samples.old_seconds, samples.new_seconds);
    c.n_old = test.n_old;
    c.n_new = test.n_new;
    c.median_old_seconds = stats::median(samples.old_seconds);
    c.median_new_seconds = stats::median(samples.new_seconds);
    c.change_percent = std::isfinite(c.median_old_seconds) && std::isfinite(c.median_new_seconds) &&
                               c.median_old_seconds > 0
                           ? 100.0 * (c.median_new_seconds - c.median_old_seconds) / c.median_old_seconds
                           : not_a_number;
    c.p_value = test.p_value;
    c.p_adjusted = test.p_value;
    c.method = test.method;
    c.too_few_samples = test.too_few_samples;
    c.significant = !c.too_few_samples && c.p_value < stats::mann_whitney_alpha;
    // Cliff's delta is P(new > old) - P(new < old) = (2U - n m) / (n m) with U counting ties as 1/2: derived
    // from the U already computed instead of ranking both samples a second time.
    double pairs = static_cast<double>(test.n_old) * static_cast<double>(test.n_new);
    c.cliffs_delta = pairs > 0 ? (2.0 * test.u - pairs) / pairs : not_a_number;
    c.shift_seconds = samples.old_seconds.size() + samples.new_seconds.size() <= shift_limit
                          ? stats::hodges_lehmann_shift(samples.old_seconds, samples.new_seconds)
                          : not_a_number;
    return c;
}

ComparisonResult compare_windows(const store::Database& db, const ComparisonRequest& request, Micros now) {
    ComparisonSamples samples = collect_comparison_samples(db, request, now);
    ComparisonResult result;
    result.old_days = samples.old_days;
    result.new_days = samples.new_days;
    result.kinds = compare_kinds(samples);
    if (!request.group_by_name) return result;
    std::vector<double> p_values;
    for (const auto& [key, name_samples] : samples.names) {
        result.names.push_back(compare_samples(static_cast<Kind>(key.first), key.second, name_samples));
        // Names that cannot reach significance are not hypotheses: they must not make the others stricter.
        p_values.push_back(result.names.back().too_few_samples ? not_a_number : result.names.back().p_value);
    }
    std::vector<double> adjusted = stats::holm_adjust(p_values);
    for (std::size_t i = 0; i < result.names.size(); ++i) {
        Comparison& c = result.names[i];
        c.p_adjusted = std::isnan(adjusted[i]) ? c.p_value : adjusted[i];
        c.significant = !c.too_few_samples && c.p_adjusted < stats::mann_whitney_alpha;
    }
    return result;
}

}  // namespace nod::queries
