#include "metrics/accept.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace nod::metrics {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// A media range's q (1 when absent, 0 when unreadable: a malformed range accepts nothing).
double quality(std::string_view parameters) {
    double q = 1;
    while (!parameters.empty()) {
        auto semicolon = parameters.find(';');
        std::string_view parameter = trim(parameters.substr(0, semicolon));
        parameters = semicolon == std::string_view::npos ? std::string_view{} : parameters.substr(semicolon + 1);
        auto equals = parameter.find('=');
        if (equals == std::string_view::npos || lower(trim(parameter.substr(0, equals))) != "q") continue;
        std::string_view value = trim(parameter.substr(equals + 1));
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
        if (ec != std::errc() || end != value.data() + value.size() || q < 0 || q > 1) return 0;
    }
    return q;
}

}  // namespace

Format negotiate(std::string_view accept) {
    double openmetrics = 0, text = 0;
    while (!accept.empty()) {
        auto comma = accept.find(',');
        std::string_view range = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
        auto semicolon = range.find(';');
        std::string type = lower(trim(range.substr(0, semicolon)));
        double q = quality(semicolon == std::string_view::npos ? std::string_view{} : range.substr(semicolon + 1));
        if (type == "application/openmetrics-text")
            openmetrics = std::max(openmetrics, q);
        else if (type == "text/plain" || type == "text/*" || type == "*/*")
            text = std::max(text, q);
    }
    return openmetrics > 0 && openmetrics > text ? Format::openmetrics : Format::text;
}

}  // namespace nod::metrics
