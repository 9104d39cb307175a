#include "exporter/options.hpp"

#include <algorithm>
#include <sstream>

#include <boost/program_options.hpp>

#include "exporter/listen_address.hpp"

namespace nod::exporter {

namespace po = boost::program_options;

namespace {

po::options_description describe() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("help", "show this help and exit")
        ("version", "show the version and exit")
        ("listen", po::value<std::string>(), "HOST:PORT to listen on when systemd passes no socket "
                                             "(default 127.0.0.1:8463; IPv6 as [::1]:8463)")
        ("max-connections", po::value<unsigned>(), "HTTP connections at once; more wait (default 32)")
        ("request-timeout-sec", po::value<unsigned>(), "a connection is closed N seconds after it was accepted, "
                                                       "whatever it sent (default 10)")
        ("bus-address", po::value<std::string>(), "ask the collector on the bus at this address instead of the "
                                                  "system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured too)");
    // clang-format on
    return d;
}

}  // namespace

ParsedOptions parse_options(int argc, const char* const argv[]) {
    auto desc = describe();
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw OptionsError(e.what());
    }
    ParsedOptions parsed;
    if (vm.count("help")) {
        std::ostringstream out;
        out << "Usage: nod-exporter [OPTIONS]\n"
               "Serves nod's history to Prometheus: GET /metrics on the socket systemd passes\n"
               "(nod-exporter.socket), else on --listen. See nod-exporter(8).\n\n"
            << desc;
        parsed.output = out.str();
        return parsed;
    }
    if (vm.count("version")) {
        parsed.output = "nod-exporter " NOD_VERSION "\n";
        return parsed;
    }
    Options o;
    o.listen = vm.count("listen") ? vm["listen"].as<std::string>() : std::string(default_listen);
    try {
        parse_listen_address(o.listen);
    } catch (const AddressError& e) {
        throw OptionsError(std::string("--listen ") + e.what());
    }
    if (vm.count("max-connections")) {
        o.limits.max_connections = vm["max-connections"].as<unsigned>();
        if (o.limits.max_connections == 0 || o.limits.max_connections > 1000)
            throw OptionsError("--max-connections must be from 1 to 1000");
    }
    if (vm.count("request-timeout-sec")) {
        unsigned seconds = vm["request-timeout-sec"].as<unsigned>();
        if (seconds == 0 || seconds > 3600) throw OptionsError("--request-timeout-sec must be from 1 to 3600");
        o.limits.request_timeout = std::chrono::seconds(seconds);
    }
    if (vm.count("bus-address")) o.bus_address = vm["bus-address"].as<std::string>();
    // A scrape makes two calls on libmicrohttpd's one thread: together they must end well before the
    // request timeout, so that a slow collector gives nod_up 0 rather than a connection cut off.
    o.bus_timeout = std::min(o.bus_timeout, std::chrono::duration_cast<std::chrono::milliseconds>(o.limits.request_timeout) / 3);
    parsed.options = std::move(o);
    return parsed;
}

}  // namespace nod::exporter
