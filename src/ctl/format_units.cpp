#include "ctl/format_units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace nod::ctl {

namespace {

// snprintf's result as a string (the format stays a literal at each call, for -Wformat=2).
#define NOD_PRINTF(...)                                                             \
    [&] {                                                                           \
        char buf_[64];                                                              \
        int n_ = std::snprintf(buf_, sizeof buf_, __VA_ARGS__);                     \
        return std::string(buf_, n_ > 0 ? static_cast<std::size_t>(n_) : 0);        \
    }()

}  // namespace

std::string human_duration(double seconds) {
    if (std::isnan(seconds) || seconds < 0) return "-";
    if (seconds < 1) {
        auto ms = static_cast<long long>(std::llround(seconds * 1000));
        if (ms < 1000) return NOD_PRINTF("%lldms", ms);
    }
    double tenths = std::round(seconds * 10) / 10;
    if (tenths < 60) return NOD_PRINTF("%.1fs", tenths);
    auto whole = static_cast<long long>(std::llround(seconds));
    if (whole < 3600) return NOD_PRINTF("%lldmin %02llds", whole / 60, whole % 60);
    auto minutes = static_cast<long long>(std::llround(seconds / 60));
    if (minutes < 24 * 60) return NOD_PRINTF("%lldh %02lldmin", minutes / 60, minutes % 60);
    auto hours = static_cast<long long>(std::llround(seconds / 3600));
    return NOD_PRINTF("%lldd %02lldh", hours / 24, hours % 24);
}

std::string human_bytes(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes) / 1024;
    std::size_t unit = 0;
    // Move up when the rounded value would print as 1024.0.
    while (std::round(value * 10) / 10 >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return NOD_PRINTF("%.1f %s", value, units[unit]);
}

std::string machine_seconds(double seconds) {
    if (std::isnan(seconds)) return "";
    if (std::isinf(seconds)) return seconds > 0 ? "inf" : "-inf";
    std::string s = NOD_PRINTF("%.6f", seconds);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    if (s == "-0") s = "0";
    return s;
}

std::string machine_number(double value) {
    if (std::isnan(value)) return "";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    if (ec != std::errc()) return "";
    return std::string(buf, end);
}

std::string signed_percent(double percent) {
    if (std::isnan(percent)) return "";
    if (std::isinf(percent)) return percent > 0 ? "+inf%" : "-inf%";
    std::string s = NOD_PRINTF("%+.1f%%", percent);
    if (s == "-0.0%") s = "+0.0%";
    return s;
}

std::string p_value_text(double p) {
    if (std::isnan(p)) return "-";
    if (p < 0.001) return "<0.001";
    return NOD_PRINTF("%.3f", p);
}

}  // namespace nod::ctl
