// What the end-to-end benchmarks share: a real nod-collector (or the plain reader baseline) started the
// way systemd starts it, a client of its socket that knows when everything it sent was read, an sd-bus
// client of the private bus, /proc memory figures, medians, and the flat JSON file scripts/bench reads.
#pragma once

#include <sys/types.h>
#include <systemd/sd-bus.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>

#include "support/processes.hpp"

namespace nod::bench {

namespace fs = std::filesystem;

// A program that listens on a Unix socket and says READY=1 over sd_notify: nod-collector, or
// bench/collector/drain_socket. Started in `dir`, killed when the object goes unless stop()ped.
class SocketServer {
public:
    SocketServer(std::vector<std::string> argv, const test::Env& env, const fs::path& dir,
                 const std::string& name);
    pid_t pid() const { return process_.pid(); }
    // SIGTERM, then waits; returns the exit status (-1 on timeout).
    int stop(std::chrono::milliseconds timeout = std::chrono::minutes(5));
    std::string log() const;
    // What each of its threads is doing (/proc: name, kernel wait channel, system call; with gdb's
    // backtraces when gdb is installed): for a server that stopped answering.
    std::string threads() const;

private:
    fs::path log_;
    // Before process_: it must exist when the child starts. Gone after READY=1: nothing reads it then, and
    // a full queue would block the collector's STATUS= updates (sd_notify sends blocking), its event loop
    // with them; without the socket they fail at once, as with no manager.
    std::optional<test::NotifySocket> notify_;
    test::Process process_;
};

// The argv of a collector on its own socket and database; `extra` flags are appended.
std::vector<std::string> collector_argv(const fs::path& binary, const fs::path& socket, const fs::path& db,
                                        std::vector<std::string> extra = {});

// One stream connection to a listening socket, as Nix opens it. finish() half-closes it and waits until
// the server closes its end, i.e. until the server has read everything sent (both nod-collector and the
// baseline close a connection only at EOF).
class StreamClient {
public:
    explicit StreamClient(const fs::path& socket);
    ~StreamClient();
    StreamClient(StreamClient&& o) noexcept;
    StreamClient(const StreamClient&) = delete;
    StreamClient& operator=(const StreamClient&) = delete;
    StreamClient& operator=(StreamClient&&) = delete;

    void write(std::string_view bytes);  // whole, blocking; throws on error
    void finish();                       // shutdown(SHUT_WR), read to EOF, close

private:
    int fd_ = -1;
};

// An sd-bus connection to a private bus, for timing calls to net.bergsoe.Nod1 and reading its properties.
class Bus {
public:
    explicit Bus(const std::string& address);
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;
    sd_bus* get() const { return bus_; }

    std::uint64_t rows();         // property Rows: rows committed so far
    std::uint32_t connections();  // property Connections: Nix connections open
    void ping();                  // org.freedesktop.DBus.Peer.Ping to the collector: the bus round trip

private:
    sd_bus* bus_ = nullptr;
};

struct Memory {
    long rss_kib = 0;  // VmRSS
    long hwm_kib = 0;  // VmHWM (peak)
};
Memory memory_of(pid_t pid);

double seconds_since(std::chrono::steady_clock::time_point t0);
double median(std::vector<double> v);
double quantile(std::vector<double> v, double q);  // nearest rank, q in [0, 1]

// Flat "key": value results, written as one JSON object for scripts/bench (keys like
// "corpus.collector.lines_per_s"); also what each program prints at the end.
class Results {
public:
    void set(const std::string& key, double value) { numbers_[key] = value; }
    void set(const std::string& key, const std::string& value) { texts_[key] = value; }
    bool has(const std::string& key) const { return numbers_.contains(key) || texts_.contains(key); }
    void write(const fs::path& file) const;

private:
    std::map<std::string, double> numbers_;
    std::map<std::string, std::string> texts_;
};

// A server that does not exit cleanly at SIGTERM is a bug worth seeing, but it does not void the figures
// taken before it was stopped: the first such status is recorded as "<who>.exit_status" (scripts/bench
// puts it in the document's warnings) and printed with the server's log.
void note_exit(Results& results, const std::string& who, int status, const SocketServer& server);

// Every benchmark's flags, with Boost.Program_options like the rest of nod: `flags` plus --help and
// --json FILE (also write the results there). Prints the usage and exits 0 on --help, 2 on a bad flag.
// Returns --json's file, empty when not given.
fs::path parse_flags(int argc, char** argv, const char* program,
                     boost::program_options::options_description& flags);

}  // namespace nod::bench
