#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>

#include "stats/mann_whitney.hpp"

namespace nod::stats {

double median(std::span<const double> sample) noexcept {
    std::vector<double> values;
    values.reserve(sample.size());
    // NaN would break nth_element's ordering (and has no place in a median anyway).
    std::copy_if(sample.begin(), sample.end(), std::back_inserter(values),
                 [](double v) { return !std::isnan(v); });
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t half = values.size() / 2;
    const auto upper = values.begin() + static_cast<std::ptrdiff_t>(half);
    std::nth_element(values.begin(), upper, values.end());
    if (values.size() % 2 == 1) return *upper;
    // After nth_element everything before `upper` is <= it, so the lower middle is their maximum.
    const double lower = *std::max_element(values.begin(), upper);
    return std::midpoint(lower, *upper);
}

}  // namespace nod::stats
