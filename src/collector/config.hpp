// nod-collector's settings: flags first, then NOD_* environment variables, then defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace nod::collector {

enum class BusKind { system, session };

struct Config {
    std::filesystem::path socket;  // empty when systemd hands the socket over
    std::filesystem::path db;
    BusKind bus = BusKind::system;
    std::string bus_address;       // a private bus: overrides `bus`
    std::uint32_t idle_exit_sec = 0;  // 0: never exit when idle
    std::uint32_t retain_days = 0;    // 0: keep everything
    std::uint32_t max_connections = 1024;  // 1 in 16 of them is kept for root (the nix-daemon's workers)
    std::uint32_t max_connections_per_user = 64;
    std::uint32_t max_rows_per_user_day = 200'000;
    std::uint32_t max_unwritten_mib = 64;  // rows waiting for the writer before flooding connections wait  // rows a non-root user may store in 24 hours; 0: no bound
    std::chrono::milliseconds query_timeout{10'000};
    std::uint32_t max_line_bytes = 1 << 20;
    std::uint32_t max_activities = 16384;
};

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ParsedConfig {
    std::optional<Config> config;  // empty: --help or --version was answered
    std::string output;            // what to print for --help / --version
};

using Environment = std::function<const char*(const char*)>;

// `env` looks up environment variables (std::getenv in the daemon). `under_systemd` picks the default
// paths: /run/nod.sock and $STATE_DIRECTORY/nod.db, else nod.sock and nod.db in the current folder.
ParsedConfig parse_config(int argc, const char* const argv[], const Environment& env);

}  // namespace nod::collector
