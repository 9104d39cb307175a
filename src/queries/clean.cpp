#include "queries/clean.hpp"

#include "queries/window.hpp"

namespace nod::queries {

std::uint64_t clean(store::Store& store, const CleanRequest& request, Micros now) {
    if (!request.keep_days) return store.clear();
    if (*request.keep_days < 0)
        throw InvalidArgument("clean needs a number of days >= 0, not " + std::to_string(*request.keep_days));
    store::Day cutoff = store::local_day(now) - *request.keep_days + 1;
    std::uint64_t total = 0;
    for (std::size_t went = 0; (went = store.prune_before(cutoff, request.chunk)) != 0;) total += went;
    return total;
}

}  // namespace nod::queries
