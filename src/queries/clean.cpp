#include "queries/clean.hpp"

#include "queries/window.hpp"

namespace nod::queries {

std::optional<store::Day> clean_cutoff(const CleanRequest& request, Micros now) {
    if (!request.before_days) return std::nullopt;
    if (*request.before_days < 0)
        throw InvalidArgument("clean needs a number of days >= 0, not " + std::to_string(*request.before_days));
    return store::local_day(now) - *request.before_days + 1;
}

std::uint64_t clean(store::Store& store, const CleanRequest& request, Micros now) {
    auto cutoff = clean_cutoff(request, now);
    if (!cutoff) return store.clear();
    std::uint64_t total = 0;
    for (std::size_t went = 0; (went = store.prune_before(*cutoff, request.chunk)) != 0;) total += went;
    return total;
}

}  // namespace nod::queries
