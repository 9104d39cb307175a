// nod-exporter's command line.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "exporter/http_server.hpp"

namespace nod::exporter {

struct Options {
    std::string listen;       // HOST:PORT when systemd passes no socket
    std::string bus_address;  // a private bus (tests); empty: the system bus
    Limits limits;
    std::chrono::milliseconds bus_timeout{5000};  // per D-Bus call to the collector; at most a third of the request timeout
};

class OptionsError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ParsedOptions {
    std::optional<Options> options;  // empty: --help or --version was answered
    std::string output;
};

// Throws OptionsError naming the bad option.
ParsedOptions parse_options(int argc, const char* const argv[]);

}  // namespace nod::exporter
