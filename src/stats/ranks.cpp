#include "stats/ranks.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>

namespace nod::stats::detail {

std::vector<double> sorted_without_nan(std::span<const double> sample) noexcept {
    std::vector<double> out;
    out.reserve(sample.size());
    std::copy_if(sample.begin(), sample.end(), std::back_inserter(out),
                 [](double v) { return !std::isnan(v); });
    std::sort(out.begin(), out.end());
    return out;
}

RankSummary rank_summary(std::span<const double> sorted_old, std::span<const double> sorted_new) noexcept {
    RankSummary out;
    std::uint64_t twice_u = 0;  // 2U is an integer; keeping it integral avoids any rounding
    std::uint64_t old_below = 0;
    std::size_t i = 0, j = 0;
    while (i < sorted_old.size() || j < sorted_new.size()) {
        const bool take_old =
            j == sorted_new.size() || (i < sorted_old.size() && sorted_old[i] <= sorted_new[j]);
        const double value = take_old ? sorted_old[i] : sorted_new[j];
        std::uint64_t a = 0, b = 0;  // copies of `value` in old and in new
        for (; i < sorted_old.size() && sorted_old[i] == value; ++i) ++a;
        for (; j < sorted_new.size() && sorted_new[j] == value; ++j) ++b;
        if (a + b == 0) {  // only a NaN compares unequal to itself; skip it rather than loop forever
            take_old ? ++i : ++j;
            continue;
        }
        // Each new copy beats every smaller old value and ties with the `a` equal ones.
        twice_u += b * (2 * old_below + a);
        old_below += a;
        const auto t = static_cast<double>(a + b);
        if (a + b > 1) {
            out.ties = true;
            out.tie_term += t * t * t - t;
        }
    }
    out.u = static_cast<double>(twice_u) / 2;
    return out;
}

}  // namespace nod::stats::detail
