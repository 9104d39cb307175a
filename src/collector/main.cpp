// nod-collector: records what Nix reports on its json-log-path socket and serves it on D-Bus.
#include <malloc.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "collector/collector.hpp"
#include "collector/config.hpp"

int main(int argc, char* argv[]) {
    // The database and its -wal and -shm files hold every user's builds with their uids: private whatever
    // umask the collector was started with (the unit sets UMask=0077 too).
    umask(0077);
    // One malloc arena: the Nix reader allocates rows and the writer frees them; with an arena per thread a
    // flood left them fragmented and resident (about 60 MiB above the start after 500 000 rows), with one
    // the writer's malloc_trim gives it back. The threads allocate little besides, so they hardly contend.
    mallopt(M_ARENA_MAX, 1);
    nod::collector::ParsedConfig parsed;
    try {
        parsed = nod::collector::parse_config(argc, argv, [](const char* name) { return std::getenv(name); });
    } catch (const nod::collector::ConfigError& e) {
        std::cerr << "nod-collector: " << e.what() << "\nTry 'nod-collector --help'.\n";
        return 2;
    }
    if (!parsed.config) {
        std::cout << parsed.output;
        return 0;
    }
    nod::collector::Collector collector(std::move(*parsed.config));
    return collector.run();
}
