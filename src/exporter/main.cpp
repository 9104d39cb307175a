// nod-exporter: serves nod's history to Prometheus over HTTP, as a D-Bus client of nod-collector.
#include <signal.h>

#include <cstdlib>
#include <iostream>

#include <sdbus-c++/sdbus-c++.h>

#include "exporter/http_server.hpp"
#include "exporter/listen_address.hpp"
#include "exporter/options.hpp"
#include "exporter/scrape.hpp"
#include "metrics/collector_source.hpp"

namespace {

// Scrapes that come within this time of one another share the collector's answer.
constexpr std::chrono::milliseconds share_snapshot{1000};

}  // namespace

int main(int argc, char* argv[]) {
    using namespace nod::exporter;
    ParsedOptions parsed;
    try {
        parsed = parse_options(argc, argv);
    } catch (const OptionsError& e) {
        std::cerr << "nod-exporter: " << e.what() << "\nTry 'nod-exporter --help'.\n";
        return 2;
    }
    if (!parsed.options) {
        std::cout << parsed.output;
        return 0;
    }
    const Options& options = *parsed.options;

    // Before any thread starts, so that every thread inherits the mask and only sigwait below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    try {
        nod::metrics::CollectorSource source(
            [address = options.bus_address] {
                return address.empty() ? sdbus::createSystemBusConnection()
                                       : sdbus::createSessionBusConnectionWithAddress(address);
            },
            options.bus_timeout);
        // The journal says why nod_up is 0, once each time the reason changes, not once per scrape.
        Scraper scraper(
            [&source, last_error = std::string()]() mutable {
                nod::metrics::Snapshot snapshot = source.fetch();
                std::string error = snapshot.up ? "" : snapshot.error;
                if (error != last_error)
                    std::cerr << (error.empty() ? std::string("nod-exporter: the collector answers again\n")
                                                : "nod-exporter: the collector cannot be reached: " + error + "\n");
                last_error = std::move(error);
                return snapshot;
            },
            share_snapshot);
        HttpServer server(acquire_listen_socket(options.listen), options.limits,
                          [&scraper](const Request& request) { return scraper.respond(request); });
        int signal_number = 0;
        sigwait(&stop_signals, &signal_number);
    } catch (const std::exception& e) {
        std::cerr << "nod-exporter: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
