// Writes random batches (and prunes) forever, so that a test can SIGKILL it at any moment.
// Usage: store-writer-loop DB SEED
#include <cstdio>
#include <cstdlib>
#include <random>

#include "store/error.hpp"
#include "store/store.hpp"
#include "support.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s DB SEED\n", argv[0]);
        return 2;
    }
    setenv("TZ", "UTC", 1);
    try {
        // Folds every few batches, so that kills also land in the middle of folds.
        nod::store::Store store(argv[1], {.fold_after_batches = 4});
        std::mt19937_64 random(std::strtoull(argv[2], nullptr, 10));
        std::uniform_int_distribution<std::size_t> batch_size(50, 300);
        nod::Micros first = nod::store::testing::utc(2026, 1, 1);
        nod::Micros span = 30LL * 86'400'000'000LL;
        nod::store::Day cutoff = nod::store::day_of_date({2026, 1, 16});
        for (unsigned batch = 0;; ++batch) {
            store.write(nod::store::testing::random_rows(random, batch_size(random), first, span));
            if (batch % 3 == 2) store.prune_before(cutoff, 500);
        }
    } catch (const nod::store::Error& e) {
        std::fprintf(stderr, "store-writer-loop: %s\n", e.what());
        return 1;
    }
}
