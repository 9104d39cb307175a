#include "ctl/format_json.hpp"

#include <cmath>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nod::ctl {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, const char* name) { w.Key(name); }

void number(Writer& w, const char* name, double v) {
    w.Key(name);
    if (std::isfinite(v)) w.Double(v);
    else w.Null();
}

void number(Writer& w, const char* name, std::uint64_t v) {
    w.Key(name);
    w.Uint64(v);
}

void text(Writer& w, const char* name, const std::string& v) {
    w.Key(name);
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

void window(Writer& w, const char* name, const Window& win) {
    key(w, name);
    w.StartObject();
    // An all-time answer over an empty history has no days: null, not "".
    for (auto [k, v] : {std::pair{"first_day", &win.first_day}, std::pair{"last_day", &win.last_day}}) {
        w.Key(k);
        if (v->empty()) w.Null();
        else w.String(v->data(), static_cast<rapidjson::SizeType>(v->size()));
    }
    w.EndObject();
}

void figures(Writer& w, const FigureRow& r, bool bucket, GroupBy group) {
    w.StartObject();
    if (bucket) text(w, "bucket", r.bucket);
    text(w, "kind", r.kind);
    if (group == GroupBy::name) text(w, "name", r.name);
    if (group == GroupBy::user) {
        text(w, "user", r.user);
        number(w, "uid", std::uint64_t{r.uid});
    }
    if (group == GroupBy::machine) text(w, "machine", r.name);  // "" for this machine
    if (group == GroupBy::substituter) text(w, "substituter", r.name);
    number(w, "count", r.count);
    number(w, "failed", r.failed);
    number(w, "cancelled", r.cancelled);
    number(w, "unknown_duration", r.unknown_duration);
    number(w, "total_seconds", r.total_seconds);
    number(w, "mean_seconds", r.mean_seconds);
    number(w, "p50_seconds", r.p50_seconds);
    number(w, "p90_seconds", r.p90_seconds);
    number(w, "max_seconds", r.max_seconds);
    number(w, "bytes", r.bytes);
    number(w, "download_bytes", r.download_bytes);
    number(w, "cpu_user_seconds", r.cpu_user_seconds);  // null when unknown
    number(w, "cpu_system_seconds", r.cpu_system_seconds);
    w.EndObject();
}

std::string finish(const rapidjson::StringBuffer& buffer) { return std::string(buffer.GetString(), buffer.GetSize()) + "\n"; }

}  // namespace

std::string stats_json(const StatsResult& result) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    window(w, "window", result.window);
    key(w, "grouped");
    w.Bool(result.group_by != GroupBy::none);
    key(w, "group_by");
    switch (result.group_by) {
    case GroupBy::none: w.Null(); break;
    case GroupBy::name: w.String("name"); break;
    case GroupBy::user: w.String("user"); break;
    case GroupBy::machine: w.String("machine"); break;
    case GroupBy::substituter: w.String("substituter"); break;
    }
    key(w, "rows");
    w.StartArray();
    for (const auto& r : result.rows) figures(w, r, false, result.group_by);
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

std::string bucket_json(const BucketResult& result) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    text(w, "unit", result.unit);
    window(w, "window", result.window);
    key(w, "rows");
    w.StartArray();
    for (const auto& r : result.rows) figures(w, r, true, GroupBy::none);
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

std::string comparison_json(const ComparisonResult& result) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    key(w, "windows");
    w.StartObject();
    window(w, "old", result.old_window);
    window(w, "new", result.new_window);
    w.EndObject();
    key(w, "grouped");
    w.Bool(result.grouped);
    key(w, "rows");
    w.StartArray();
    for (const auto& r : result.rows) {
        w.StartObject();
        text(w, "kind", r.kind);
        if (result.grouped) text(w, "name", r.name);
        number(w, "n_old", r.n_old);
        number(w, "n_new", r.n_new);
        number(w, "median_old_seconds", r.median_old_seconds);
        number(w, "median_new_seconds", r.median_new_seconds);
        number(w, "change_percent", r.change_percent);
        number(w, "p_value", r.p_value);
        number(w, "p_adjusted", r.p_adjusted);
        key(w, "significant");
        w.Bool(r.significant);
        key(w, "too_few_samples");
        w.Bool(r.too_few_samples);
        text(w, "method", r.method);
        number(w, "cliffs_delta", r.cliffs_delta);
        number(w, "shift_seconds", r.shift_seconds);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

std::string estimate_json(const EstimateResult& result) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    text(w, "kind", result.kind);
    key(w, "rows");
    w.StartArray();
    for (const auto& r : result.rows) {
        w.StartObject();
        text(w, "name", r.name);
        text(w, "basis", r.basis);
        number(w, "count", r.count);
        number(w, "median_seconds", r.median_seconds);
        number(w, "p90_seconds", r.p90_seconds);
        number(w, "last_seconds", r.last_seconds);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

std::string running_json(const RunningResult& result) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    number(w, "in_flight", result.in_flight);
    key(w, "rows");
    w.StartArray();
    auto text_or_null = [&](const char* name, const std::string& v) {
        w.Key(name);
        if (v.empty()) w.Null();
        else w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    };
    for (const auto& r : result.rows) {
        w.StartObject();
        text(w, "kind", r.kind);
        text(w, "name", r.name);
        text(w, "path", r.path);
        text(w, "user", r.user);
        number(w, "uid", std::uint64_t{r.uid});
        key(w, "trusted");
        w.Bool(r.trusted);
        text_or_null("machine", r.machine);
        text_or_null("phase", r.phase);
        number(w, "started", static_cast<double>(r.started_usec) / 1e6);
        number(w, "elapsed_seconds", r.elapsed_seconds);
        number(w, "expected_seconds", r.expected_seconds);
        number(w, "done", r.done);
        number(w, "expected", r.expected);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

std::string caches_json(const CachesResult& result) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    window(w, "window", result.window);
    number(w, "substituted", result.substituted);
    number(w, "built", result.built);
    number(w, "hit_rate", result.hit_rate);
    key(w, "rows");
    w.StartArray();
    for (const auto& r : result.rows) {
        w.StartObject();
        text(w, "substituter", r.substituter);
        number(w, "substituted", r.substituted);
        number(w, "failed", r.failed);
        number(w, "other", r.other);
        number(w, "bytes", r.bytes);
        number(w, "download_bytes", r.download_bytes);
        number(w, "median_throughput", r.median_throughput);
        number(w, "share", r.share);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return finish(buffer);
}

}  // namespace nod::ctl
