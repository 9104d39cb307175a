#include "api/options.hpp"

#include <algorithm>
#include <initializer_list>
#include <string_view>

namespace nod::api {

namespace {

// Values are bounded so that no window reaches back past the epoch or overflows a day count.
constexpr std::uint32_t max_days = 100'000;
constexpr std::uint32_t max_months = 3'000;

std::string_view signature_of(const OptionValue& v) {
    struct {
        std::string_view operator()(std::uint32_t) const { return "u"; }
        std::string_view operator()(const std::string&) const { return "s"; }
        std::string_view operator()(bool) const { return "b"; }
        std::string_view operator()(const OtherType& o) const { return o.signature; }
    } visitor;
    return std::visit(visitor, v);
}

void only_known(const OptionMap& options, std::initializer_list<std::string_view> known, std::string_view method) {
    for (const auto& [key, value] : options) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            throw InvalidOptions("unknown option '" + key + "' for " + std::string(method) + " (known: " + list + ")");
        }
    }
}

template <typename T>
std::optional<T> get(const OptionMap& options, const std::string& key, std::string_view wanted) {
    auto it = options.find(key);
    if (it == options.end()) return std::nullopt;
    if (const T* v = std::get_if<T>(&it->second)) return *v;
    throw InvalidOptions("option '" + key + "' must be of type '" + std::string(wanted) + "', not '" +
                         std::string(signature_of(it->second)) + "'");
}

queries::Window window(const OptionMap& options, std::optional<queries::Window> fallback) {
    auto days = get<std::uint32_t>(options, "days", "u");
    auto months = get<std::uint32_t>(options, "months", "u");
    if (days && months) throw InvalidOptions("options 'days' and 'months' exclude each other");
    if (days) {
        if (*days < 1 || *days > max_days)
            throw InvalidOptions("option 'days' must be between 1 and " + std::to_string(max_days));
        return queries::Window::last_days(static_cast<int>(*days));
    }
    if (months) {
        if (*months < 1 || *months > max_months)
            throw InvalidOptions("option 'months' must be between 1 and " + std::to_string(max_months));
        return queries::Window::last_months(static_cast<int>(*months));
    }
    return fallback.value_or(queries::Window::all_time());
}

std::string drv(const OptionMap& options) {
    auto text = get<std::string>(options, "drv", "s").value_or("");
    if (text.size() > 4096) throw InvalidOptions("option 'drv' is longer than 4096 bytes");
    return text;
}

std::optional<Kind> kind(const OptionMap& options) {
    auto text = get<std::string>(options, "kind", "s");
    if (!text) return std::nullopt;
    if (auto k = kind_from_string(*text)) return k;
    throw InvalidOptions("option 'kind' must be build, substitute, copy or post-build-hook, not '" + *text + "'");
}

// uid and trusted: what only the rows know.
queries::RowFilter row_filter(const OptionMap& options) {
    queries::RowFilter f;
    f.user = get<std::uint32_t>(options, "uid", "u");
    f.trusted_only = get<bool>(options, "trusted", "b").value_or(false);
    auto machine = get<std::string>(options, "machine", "s");
    auto substituter = get<std::string>(options, "substituter", "s");
    if (machine && substituter) throw InvalidOptions("options 'machine' and 'substituter' exclude each other");
    if (substituter && substituter->empty())
        throw InvalidOptions("option 'substituter' must name one (a URI such as https://cache.nixos.org)");
    f.machine = machine ? machine : substituter;
    f.substitutions_only = substituter.has_value();
    if (f.machine && f.machine->size() > 4096)
        throw InvalidOptions(std::string("option '") + (machine ? "machine" : "substituter") + "' is longer than 4096 bytes");
    return f;
}

// group (b) is group_by=name, as before group_by was there.
queries::GroupBy group_by(const OptionMap& options) {
    bool group = get<bool>(options, "group", "b").value_or(false);
    auto text = get<std::string>(options, "group_by", "s");
    if (!text) return group ? queries::GroupBy::name : queries::GroupBy::none;
    queries::GroupBy by;
    if (*text == "name") by = queries::GroupBy::name;
    else if (*text == "user") by = queries::GroupBy::user;
    else if (*text == "machine") by = queries::GroupBy::machine;
    else if (*text == "substituter") by = queries::GroupBy::substituter;
    else throw InvalidOptions("option 'group_by' must be name, user, machine or substituter, not '" + *text + "'");
    if (group && by != queries::GroupBy::name)
        throw InvalidOptions("options 'group' and 'group_by' disagree (group is group_by=name)");
    return by;
}

queries::SortBy sort(const OptionMap& options) {
    auto text = get<std::string>(options, "sort", "s").value_or("count");
    if (text == "count") return queries::SortBy::count;
    if (text == "time") return queries::SortBy::time;
    if (text == "name") return queries::SortBy::name;
    throw InvalidOptions("option 'sort' must be count, time or name, not '" + text + "'");
}

}  // namespace

StatsQuery parse_stats(const OptionMap& options) {
    only_known(options,
               {"days", "months", "drv", "kind", "group", "group_by", "sort", "limit", "uid", "trusted", "machine",
                "substituter"},
               "Stats");
    StatsQuery q;
    q.request.window = window(options, std::nullopt);
    q.request.name_filter = drv(options);
    q.request.filter = row_filter(options);
    q.request.group_by = group_by(options);
    q.request.sort = sort(options);
    q.request.limit = get<std::uint32_t>(options, "limit", "u").value_or(0);
    q.kind = kind(options);
    return q;
}

BucketQuery parse_bucket(const std::string& unit, const OptionMap& options) {
    only_known(options, {"days", "months", "drv", "kind", "uid", "trusted", "machine", "substituter"}, "Bucket");
    BucketQuery q;
    if (unit == "day") q.request.unit = queries::BucketUnit::day;
    else if (unit == "week") q.request.unit = queries::BucketUnit::week;
    else if (unit == "month") q.request.unit = queries::BucketUnit::month;
    else throw InvalidOptions("unit must be day, week or month, not '" + unit + "'");
    q.request.window = window(options, std::nullopt);
    q.request.name_filter = drv(options);
    q.request.filter = row_filter(options);
    q.kind = kind(options);
    return q;
}

TestQuery parse_test(const OptionMap& options) {
    only_known(options, {"days", "months", "drv", "kind", "group", "uid", "trusted", "machine", "substituter"}, "Test");
    TestQuery q;
    q.request.window = window(options, queries::Window::last_days(30));
    q.request.name_filter = drv(options);
    q.request.filter = row_filter(options);
    q.request.group_by_name = get<bool>(options, "group", "b").value_or(false);
    q.kind = kind(options);
    return q;
}

queries::EstimateRequest parse_estimate(std::vector<std::string> names, const OptionMap& options) {
    only_known(options, {"kind", "uid", "trusted"}, "Estimate");
    if (names.size() > queries::max_estimate_names)
        throw InvalidOptions("at most " + std::to_string(queries::max_estimate_names) + " names per call, not " +
                             std::to_string(names.size()));
    queries::EstimateRequest r;
    r.names = std::move(names);
    r.kind = kind(options).value_or(Kind::build);
    r.filter = row_filter(options);
    return r;
}

queries::RunningRequest parse_running(const OptionMap& options) {
    only_known(options, {"kind", "uid", "trusted", "limit"}, "Running");
    queries::RunningRequest r;
    r.kind = kind(options);
    auto filter = row_filter(options);
    r.user = filter.user;
    r.trusted_only = filter.trusted_only;
    if (auto limit = get<std::uint32_t>(options, "limit", "u")) {
        if (*limit < 1 || *limit > queries::max_running_rows)
            throw InvalidOptions("option 'limit' must be between 1 and " + std::to_string(queries::max_running_rows));
        r.limit = *limit;
    }
    return r;
}

queries::CachesRequest parse_caches(const OptionMap& options) {
    only_known(options, {"days", "months", "uid", "trusted"}, "Caches");
    queries::CachesRequest r;
    r.window = window(options, std::nullopt);
    r.filter = row_filter(options);
    return r;
}

queries::CleanRequest parse_clean(const OptionMap& options) {
    only_known(options, {"before_days"}, "Clean");
    queries::CleanRequest r;
    if (auto days = get<std::uint32_t>(options, "before_days", "u")) {
        if (*days > max_days) throw InvalidOptions("option 'before_days' must be at most " + std::to_string(max_days));
        r.before_days = static_cast<int>(*days);
    }
    return r;
}

}  // namespace nod::api
