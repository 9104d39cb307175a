// How long one retention chunk holds the writer: prunes the oldest DAYS days of a populated database
// (it changes the file: run it on a copy) in chunks of CHUNK rows and reports the time per chunk.
// Usage: prune_timing FILE DAYS CHUNK
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "store/error.hpp"
#include "store/store.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s FILE DAYS CHUNK\n", argv[0]);
        return 2;
    }
    try {
        nod::store::Store store(argv[1]);
        auto oldest = static_cast<nod::store::Day>(store.database().query_int("SELECT min(day) FROM day_totals"));
        nod::store::Day cutoff = oldest + std::atoi(argv[2]);
        auto chunk = static_cast<std::size_t>(std::atol(argv[3]));
        std::vector<double> millis;
        std::size_t total = 0;
        for (;;) {
            auto start = std::chrono::steady_clock::now();
            std::size_t went = store.prune_before(cutoff, chunk);
            if (went == 0) break;
            millis.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
            total += went;
        }
        std::sort(millis.begin(), millis.end());
        if (millis.empty()) return 0;
        std::printf("pruned %zu rows in %zu chunks of %zu: median %.1f ms, p99 %.1f ms, max %.1f ms per chunk\n",
                    total, millis.size(), chunk, millis[millis.size() / 2], millis[millis.size() * 99 / 100],
                    millis.back());
        return 0;
    } catch (const nod::store::Error& e) {
        std::fprintf(stderr, "prune_timing: %s\n", e.what());
        return 1;
    }
}
