// The collector's memory (VmRSS, and the peak VmHWM of each phase) from /proc, in three situations:
// idle after start, with 200 Nix connections open and streaming build logs, and while and after one
// connection sends a single 64 MiB line. The baseline is bench/collector/drain_socket (the same socket
// reading, nothing else) through the same phases in the same run.
//
//   collector_memory [--connections N] [--seconds S] [--line-mib M] [--json FILE]
//
// Each phase's peak: VmHWM is reset to the current RSS by writing 5 to /proc/PID/clear_refs (root) before
// the phase, and read after it.
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/bench_support.hpp"

namespace {

using namespace nod;
using namespace nod::bench;
using namespace std::chrono_literals;

void reset_peak(pid_t pid) {
    std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
    clear << "5\n";
}

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

struct Options {
    int connections = 200;
    double seconds = 5;
    int line_mib = 64;
};

std::string id_of(int connection, int n) {
    return std::to_string((static_cast<std::uint64_t>(7000 + connection) << 32) +
                          static_cast<std::uint64_t>(n));
}

// The phases against one running server; results under `prefix`.
void phases(const std::string& prefix, pid_t pid, const fs::path& socket, const Options& o,
            Results& results) {
    std::this_thread::sleep_for(2s);  // idle: after start-up has settled
    Memory idle = memory_of(pid);
    std::printf("  idle: RSS %.1f MiB\n", mib(idle.rss_kib));
    results.set(prefix + "idle.rss_mib", mib(idle.rss_kib));

    // N connections, each with a Worker and a build in flight, writing log lines round robin.
    reset_peak(pid);
    std::vector<StreamClient> clients;
    for (int c = 0; c < o.connections; ++c) {
        clients.emplace_back(socket);
        clients.back().write(
            R"({"action":"start","id":)" + id_of(c, 1) +
            R"(,"level":0,"parent":0,"text":"","type":104})"
            "\n"
            R"({"action":"start","fields":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-mem-)" +
            std::to_string(c) + R"(.drv","",1,1],"id":)" + id_of(c, 2) +
            R"(,"level":3,"parent":0,"text":"building","type":105})"
            "\n");
    }
    auto t0 = std::chrono::steady_clock::now();
    std::uint64_t lines = 0;
    long peak_rss = 0;
    auto last_sample = t0;
    while (seconds_since(t0) < o.seconds) {
        for (int c = 0; c < o.connections; ++c) {
            std::string batch;
            for (int i = 0; i < 10; ++i)
                batch += R"({"action":"result","fields":["[)" +
                         std::to_string(lines + static_cast<std::uint64_t>(i)) +
                         R"(] c++ -O2 -fPIC -Iinclude -c ../src/renderer.cc -o obj/renderer.o"],"id":)" +
                         id_of(c, 2) +
                         R"(,"type":101})"
                         "\n";
            clients[static_cast<std::size_t>(c)].write(batch);
            lines += 10;
        }
        if (std::chrono::steady_clock::now() - last_sample > 50ms) {
            peak_rss = std::max(peak_rss, memory_of(pid).rss_kib);
            last_sample = std::chrono::steady_clock::now();
        }
    }
    Memory streaming = memory_of(pid);
    peak_rss = std::max(peak_rss, streaming.rss_kib);
    for (int c = 0; c < o.connections; ++c) {
        auto& client = clients[static_cast<std::size_t>(c)];
        client.write(R"({"action":"result","fields":[1,1,0,0],"id":)" + id_of(c, 1) +
                     R"(,"type":105})"
                     "\n"
                     R"({"action":"stop","id":)" +
                     id_of(c, 2) +
                     "}\n"
                     R"({"action":"stop","id":)" +
                     id_of(c, 1) + "}\n");
        client.finish();
    }
    std::this_thread::sleep_for(1s);  // rows handed to the writer and written
    Memory closed = memory_of(pid);
    std::printf(
        "  %d connections streaming %.0f s (%llu lines): RSS %.1f MiB at the end, peak %.1f MiB; "
        "after they closed: RSS %.1f MiB\n",
        o.connections, o.seconds, static_cast<unsigned long long>(lines), mib(streaming.rss_kib),
        mib(std::max(streaming.hwm_kib, peak_rss)), mib(closed.rss_kib));
    results.set(prefix + "streaming.lines", static_cast<double>(lines));
    results.set(prefix + "streaming.rss_mib", mib(streaming.rss_kib));
    results.set(prefix + "streaming.hwm_mib", mib(std::max(streaming.hwm_kib, peak_rss)));
    results.set(prefix + "streaming.closed_rss_mib", mib(closed.rss_kib));

    // One line of M MiB (a JSON string of 'x'), then an ordinary line, on one connection.
    reset_peak(pid);
    {
        StreamClient big(socket);
        big.write(R"({"action":"msg","level":0,"msg":")");
        std::string block(1 << 20, 'x');
        for (int i = 0; i < o.line_mib; ++i) big.write(block);
        big.write(R"("})"
                  "\n"
                  R"({"action":"msg","level":0,"msg":"after the long line"})"
                  "\n");
        big.finish();
    }
    std::this_thread::sleep_for(1s);
    Memory after = memory_of(pid);
    std::printf("  one %d MiB line: peak %.1f MiB; RSS after %.1f MiB\n", o.line_mib, mib(after.hwm_kib),
                mib(after.rss_kib));
    results.set(prefix + "long_line.hwm_mib", mib(after.hwm_kib));
    results.set(prefix + "long_line.rss_mib", mib(after.rss_kib));
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    boost::program_options::options_description flags(
        "collector_memory: the collector's and a plain reader's memory");
    flags.add_options()("connections",
                        boost::program_options::value(&o.connections)->default_value(o.connections),
                        "connections streaming at once")(
        "seconds", boost::program_options::value(&o.seconds)->default_value(o.seconds),
        "how long they stream")("line-mib",
                                boost::program_options::value(&o.line_mib)->default_value(o.line_mib),
                                "the huge line's size");
    fs::path json = parse_flags(argc, argv, "collector_memory", flags);
    try {
        Results results;
        results.set("connections", o.connections);
        results.set("seconds", o.seconds);
        results.set("line_mib", o.line_mib);
        {
            std::printf("baseline (drain_socket):\n");
            test::TempDir dir;
            auto socket = dir / "drain.sock";
            SocketServer drain({NOD_DRAIN, "--socket", socket.string()}, {}, dir.path(), "drain");
            phases("baseline.", drain.pid(), socket, o, results);
            drain.stop();
        }
        {
            std::printf("nod-collector (default limits: 1 MiB lines, 1024 connections):\n");
            test::TempDir dir;
            test::PrivateBus bus(NOD_POLICY_DIR,
                                 R"(<policy user="root"><allow own="net.bergsoe.Nod1"/></policy>)");
            auto socket = dir / "nod.sock";
            SocketServer collector(collector_argv(NOD_COLLECTOR, socket, dir / "nod.db"),
                                   {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}}, dir.path(), "collector");
            phases("collector.", collector.pid(), socket, o, results);
            Bus client(bus.address());
            results.set("collector.rows", static_cast<double>(client.rows()));
            note_exit(results, "collector", collector.stop(), collector);
        }
        if (!json.empty()) results.write(json);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "collector_memory: %s\n", e.what());
        return 1;
    }
}
