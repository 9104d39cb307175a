// How long a derivation is expected to take, from its history on this machine: the durations of its
// successful builds (or substitutions, copies, hooks: any kind), for the Estimate method and the expected
// durations of Running. A name never seen falls back to the same package at any version (Nix's
// parseDrvName: "hello-2.12" is the package "hello").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "queries/row_filter.hpp"
#include "reader/row.hpp"
#include "store/database.hpp"

namespace nod::queries {

enum class EstimateBasis : std::uint8_t {
    none,     // no successful run of the name or its package: no estimate
    name,     // the name's own runs
    package,  // the name never ran successfully; runs of other versions of its package did
};
std::string_view to_string(EstimateBasis basis);

struct EstimateRequest {
    std::vector<std::string> names;
    Kind kind = Kind::build;
    RowFilter filter{};  // e.g. only rows root vouched for: a user's forged history cannot skew them
};

struct Estimate {
    std::string name;
    EstimateBasis basis = EstimateBasis::none;
    std::uint64_t count = 0;  // successful runs with a known duration
    // Seconds; NaN when count is 0. p90 interpolates between the two nearest runs (numpy's default); last
    // is the duration of the run that started last.
    double median_seconds = 0, p90_seconds = 0, last_seconds = 0;
};

// Limits that keep one call's work bounded whatever its caller asks.
inline constexpr std::size_t max_estimate_names = 1000;    // per call: more is InvalidArgument
inline constexpr std::size_t max_package_versions = 64;    // other versions read for a package, newest names first

// One Estimate per requested name, in the order asked (a name asked twice is answered twice).
std::vector<Estimate> estimate(const store::Database& db, const EstimateRequest& request);

// Nix's parseDrvName: the name up to its first '-' that is not followed by a letter; all of it when there
// is none ("hello-2.12" → "hello", "gtk+3-3.24.41" → "gtk+3", "source" → "source").
std::string_view package_name(std::string_view name);

}  // namespace nod::queries
