#include <algorithm>
#include <cmath>

#include "stats/mann_whitney.hpp"

namespace nod::stats {

std::vector<double> holm_adjust(std::span<const double> p_values) noexcept {
    std::vector<double> adjusted(p_values.begin(), p_values.end());
    std::vector<std::size_t> order;
    order.reserve(p_values.size());
    for (std::size_t i = 0; i < p_values.size(); ++i) {
        if (!std::isnan(p_values[i])) order.push_back(i);
    }
    // Stable so that equal p-values keep their input order (the result is the same either way).
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
    const std::size_t m = order.size();
    // Step-down: the r-th smallest p (r from 0) is multiplied by the m - r hypotheses still in play, and
    // the running maximum keeps a smaller p from getting a larger adjusted value than a bigger one.
    double running = 0;
    for (std::size_t r = 0; r < m; ++r) {
        const double scaled = static_cast<double>(m - r) * p_values[order[r]];
        running = std::max(running, std::min(1.0, scaled));
        adjusted[order[r]] = running;
    }
    return adjusted;
}

}  // namespace nod::stats
