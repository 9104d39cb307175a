// The Nix-like client of fair_queries as a process of its own: a build every 2 ms until SIGTERM, then each
// build's id and send time (µs since the epoch) written to OUT, one per line. Apart from the benchmark's
// process, which forks a caller every few milliseconds (a fork stops a multi-threaded process's other
// threads while it copies the page tables, and that would count as read wait).
//
//   nix_sender SOCKET FIRST_ID OUT
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "nix_stream.hpp"

namespace {
std::atomic<bool> stop{false};
void on_term(int) { stop = true; }
}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: nix_sender SOCKET FIRST_ID OUT\n");
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, nullptr);
    auto sent = nod::bench::send_builds(argv[1], std::strtoull(argv[2], nullptr, 10), 0, &stop);
    std::ofstream out(argv[3]);
    for (const auto& [id, at] : sent) out << id << ' ' << at << '\n';
    return out ? 0 : 1;
}
