#include "stats/mann_whitney.hpp"

#include "stats/ranks.hpp"
#include "stats/u_distribution.hpp"

namespace nod::stats {

MannWhitney mann_whitney(std::span<const double> old_sample, std::span<const double> new_sample) noexcept {
    const std::vector<double> old_sorted = detail::sorted_without_nan(old_sample);
    const std::vector<double> new_sorted = detail::sorted_without_nan(new_sample);
    MannWhitney out;
    out.n_old = old_sorted.size();
    out.n_new = new_sorted.size();
    const detail::RankSummary ranks = detail::rank_summary(old_sorted, new_sorted);
    out.u = ranks.u;
    // Ties make the exact no-ties distribution wrong, and the exact tied distribution (benchstat uses it
    // up to 25 values) costs far more; the tie-corrected normal approximation is what R and SciPy use.
    const bool exact =
        !ranks.ties && out.n_old <= mann_whitney_exact_limit && out.n_new <= mann_whitney_exact_limit;
    out.method = exact ? Method::exact : Method::normal;
    out.too_few_samples = detail::too_few_samples(out.n_old, out.n_new, mann_whitney_alpha);
    // With too few samples any p is noise around a floor above alpha; report "no evidence" outright.
    if (out.too_few_samples) return out;
    out.p_value = exact ? detail::exact_p(out.n_old, out.n_new, out.u)
                        : detail::normal_p(out.n_old, out.n_new, out.u, ranks.tie_term);
    return out;
}

}  // namespace nod::stats
