// The a{sv} options of net.bergsoe.Nod1's methods, checked and turned into query requests. Pure: the
// D-Bus layer hands over each value's signature and content, nothing else.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "queries/bucket.hpp"
#include "queries/caches.hpp"
#include "queries/clean.hpp"
#include "queries/stats.hpp"
#include "queries/comparison.hpp"
#include "queries/estimate.hpp"
#include "queries/running.hpp"
#include "reader/row.hpp"

namespace nod::api {

// One option's value: the types the API uses, or the D-Bus signature of anything else (to name it in
// the error).
struct OtherType {
    std::string signature;
};
using OptionValue = std::variant<std::uint32_t, std::string, bool, OtherType>;
using OptionMap = std::map<std::string, OptionValue>;

// Bad options: the daemon answers org.freedesktop.DBus.Error.InvalidArgs with this message.
class InvalidOptions : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct StatsQuery {
    queries::StatsRequest request;
    std::optional<Kind> kind;  // only this kind's rows in the answer
};
struct BucketQuery {
    queries::BucketRequest request;
    std::optional<Kind> kind;
};
struct TestQuery {
    queries::ComparisonRequest request;
    std::optional<Kind> kind;
};

StatsQuery parse_stats(const OptionMap& options);
BucketQuery parse_bucket(const std::string& unit, const OptionMap& options);
TestQuery parse_test(const OptionMap& options);
// kind (default build), uid and trusted; at most queries::max_estimate_names names.
queries::EstimateRequest parse_estimate(std::vector<std::string> names, const OptionMap& options);
// kind, uid, trusted and limit (1 to queries::max_running_rows).
queries::RunningRequest parse_running(const OptionMap& options);
// days or months (default: all time), uid and trusted.
queries::CachesRequest parse_caches(const OptionMap& options);
queries::CleanRequest parse_clean(const OptionMap& options);

}  // namespace nod::api
