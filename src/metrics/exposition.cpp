#include "metrics/exposition.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

namespace nod::metrics {

namespace {

enum class Type { counter, gauge, histogram };

struct Family {
    std::string_view name;  // OpenMetrics' family name: a counter's samples add _total
    Type type;
    std::string_view help;
    std::string_view unit;  // OpenMetrics' UNIT, the name's last part; "" for none
};

using Labels = std::vector<std::pair<std::string_view, std::string>>;

class Writer {
public:
    explicit Writer(Format format) : format_(format) {}

    void family(const Family& f) {
        family_ = f;
        // The text format names a counter's family as its samples (with _total); OpenMetrics without.
        std::string name(f.name);
        if (format_ == Format::text && f.type == Type::counter) name += "_total";
        std::string_view type = f.type == Type::counter ? "counter" : f.type == Type::gauge ? "gauge" : "histogram";
        if (format_ == Format::text) {
            out_ += "# HELP " + name + " " + std::string(f.help) + "\n";
            out_ += "# TYPE " + name + " " + std::string(type) + "\n";
        } else {
            out_ += "# TYPE " + name + " " + std::string(type) + "\n";
            if (!f.unit.empty()) out_ += "# UNIT " + name + " " + std::string(f.unit) + "\n";
            out_ += "# HELP " + name + " " + std::string(f.help) + "\n";
        }
    }

    // A sample of the current family; `suffix` is _total, _bucket, _sum, _count or "".
    void sample(std::string_view suffix, const Labels& labels, std::string_view value) {
        out_ += family_.name;
        out_ += suffix;
        if (!labels.empty()) {
            out_ += '{';
            for (std::size_t i = 0; i < labels.size(); ++i) {
                if (i > 0) out_ += ',';
                out_ += labels[i].first;
                out_ += "=\"";
                out_ += escape_label_value(labels[i].second);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        out_ += value;
        out_ += '\n';
    }

    void value(const Labels& labels, std::uint64_t v) {
        sample(family_.type == Type::counter ? "_total" : "", labels, std::to_string(v));
    }

    std::string finish() {
        if (format_ == Format::openmetrics) out_ += "# EOF\n";
        return std::move(out_);
    }

private:
    Format format_;
    Family family_{};
    std::string out_;
};

constexpr Family up{"nod_up", Type::gauge, "1 when nod-collector answered this scrape, 0 when it could not be reached.", ""};
constexpr Family activities{"nod_activities", Type::counter,
                            "Builds, substitutions, copies and post-build hooks nod recorded, by outcome (lifetime).", ""};
constexpr Family durations{"nod_activity_duration_seconds", Type::histogram,
                           "How long recorded activities took, when Nix's stream told (lifetime).", "seconds"};
constexpr Family transferred{"nod_transferred_bytes", Type::counter,
                             "NAR bytes substituted (in) and copied in and out (lifetime).", "bytes"};
constexpr Family substitutions{"nod_substitutions", Type::counter,
                               "Substitutions per substituter and outcome (lifetime); other: past the 16 named.", ""};
constexpr Family substituted_bytes{"nod_substituted_bytes", Type::counter,
                                   "NAR bytes of substitutions per substituter (lifetime).", "bytes"};
constexpr Family downloaded_bytes{"nod_downloaded_bytes", Type::counter,
                                  "Bytes downloaded (compressed NARs) per substituter (lifetime).", "bytes"};
constexpr Family running{"nod_running_activities", Type::gauge, "Activities in flight now.", ""};
constexpr Family connections{"nod_connections", Type::gauge, "Nix connections open to nod-collector now.", ""};
constexpr Family lines_read{"nod_lines_read", Type::counter, "Log lines nod-collector read since it started.", ""};
constexpr Family refusals{"nod_refusals", Type::counter,
                          "What nod-collector refused since it started, by reason (docs/security.md).", ""};
constexpr Family rows{"nod_rows", Type::gauge, "Rows in the database now.", ""};
constexpr Family database_bytes{"nod_database_bytes", Type::gauge, "Size of the database file and its WAL.", "bytes"};
constexpr Family write_errors{"nod_write_errors", Type::counter,
                              "Database writes that failed since nod-collector started (the rows are kept and retried).",
                              ""};

// Known names first, in their order, then any others the collector sent, sorted.
std::vector<std::string> names_of(std::span<const std::string_view> known, std::vector<std::string> seen) {
    std::vector<std::string> out(known.begin(), known.end());
    std::sort(seen.begin(), seen.end());
    for (auto& s : seen)
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    return out;
}

std::string substituter_label(const std::string& name) { return name.empty() ? "other" : name; }

void write_activities(Writer& w, const Snapshot& s, const std::vector<std::string>& kinds) {
    std::map<std::pair<std::string, std::string>, std::uint64_t> counts;
    std::vector<std::string> outcomes_seen;
    for (const auto& a : s.activities) {
        counts[{a.kind, a.outcome}] += a.count;
        outcomes_seen.push_back(a.outcome);
    }
    w.family(activities);
    for (const auto& kind : kinds)
        for (const auto& outcome : names_of(known_outcomes, outcomes_seen))
            w.value({{"kind", kind}, {"outcome", outcome}}, counts[{kind, outcome}]);
}

void write_durations(Writer& w, const Snapshot& s, const std::vector<std::string>& kinds) {
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> timed;  // kind: (rows, µs)
    for (const auto& a : s.activities) {
        timed[a.kind].first += a.timed;
        timed[a.kind].second += a.duration_us;
    }
    w.family(durations);
    for (const auto& kind : kinds) {
        auto found = std::find_if(s.durations.begin(), s.durations.end(),
                                  [&](const DurationBuckets& d) { return d.kind == kind; });
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < s.bounds_seconds.size(); ++i) {
            if (found != s.durations.end() && i < found->counts.size()) cumulative += found->counts[i];
            w.sample("_bucket", {{"kind", kind}, {"le", bound_label(s.bounds_seconds[i])}}, std::to_string(cumulative));
        }
        // +Inf is every timed row: the count, whatever the buckets said.
        w.sample("_bucket", {{"kind", kind}, {"le", "+Inf"}}, std::to_string(timed[kind].first));
        w.sample("_sum", {{"kind", kind}}, micros_as_seconds(timed[kind].second));
        w.sample("_count", {{"kind", kind}}, std::to_string(timed[kind].first));
    }
}

void write_transferred(Writer& w, const Snapshot& s) {
    // Substitutions come in; copies name their direction. The three series exist from the first scrape.
    std::map<std::pair<std::string, std::string>, std::uint64_t> bytes{
        {{"substitute", "in"}, 0}, {{"copy", "in"}, 0}, {{"copy", "out"}, 0}};
    for (const auto& a : s.activities) {
        if (a.kind == "substitute")
            bytes[{a.kind, "in"}] += a.bytes;
        else if (a.kind == "copy")
            bytes[{a.kind, a.direction.empty() ? "unknown" : a.direction}] += a.bytes;
    }
    w.family(transferred);
    for (const auto& [key, value] : bytes) w.value({{"kind", key.first}, {"direction", key.second}}, value);
}

void write_substituters(Writer& w, const Snapshot& s) {
    std::map<std::string, std::map<std::string, SubstituterTotals>> by_name;  // label: outcome: totals
    std::vector<std::string> outcomes_seen;
    for (const auto& t : s.substituters) {
        auto& slot = by_name[substituter_label(t.substituter)][t.outcome];
        slot.count += t.count;
        slot.bytes += t.bytes;
        slot.download_bytes += t.download_bytes;
        outcomes_seen.push_back(t.outcome);
    }
    auto outcomes = names_of(known_outcomes, outcomes_seen);
    w.family(substitutions);
    for (auto& [name, per_outcome] : by_name)
        for (const auto& outcome : outcomes) w.value({{"substituter", name}, {"outcome", outcome}}, per_outcome[outcome].count);
    auto sum = [](const std::map<std::string, SubstituterTotals>& per_outcome, auto field) {
        std::uint64_t total = 0;
        for (const auto& [outcome, t] : per_outcome) total += t.*field;
        return total;
    };
    w.family(substituted_bytes);
    for (const auto& [name, per_outcome] : by_name) w.value({{"substituter", name}}, sum(per_outcome, &SubstituterTotals::bytes));
    w.family(downloaded_bytes);
    for (const auto& [name, per_outcome] : by_name)
        w.value({{"substituter", name}}, sum(per_outcome, &SubstituterTotals::download_bytes));
}

void write_health(Writer& w, const Snapshot& s, const std::vector<std::string>& kinds) {
    w.family(running);
    for (const auto& kind : kinds) {
        auto found = s.running.find(kind);
        w.value({{"kind", kind}}, found == s.running.end() ? 0 : found->second);
    }
    w.family(connections);
    w.value({}, s.health.connections);
    w.family(lines_read);
    w.value({}, s.health.lines_read);
    w.family(refusals);
    std::vector<std::string> reasons_seen;
    for (const auto& entry : s.health.refusals) reasons_seen.push_back(entry.first);
    for (const auto& reason : names_of(known_refusal_reasons, reasons_seen)) {
        auto found = s.health.refusals.find(reason);
        w.value({{"reason", reason}}, found == s.health.refusals.end() ? 0 : found->second);
    }
    w.family(rows);
    w.value({}, s.health.rows);
    w.family(database_bytes);
    w.value({}, s.health.database_bytes);
    w.family(write_errors);
    w.value({}, s.health.write_errors);
}

// Appends the UTF-8 sequence at `text[i]` (advancing i), or U+FFFD when it is not a valid one.
void append_utf8(std::string_view text, std::size_t& i, std::string& out) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size();
    std::uint32_t code = length == 1 ? lead : length == 2 ? lead & 0x1f : length == 3 ? lead & 0x0f : lead & 0x07;
    for (std::size_t k = 1; valid && k < length; ++k) {
        valid = (byte(i + k) & 0xc0) == 0x80;
        code = (code << 6) | (byte(i + k) & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
    constexpr std::array<std::uint32_t, 5> smallest{0, 0, 0x80, 0x800, 0x10000};
    if (valid) valid = code >= smallest[length] && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    if (!valid) {
        out += "\xef\xbf\xbd";
        ++i;
        return;
    }
    out.append(text.substr(i, length));
    i += length;
}

}  // namespace

std::string_view content_type(Format format) {
    return format == Format::openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                                         : "text/plain; version=0.0.4; charset=utf-8";
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size();) {
        char c = value[i];
        if (c == '\\' || c == '"' || c == '\n') {
            out += '\\';
            out += c == '\n' ? 'n' : c;
            ++i;
        } else {
            append_utf8(value, i, out);
        }
    }
    return out;
}

std::string bound_label(double seconds) {
    std::array<char, 64> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), seconds);
    std::string text(buffer.data(), end);
    if (ec == std::errc() && std::isfinite(seconds) && text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
}

std::string micros_as_seconds(std::uint64_t us) {
    std::string text = std::to_string(us / 1'000'000);
    std::uint64_t fraction = us % 1'000'000;
    if (fraction == 0) return text;
    std::string digits = std::to_string(fraction);
    digits.insert(0, 6 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    return text + "." + digits;
}

std::string render(const Snapshot& s, Format format) {
    Writer w(format);
    w.family(up);
    w.value({}, s.up ? 1 : 0);
    if (s.up) {
        std::vector<std::string> kinds_seen;
        for (const auto& a : s.activities) kinds_seen.push_back(a.kind);
        auto kinds = names_of(known_kinds, kinds_seen);
        write_activities(w, s, kinds);
        write_durations(w, s, kinds);
        write_transferred(w, s);
        write_substituters(w, s);
        write_health(w, s, kinds);
    }
    return w.finish();
}

}  // namespace nod::metrics
