// libFuzzer target: the a{sv} options of every net.bergsoe.Nod1 method (Stats, Bucket and its unit,
// Test, Clean), as the D-Bus layer decodes them (key, then a value of type u, s, b or the signature of
// anything else). Parsing must accept or reject with InvalidOptions; any other exception or crash is a
// bug (in the daemon it would abort the process). Beyond that, every answer is checked against the
// contract in dbus/net.bergsoe.Nod1.xml and the bounds in src/api/options.cpp: what is accepted
// must be valid and carried over unchanged, what is rejected must be invalid, and a rejection for an
// unknown key or a wrong type names the key, in valid UTF-8 (sd-bus refuses anything else) when
// the input is what D-Bus can carry.
//
// Input layout (FuzzedDataProvider): choices and numbers come off the end, free-form strings off the
// front. Keys, units and values are drawn from the valid ones and their boundaries as often as not;
// `fuzz/seeds.py` writes seeds in this layout.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/options.hpp"
#include "reader/text.hpp"

namespace {

using nod::api::OptionMap;
using nod::api::OptionValue;
using nod::api::OtherType;

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "options_fuzz: %s %s\n", what, detail.c_str());
    std::abort();
}

const std::vector<std::string> keys = {"days",  "months", "drv", "kind",    "group",      "group_by",
                                       "sort",  "limit",  "uid", "trusted", "before_days"};
const std::vector<std::uint32_t> numbers = {0, 1, 30, 3'000, 3'001, 100'000, 100'001, 0x7fffffff, 0x80000000, 0xffffffff};
const std::vector<std::string> texts = {"build", "substitute", "copy", "post-build-hook", "count", "time", "name",
                                        "user", "", "Build", std::string(4096, 'x'), std::string(4097, 'x')};
const std::vector<std::string> signatures = {"i", "t", "x", "d", "y", "as", "a{sv}", "v", "(uu)", "o", "g"};
const std::vector<std::string> units = {"day", "week", "month"};

template <typename T>
T pick(FuzzedDataProvider& input, const std::vector<T>& from) {
    return from[input.ConsumeIntegralInRange<std::size_t>(0, from.size() - 1)];
}

OptionMap options_from(FuzzedDataProvider& input) {
    OptionMap map;
    for (int i = 0, n = input.ConsumeIntegralInRange(0, 9); i < n; ++i) {
        std::string key = input.ConsumeBool() ? pick(input, keys) : input.ConsumeRandomLengthString(16);
        switch (input.ConsumeIntegralInRange(0, 3)) {
        case 0:
            map[key] = input.ConsumeBool() ? pick(input, numbers) : input.ConsumeIntegral<std::uint32_t>();
            break;
        case 1: map[key] = input.ConsumeBool() ? pick(input, texts) : input.ConsumeRandomLengthString(64); break;
        case 2: map[key] = input.ConsumeBool(); break;
        default:
            map[key] = OtherType{input.ConsumeBool() ? pick(input, signatures) : input.ConsumeRandomLengthString(8)};
            break;
        }
    }
    return map;
}

bool valid_utf8(std::string_view s) {
    bool repaired = false;
    (void)nod::valid_utf8(s, repaired);
    return !repaired;
}

// ---- the contract ----------------------------------------------------------------------------------

enum Method { stats, bucket, test, clean };

std::set<std::string> known_keys(Method m) {
    switch (m) {
    case stats: return {"days", "months", "drv", "kind", "group", "group_by", "sort", "limit", "uid", "trusted"};
    case bucket: return {"days", "months", "drv", "kind", "uid", "trusted"};
    case test: return {"days", "months", "drv", "kind", "group", "uid", "trusted"};
    case clean: return {"before_days"};
    }
    return {};
}

char type_of_key(const std::string& key) {
    if (key == "drv" || key == "kind" || key == "sort" || key == "group_by") return 's';
    if (key == "group" || key == "trusted") return 'b';
    return 'u';
}

bool has_type(const OptionValue& v, char t) {
    return (t == 'u' && std::holds_alternative<std::uint32_t>(v)) || (t == 's' && std::holds_alternative<std::string>(v)) ||
           (t == 'b' && std::holds_alternative<bool>(v));
}

struct Verdict {
    bool valid = true;
    std::set<std::string> misnamed;  // unknown keys or keys with a value of the wrong type
    bool bad_value = false;          // a problem with a value of the right type, or with the unit
};

Verdict judge(Method m, const std::string& unit, const OptionMap& map) {
    Verdict v;
    auto known = known_keys(m);
    for (const auto& [key, value] : map) {
        if (!known.count(key) || !has_type(value, type_of_key(key))) v.misnamed.insert(key);
    }
    auto u = [&](const char* k) -> std::optional<std::uint32_t> {
        auto it = map.find(k);
        if (it == map.end() || v.misnamed.count(k)) return std::nullopt;
        return std::get<std::uint32_t>(it->second);
    };
    auto s = [&](const char* k) -> std::optional<std::string> {
        auto it = map.find(k);
        if (it == map.end() || v.misnamed.count(k)) return std::nullopt;
        return std::get<std::string>(it->second);
    };
    bool& bad = v.bad_value;
    if (m == bucket && std::find(units.begin(), units.end(), unit) == units.end()) bad = true;
    if (u("days") && u("months")) bad = true;
    if (auto d = u("days"); d && (*d < 1 || *d > 100'000)) bad = true;
    if (auto mo = u("months"); mo && (*mo < 1 || *mo > 3'000)) bad = true;
    if (auto d = u("before_days"); d && *d > 100'000) bad = true;
    if (auto d = s("drv"); d && d->size() > 4096) bad = true;
    if (auto k = s("kind"); k && !nod::kind_from_string(*k)) bad = true;
    if (auto so = s("sort"); so && *so != "count" && *so != "time" && *so != "name") bad = true;
    if (auto g = s("group_by"); g && *g != "name" && *g != "user") bad = true;
    auto b = [&](const char* k) {
        auto it = map.find(k);
        return it != map.end() && !v.misnamed.count(k) && std::get<bool>(it->second);
    };
    if (auto g = s("group_by"); g && *g != "name" && b("group")) bad = true;
    v.valid = v.misnamed.empty() && !bad;
    return v;
}

template <typename Query>
void check_common(const Query& q, const OptionMap& map, nod::queries::Window fallback) {
    auto u = [&](const char* k) { auto it = map.find(k); return it == map.end() ? -1LL : static_cast<long long>(std::get<std::uint32_t>(it->second)); };
    auto s = [&](const char* k) { auto it = map.find(k); return it == map.end() ? std::string() : std::get<std::string>(it->second); };
    const auto& w = q.request.window;
    using Unit = nod::queries::Window::Unit;
    if (u("days") >= 0) {
        if (w.unit != Unit::days || w.count != u("days")) broken("days not carried over");
    } else if (u("months") >= 0) {
        if (w.unit != Unit::months || w.count != u("months")) broken("months not carried over");
    } else if (w.unit != fallback.unit || w.count != fallback.count) {
        broken("wrong default window");
    }
    if (q.request.name_filter != s("drv")) broken("drv not carried over");
    if (map.count("kind") ? q.kind != nod::kind_from_string(s("kind")) : q.kind.has_value()) broken("kind not carried over");
    if (q.request.filter.user != (u("uid") >= 0 ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(u("uid")))
                                                : std::nullopt))
        broken("uid not carried over");
    auto trusted = map.find("trusted");
    if (q.request.filter.trusted_only != (trusted != map.end() && std::get<bool>(trusted->second)))
        broken("trusted not carried over");
}

bool group_of(const OptionMap& map) {
    auto it = map.find("group");
    return it != map.end() && std::get<bool>(it->second);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    auto method = static_cast<Method>(input.ConsumeIntegralInRange(0, 3));
    std::string unit = input.ConsumeBool() ? pick(input, units) : input.ConsumeRandomLengthString(16);
    auto map = options_from(input);
    Verdict verdict = judge(method, unit, map);
    try {
        switch (method) {
        case stats: {
            auto q = nod::api::parse_stats(map);
            check_common(q, map, nod::queries::Window::all_time());
            auto by = map.count("group_by") ? std::get<std::string>(map.at("group_by")) : std::string();
            auto want_by = by == "user" ? nod::queries::GroupBy::user
                           : by == "name" || group_of(map) ? nod::queries::GroupBy::name
                                                           : nod::queries::GroupBy::none;
            if (q.request.group_by != want_by) broken("group_by not carried over");
            auto it = map.find("limit");
            if (q.request.limit != (it == map.end() ? 0 : std::get<std::uint32_t>(it->second))) broken("limit not carried over");
            auto so = map.count("sort") ? std::get<std::string>(map.at("sort")) : std::string("count");
            auto want = so == "time" ? nod::queries::SortBy::time
                      : so == "name" ? nod::queries::SortBy::name : nod::queries::SortBy::count;
            if (q.request.sort != want) broken("sort not carried over");
            break;
        }
        case bucket: {
            auto q = nod::api::parse_bucket(unit, map);
            check_common(q, map, nod::queries::Window::all_time());
            auto want = unit == "day" ? nod::queries::BucketUnit::day
                      : unit == "week" ? nod::queries::BucketUnit::week : nod::queries::BucketUnit::month;
            if (q.request.unit != want) broken("unit not carried over");
            break;
        }
        case test: {
            auto q = nod::api::parse_test(map);
            check_common(q, map, nod::queries::Window::last_days(30));
            if (q.request.group_by_name != group_of(map)) broken("group not carried over");
            break;
        }
        case clean: {
            auto r = nod::api::parse_clean(map);
            auto it = map.find("before_days");
            if (it == map.end() ? r.before_days.has_value() : r.before_days != static_cast<int>(std::get<std::uint32_t>(it->second)))
                broken("before_days not carried over");
            break;
        }
        }
        if (!verdict.valid) broken("invalid options accepted");
    } catch (const nod::api::InvalidOptions& e) {
        // The one way to say no.
        std::string message = e.what();
        if (verdict.valid) broken("valid options rejected:", message);
        // What D-Bus can deliver: strings of valid UTF-8 without NUL. Only for such input must the
        // message name the key and be sendable itself.
        auto sendable = [](std::string_view s) { return valid_utf8(s) && s.find('\0') == std::string_view::npos; };
        bool inputs_sendable = sendable(unit);
        for (const auto& [key, value] : map) {
            inputs_sendable = inputs_sendable && sendable(key);
            if (auto* t = std::get_if<std::string>(&value)) inputs_sendable = inputs_sendable && sendable(*t);
            if (auto* o = std::get_if<OtherType>(&value)) inputs_sendable = inputs_sendable && sendable(o->signature);
        }
        if (!inputs_sendable) return 0;
        if (!sendable(message)) broken("the error cannot go over D-Bus:", message);
        // With several problems any one may be named; with only unknown keys or wrong types, one of them.
        if (!verdict.misnamed.empty() && !verdict.bad_value &&
            std::none_of(verdict.misnamed.begin(), verdict.misnamed.end(),
                         [&](const std::string& k) { return message.find("'" + k + "'") != std::string::npos; }))
            broken("the rejection names no offending key:", message);
    }
    return 0;
}
