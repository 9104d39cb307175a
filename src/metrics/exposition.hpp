// The Prometheus exposition of a Snapshot: the text format 0.0.4, or OpenMetrics 1.0.0. Pure: the same
// snapshot gives the same bytes. nod-exporter serves it, `nodctl metrics` prints it; nod-exporter(8) is the
// reference for every family.
#pragma once

#include <string>
#include <string_view>

#include "metrics/snapshot.hpp"

namespace nod::metrics {

enum class Format { text, openmetrics };

// The Content-Type header for `format`.
std::string_view content_type(Format format);

std::string render(const Snapshot& snapshot, Format format);

// The kinds and outcomes every scrape shows (zeros included), so that rate() sees a series from its first
// increment on; any other name the collector sends (a newer collector) follows these.
inline constexpr std::string_view known_kinds[] = {"build", "substitute", "copy", "post-build-hook"};
inline constexpr std::string_view known_outcomes[] = {"succeeded", "failed", "cancelled", "unknown"};
// The collector's refusal reasons (the Refusals property), each shown from the first scrape, at 0 until it
// happens: a series that first appears at 5 is invisible to increase() and rate().
inline constexpr std::string_view known_refusal_reasons[] = {
    "connections", "connections-per-user", "fd-limit", "line-too-long", "too-deep",    "path-too-long",
    "activities",  "held-bytes",           "paused",   "rows-dropped",  "rows-per-day"};

// A label value as both formats want it: \ " and newline escaped, and bytes that are not UTF-8 replaced
// by U+FFFD (substituter names come from Nix's stream, which any local user can write).
std::string escape_label_value(std::string_view value);

// A number as the `le` label shows it: the shortest exact form, with ".0" on integers ("0.1", "1.0").
std::string bound_label(double seconds);

// µs as seconds, exactly: "12.5", "0.000001", "0".
std::string micros_as_seconds(std::uint64_t us);

}  // namespace nod::metrics
