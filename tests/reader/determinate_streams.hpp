// Determinate Nix's json-log-path streams, made line by line as its JSONLogger writes them: keys sorted
// (nlohmann::json's std::map), compact, one record per line, `sid` on every record from 3.20, and
// resBuildResult (110) / resHashMismatch (109) with a `payload` in the three shapes its versions wrote:
//   G1 (3.1–3.14): `status` without `success`; errorMsg, timesBuilt, isNonDeterministic (if true), startTime
//                  and stopTime only when set; builtOutputs {"out":{"path":…}}; path {"drvPath":…} or
//                  {"opaque":…}; no CPU times; hashes {"algo":…,"base16":…}.
//   G2 (3.15–3.21): `success` too; timesBuilt, startTime, stopTime always (failed builds have them 0 before
//                  3.21); cpuUser/cpuSystem in µs; builtOutputs as Realisations {dependentRealisations, id,
//                  outPath, signatures}; substitutions' path a plain base name; hashes as SRI strings.
//   3.22 on:       builtOutputs {outPath, signatures}.
// The 110's id is the actBuild's before 3.19 and 0 from 3.19 (getCurActivity()); a substitution's is 0. A
// build's 110 comes after the Worker's progress and before the actBuild's stop; a substitution's after its
// stop and after the progress that counts it (DerivationBuildingGoal::doneSuccess/doneFailure and
// PathSubstitutionGoal::tryToRun in Determinate's src/libstore/build, as src/reader/README.md says).
// Used by the reader tests and, through the collector, by nodctl's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "replay/capture.hpp"

namespace nod::test::determinate {

enum class Version { v3_14, v3_18, v3_19, v3_21, v3_22 };

inline const char* version_name(Version v) {
    switch (v) {
        case Version::v3_14: return "3.14";
        case Version::v3_18: return "3.18";
        case Version::v3_19: return "3.19";
        case Version::v3_21: return "3.21";
        case Version::v3_22: return "3.22";
    }
    return "";
}

inline bool g1(Version v) { return v == Version::v3_14; }
inline bool has_sid(Version v) { return v == Version::v3_21 || v == Version::v3_22; }
inline bool result_on_build_id(Version v) { return v == Version::v3_14 || v == Version::v3_18; }
inline bool failed_builds_have_times(Version v) {
    return v == Version::v3_14 || v == Version::v3_21 || v == Version::v3_22;
}

// A JSON string as nlohmann writes it (control characters escaped, the rest raw).
inline std::string quoted(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        switch (c) {
            case '"': q += "\\\""; break;
            case '\\': q += "\\\\"; break;
            case '\n': q += "\\n"; break;
            case '\x1b': q += "\\u001b"; break;
            default: q += c; break;
        }
    }
    return q + "\"";
}

// A JSON object with its keys in nlohmann's order; values are JSON text.
class Object {
public:
    Object& set(const std::string& key, std::string json) {
        members_[key] = std::move(json);
        return *this;
    }
    Object& text(const std::string& key, const std::string& s) { return set(key, quoted(s)); }
    Object& number(const std::string& key, std::uint64_t n) { return set(key, std::to_string(n)); }
    std::string str() const {
        std::string s = "{";
        for (const auto& [key, value] : members_) s += (s.size() > 1 ? "," : "") + quoted(key) + ":" + value;
        return s + "}";
    }

private:
    std::map<std::string, std::string> members_;
};

constexpr const char* store_dir = "/nix/store/";

// A derivation and its output, as a store path base name: `<hash>-<name>.drv`, `<hash>-<name>`.
struct Drv {
    std::string drv_hash;
    std::string out_hash;
    std::string name;
    std::string drv_base() const { return drv_hash + "-" + name + ".drv"; }
    std::string drv_path() const { return store_dir + drv_base(); }
    std::string out_base() const { return out_hash + "-" + name; }
    std::string out_path() const { return store_dir + out_base(); }
};

// 32 characters of Nix's base-32 alphabet, different for each seed.
inline std::string hash32(unsigned seed) {
    static const char* alphabet = "0123456789abcdfghijklmnpqrsvwxyz";
    std::string h;
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    for (int i = 0; i < 32; ++i) {
        x ^= x >> 29;
        x *= 0xbf58476d1ce4e5b9ULL;
        h += alphabet[(x >> 40) % 32];
    }
    return h;
}

inline Drv drv(const std::string& name, unsigned seed) { return {hash32(seed), hash32(seed + 1000), name}; }

// What a build's BuildResult says.
struct Result {
    std::string status = "Built";
    bool success = true;
    std::uint64_t start_time = 0;  // epoch seconds; 0: never set
    std::uint64_t stop_time = 0;
    std::optional<std::uint64_t> cpu_user_us, cpu_system_us;
    std::uint64_t times_built = 1;
    std::string error_msg;
    bool non_deterministic = false;
};

// One connection's stream: a Worker with its aggregates, builds and substitutions, at given seconds.
class Stream {
public:
    Stream(Version version, std::int32_t pid, std::uint32_t uid = 0,
           std::string sid = "019e037b-f603-7443-8071-cfd8585ec8c6")
        : version_(version), pid_(pid), sid_(std::move(sid)) {
        conn_.name = std::string("determinate-") + version_name(version);
        conn_.peer = {pid, uid, uid};
    }

    std::uint64_t id(std::uint64_t counter) const {
        return (static_cast<std::uint64_t>(pid_) << 32) + counter;
    }
    Version version() const { return version_; }

    // The record with `sid` where the version writes one.
    void record(double t, Object o) {
        if (has_sid(version_)) o.text("sid", sid_);
        conn_.lines.push_back({t, o.str()});
    }
    void raw(double t, std::string line) { conn_.lines.push_back({t, std::move(line)}); }

    void start(double t, std::uint64_t id, int type, const std::string& fields, const std::string& text,
               int level = 3, std::uint64_t parent = 0) {
        Object o;
        o.text("action", "start").number("id", id).number("level", static_cast<std::uint64_t>(level));
        o.number("parent", parent).text("text", text).number("type", static_cast<std::uint64_t>(type));
        if (!fields.empty()) o.set("fields", "[" + fields + "]");
        record(t, std::move(o));
    }
    void stop(double t, std::uint64_t id) {
        record(t, std::move(Object().text("action", "stop").number("id", id)));
    }
    void result(double t, std::uint64_t id, int type, const std::string& fields) {
        record(t, std::move(Object()
                                .text("action", "result")
                                .number("id", id)
                                .number("type", static_cast<std::uint64_t>(type))
                                .set("fields", "[" + fields + "]")));
    }
    void payload(double t, std::uint64_t id, int type, const Object& payload) {
        record(t, std::move(Object()
                                .text("action", "result")
                                .number("id", id)
                                .number("type", static_cast<std::uint64_t>(type))
                                .set("payload", payload.str())));
    }
    void message(double t, int level, const std::string& msg) {
        record(t, std::move(Object()
                                .text("action", "msg")
                                .number("level", static_cast<std::uint64_t>(level))
                                .text("msg", msg)));
    }

    // ---- the Worker ---------------------------------------------------------------------------------

    void begin(double t) {
        start(t, id(realise_), 102, "", "", 0);
        start(t, id(builds_), 104, "", "", 0);
        start(t, id(copies_), 103, "", "", 0);
        update_progress(t);
    }
    // Worker::updateProgress: both aggregates' progress and the two expected totals.
    void update_progress(double t) {
        result(t, id(builds_), 105,
               counts(done_builds_, expected_builds_ + done_builds_, running_builds_, failed_builds_));
        result(t, id(copies_), 105,
               counts(done_subs_, expected_subs_ + done_subs_, running_subs_, failed_subs_));
        result(t, id(realise_), 106, "101,0");
        result(t, id(realise_), 106, "100,0");
    }
    void end(double t) {
        stop(t, id(copies_));
        stop(t, id(builds_));
        stop(t, id(realise_));
    }

    // actBuild start; returns its id.
    std::uint64_t build_start(double t, const Drv& d, const std::string& machine = "") {
        std::uint64_t b = id(next_++);
        start(t, b, 105, quoted(d.drv_path()) + "," + quoted(machine) + ",1,1",
              "building '" + d.drv_path() + "'" + (machine.empty() ? "" : " on '" + machine + "'"));
        ++running_builds_;
        update_progress(t);
        return b;
    }
    void build_log(double t, std::uint64_t b, const std::string& line) { result(t, b, 101, quoted(line)); }

    // DerivationBuildingGoal::doneSuccess / doneFailure: progress, then the result, then (the coroutine
    // returns) the actBuild's stop.
    void build_end(double t, std::uint64_t b, const Drv& d, const Result& o, bool with_result = true) {
        --running_builds_;
        if (o.success)
            ++done_builds_;
        else if (o.status != "DependencyFailed")
            ++failed_builds_;
        update_progress(t);
        if (with_result) payload(t, result_on_build_id(version_) ? b : 0, 110, build_result(d, o));
        stop(t, b);
    }

    // checkCAFixedOutput: the mismatch on the actBuild, just before BuildError(HashMismatch).
    void hash_mismatch(double t, std::uint64_t b, const Drv& d) {
        Object p;
        p.text("storePath", d.drv_path());
        if (g1(version_)) {
            p.set("got", Object().text("algo", "sha256").text("base16", std::string(64, 'b')).str());
            p.set("wanted", Object().text("algo", "sha256").text("base16", std::string(64, 'a')).str());
        } else {
            p.text("got", "sha256-Xyl8fQ1Hb4kzBxq1tkCIdnTH0Z7U1fVsYwAXvJgc0K0=");
            p.text("wanted", "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        }
        payload(t, b, 109, p);
    }

    // A substitution: actSubstitute and its actCopyPath (NAR bytes), stopped on their thread; then the
    // Worker counts it (done, or failed when a substituter hit a real error; nothing when the cache no
    // longer had the NAR) and writes its result.
    struct Substitution {
        std::uint64_t activity = 0, copy = 0;
        std::string path;
    };
    Substitution substitution_start(double t, const std::string& out_path, const std::string& cache,
                                    std::uint64_t nar_bytes) {
        Substitution s{id(next_++), id(next_++), out_path};
        ++running_subs_;
        update_progress(t);
        start(t, s.activity, 108, quoted(out_path) + "," + quoted(cache), "", 0);
        start(t, s.copy, 100, quoted(out_path) + "," + quoted(cache) + ",\"local\"",
              "copying path '" + out_path + "' from '" + cache + "'", 3, s.activity);
        result(t, s.copy, 105, std::to_string(nar_bytes) + "," + std::to_string(nar_bytes) + ",0,0");
        return s;
    }
    void substitution_stop(double t, const Substitution& s) {
        stop(t, s.copy);
        stop(t, s.activity);
    }
    // `counted`: "done", "failed" or "" (no progress moves).
    void substitution_done(double t, const Substitution& s, const std::string& counted,
                           const std::string& status, bool with_result = true) {
        --running_subs_;
        if (counted == "done") ++done_subs_;
        if (counted == "failed") ++failed_subs_;
        if (!counted.empty()) update_progress(t);
        if (with_result) payload(t, 0, 110, substitution_result(s.path, status));
    }

    // ---- payloads -----------------------------------------------------------------------------------

    Object build_result(const Drv& d, const Result& o) const {
        Object p;
        p.text("status", o.status);
        Object path;
        path.text("drvPath", d.drv_base());
        if (g1(version_)) {
            path.set("outputs", "[\"out\"]");
            if (o.success)
                p.set("builtOutputs",
                      Object()
                          .set("out", Object().text("path", d.out_base()).set("signatures", "[]").str())
                          .str());
            if (!o.error_msg.empty()) p.text("errorMsg", o.error_msg);
            if (o.non_deterministic) p.set("isNonDeterministic", "true");
            if (o.times_built) p.number("timesBuilt", o.times_built);
            if (o.start_time) p.number("startTime", o.start_time);
            if (o.stop_time) p.number("stopTime", o.stop_time);
        } else {
            path.set("outputs", "[\"*\"]");
            p.set("success", o.success ? "true" : "false");
            bool times = o.success || failed_builds_have_times(version_);
            p.number("timesBuilt", times ? o.times_built : 0);
            p.number("startTime", times ? o.start_time : 0);
            p.number("stopTime", times ? o.stop_time : 0);
            if (o.cpu_user_us) p.number("cpuUser", *o.cpu_user_us);
            if (o.cpu_system_us) p.number("cpuSystem", *o.cpu_system_us);
            if (o.success) {
                Object out;
                out.text("outPath", d.out_base()).set("signatures", "[]");
                if (version_ != Version::v3_22)
                    out.set("dependentRealisations", "{}")
                        .text("id", "sha256:" + std::string(64, 'c') + "!out");
                p.set("builtOutputs", Object().set("out", out.str()).str());
            } else {
                p.text("errorMsg", o.error_msg);
                p.set("isNonDeterministic", o.non_deterministic ? "true" : "false");
            }
        }
        p.set("path", path.str());
        return p;
    }

    Object substitution_result(const std::string& out_path, const std::string& status) const {
        std::string base = out_path.substr(std::string(store_dir).size());
        bool success = status == "Substituted";
        Object p;
        p.text("status", status);
        if (g1(version_)) {
            p.set("path", Object().text("opaque", base).str());
            if (!success)
                p.text("errorMsg",
                       "path '" + out_path + "' is required, but there is no substituter that can build it");
        } else {
            p.text("path", base);
            p.set("success", success ? "true" : "false")
                .number("timesBuilt", 0)
                .number("startTime", 0)
                .number("stopTime", 0);
            if (success)
                p.set("builtOutputs", "{}");
            else
                p.text("errorMsg",
                       "path '" + out_path + "' is required, but there is no substituter that can build it")
                    .set("isNonDeterministic", "false");
        }
        return p;
    }

    // A derivation record for a path this connection never built (AlreadyValid, Substituted outputs,
    // DependencyFailed before the build started): DerivationGoal's, once per wanted output.
    void derivation_result(double t, const Drv& d, const std::string& status) {
        Result o;
        o.status = status;
        o.success = status == "AlreadyValid" || status == "Substituted" || status == "ResolvesToAlreadyValid";
        o.times_built = 0;
        if (!o.success) o.error_msg = "Cannot build '" + d.drv_path() + "'.\nReason: 1 dependency failed.";
        payload(t, 0, 110, build_result(d, o));
    }

    const replay::CapturedConnection& connection(double closed) {
        conn_.opened = conn_.lines.empty() ? 0 : conn_.lines.front().seconds;
        conn_.closed = closed;
        return conn_;
    }

private:
    static std::string counts(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
        return std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(c) + "," +
               std::to_string(d);
    }

    Version version_;
    std::int32_t pid_;
    std::string sid_;
    replay::CapturedConnection conn_;
    std::uint64_t realise_ = 0, builds_ = 1, copies_ = 2, next_ = 3;
    std::uint64_t done_builds_ = 0, expected_builds_ = 0, running_builds_ = 0, failed_builds_ = 0;
    std::uint64_t done_subs_ = 0, expected_subs_ = 0, running_subs_ = 0, failed_subs_ = 0;
};

}  // namespace nod::test::determinate
