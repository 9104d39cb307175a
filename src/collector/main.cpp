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
    // Fixed thresholds for giving heap back: glibc raises them as it goes, and after a flood (rows the Nix
    // reader allocates and the writer frees) the threads' heaps then stayed resident, about 60 MiB above
    // the start after 500 000 rows; with these the writer's malloc_trim gives it back (docs/security.md).
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
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
