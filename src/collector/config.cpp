#include "collector/config.hpp"

#include <sstream>

#include <boost/program_options.hpp>

namespace nod::collector {

namespace po = boost::program_options;

namespace {

// Flag name → environment variable, e.g. idle-exit-sec → NOD_IDLE_EXIT_SEC.
std::string env_name(const std::string& flag) {
    std::string name = "NOD_";
    for (char c : flag) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

po::options_description describe() {
    po::options_description d("Options (each also as an environment variable, e.g. --db as NOD_DB)");
    d.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("socket", po::value<std::string>(), "listen on this Unix socket when not socket-activated "
                                             "(default: nod.sock here; /run/nod.sock under systemd)")
        ("db", po::value<std::string>(), "the SQLite database (default: nod.db here; $STATE_DIRECTORY/nod.db "
                                         "under systemd)")
        ("bus", po::value<std::string>(), "system or session (default: system; DBUS_SYSTEM_BUS_ADDRESS is honoured)")
        ("bus-address", po::value<std::string>(), "connect to the bus at this address instead")
        ("idle-exit-sec", po::value<std::uint32_t>(), "exit after N seconds without Nix connections or calls (0: never)")
        ("retain-days", po::value<std::uint32_t>(), "delete rows older than N days, daily (0: keep all)")
        ("max-connections", po::value<std::uint32_t>(), "Nix connections at once; more are refused (default 1024; "
                                                        "1 in 16 is kept for root)")
        ("max-connections-per-user", po::value<std::uint32_t>(), "Nix connections of one non-root user at once "
                                                                 "(default 64)")
        ("max-rows-per-user-day", po::value<std::uint32_t>(), "rows a user other than root may store in 24 hours "
                                                              "(default 200000; 0: no bound)")
        ("max-unwritten-mib", po::value<std::uint32_t>(), "rows waiting for the database before the connections "
                                                          "of users other than root that hand over rows wait "
                                                          "(default 64; 4 times that are kept at most)")
        ("query-timeout-sec", po::value<double>(), "a query that reads the database longer is stopped with an "
                                                   "error (default 10; fractions allowed)")
        ("max-line-bytes", po::value<std::uint32_t>(), "longer log lines are skipped and counted (default 1 MiB)")
        ("max-activities", po::value<std::uint32_t>(), "activities in flight per connection (default 16384)");
    return d;
}

}  // namespace

ParsedConfig parse_config(int argc, const char* const argv[], const Environment& env) {
    auto desc = describe();
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        // Environment second: po::store keeps the values the command line already set.
        for (const auto& opt : desc.options()) {
            const std::string& flag = opt->long_name();
            if (flag == "help" || flag == "version" || vm.count(flag)) continue;
            if (const char* value = env(env_name(flag).c_str()); value && *value) {
                const char* args[] = {"nod-collector", nullptr};
                std::string arg = "--" + flag + "=" + value;
                args[1] = arg.c_str();
                try {
                    po::store(po::command_line_parser(2, args).options(desc).run(), vm);
                } catch (const po::error& e) {
                    throw ConfigError(env_name(flag) + "=" + value + ": " + e.what());
                }
            }
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw ConfigError(e.what());
    }

    if (vm.count("help")) {
        std::ostringstream out;
        out << "Usage: nod-collector [OPTIONS]\n\nRecords the builds, substitutions and copies Nix reports on its "
               "json-log-path\nsocket, and answers questions about them on D-Bus as net.bergsoe.Nod1.\n\n"
            << desc;
        return {std::nullopt, out.str()};
    }
    if (vm.count("version")) return {std::nullopt, std::string("nod-collector ") + NOD_VERSION + "\n"};

    Config c;
    const char* state_dir = env("STATE_DIRECTORY");
    bool under_systemd = (state_dir && *state_dir) || env("INVOCATION_ID");
    c.socket = vm.count("socket") ? vm["socket"].as<std::string>() : (under_systemd ? "/run/nod.sock" : "nod.sock");
    if (vm.count("db")) {
        c.db = vm["db"].as<std::string>();
    } else if (state_dir && *state_dir) {
        // StateDirectory= may list several folders, separated by colons: the first is nod's.
        std::string first = state_dir;
        c.db = std::filesystem::path(first.substr(0, first.find(':'))) / "nod.db";
    } else {
        c.db = "nod.db";
    }
    if (vm.count("bus")) {
        auto bus = vm["bus"].as<std::string>();
        if (bus == "system") c.bus = BusKind::system;
        else if (bus == "session") c.bus = BusKind::session;
        else throw ConfigError("--bus must be system or session, not '" + bus + "'");
    }
    if (vm.count("bus-address")) c.bus_address = vm["bus-address"].as<std::string>();
    auto number = [&](const char* flag, std::uint32_t& into, std::uint32_t min) {
        if (!vm.count(flag)) return;
        into = vm[flag].as<std::uint32_t>();
        if (into < min) throw ConfigError(std::string("--") + flag + " must be at least " + std::to_string(min));
    };
    number("idle-exit-sec", c.idle_exit_sec, 0);
    number("retain-days", c.retain_days, 0);
    number("max-connections", c.max_connections, 2);
    number("max-connections-per-user", c.max_connections_per_user, 1);
    number("max-rows-per-user-day", c.max_rows_per_user_day, 0);
    number("max-unwritten-mib", c.max_unwritten_mib, 1);
    if (vm.count("query-timeout-sec")) {
        double seconds = vm["query-timeout-sec"].as<double>();
        if (!(seconds >= 0.001 && seconds <= 86'400))
            throw ConfigError("--query-timeout-sec must be between 0.001 and 86400");
        c.query_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    }
    number("max-line-bytes", c.max_line_bytes, 1024);
    number("max-activities", c.max_activities, 16);
    return {c, {}};
}

}  // namespace nod::collector
