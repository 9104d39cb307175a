// How fast the real nod-collector takes Nix streams in from its Unix socket while it writes rows to its
// database, against a baseline that only drains the same socket (bench/collector/drain_socket), with the
// same sender in the same run. Each repetition runs both, alternating which goes first; medians are
// reported, and the ratio collector / baseline (the median of the repetitions' ratios) is the figure that
// counts on a shared machine.
//
//   ingest_bench [--workload corpus|chatty|all] [--replays N] [--builds N] [--lines-per-build N]
//                [--connections C] [--repetitions R] [--json FILE]
//
// Workloads:
//   corpus  every Nix 2.30 capture of tests/data/corpus (h1–h7) replayed N times; the ids of each replay
//           are shifted (their pid part), so that no row is folded into another's as a duplicate
//   chatty  N builds, each printing --lines-per-build log lines, one connection each
//
// What is timed: from the first connect until the server has closed every connection, i.e. has read
// every byte (it closes only at EOF: see StreamClient::finish) — lines/s and MB/s; for the collector,
// also until its Rows property counts every expected row — rows/s committed (it hands rows to its
// writer every 1,000 rows or 200 ms, so the last batch adds up to 200 ms). The sender writes 64 KiB at
// a time from memory, C connections at once, so that it is not the bottleneck (Nix writes one line per
// write(2)). Rows expected are what nod's Reader makes of the same streams in process.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "reader/reader.hpp"
#include "replay/capture.hpp"
#include "support/bench_support.hpp"

namespace {

using namespace nod;
using namespace nod::bench;
using namespace std::chrono_literals;

// The connections of one Nix command, sent one after another (so that a daemon's activities reported on
// two connections fold the same way every time).
struct Unit {
    std::vector<std::string> streams;
};

struct Workload {
    std::string name;
    std::vector<Unit> units;
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
    std::uint64_t rows = 0;  // what the Reader makes of it
};

// Adds `offset` to every id and parent of a line; a line that is not a JSON object stays as it is.
std::string shift_ids(const std::string& line, std::uint64_t offset) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject()) return line;
    for (const char* key : {"id", "parent"}) {
        auto it = d.FindMember(key);
        if (it != d.MemberEnd() && it->value.IsUint64() && it->value.GetUint64() != 0)
            it->value.SetUint64(it->value.GetUint64() + offset);
    }
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    d.Accept(w);
    return out.GetString();
}

Workload corpus_workload(int replays) {
    fs::path root = fs::path(NOD_TEST_DATA) / "corpus" / "nix-2.30";
    std::vector<fs::path> folders;
    for (const auto& e : fs::directory_iterator(root))
        if (e.is_directory() && e.path().filename().string().starts_with("h")) folders.push_back(e.path());
    std::sort(folders.begin(), folders.end());
    std::vector<std::vector<replay::CapturedConnection>> captures;
    for (const auto& f : folders) captures.push_back(replay::load_capture_folder(f));

    Workload w;
    w.name = "corpus";
    for (int k = 0; k < replays; ++k) {
        for (std::size_t f = 0; f < captures.size(); ++f) {
            // Ids are (pid << 32) + counter; bits 40 and up are free in every capture.
            std::uint64_t offset = (static_cast<std::uint64_t>(k) * captures.size() + f + 1) << 40;
            Unit u;
            for (const auto& c : captures[f]) {
                std::string s;
                for (const auto& l : c.lines) {
                    s += shift_ids(l.text, offset);
                    s += '\n';
                }
                u.streams.push_back(std::move(s));
            }
            w.units.push_back(std::move(u));
        }
    }
    return w;
}

// A big C++ build on the wire, as in bench/reader: one Worker, one build, `lines` log lines, a phase
// change every 500 lines, the Worker's Builds progress, the stop.
std::string chatty_build(int index, int lines) {
    const std::uint64_t base = static_cast<std::uint64_t>(4242 + index) << 32;
    const std::string id = std::to_string(base + 2);
    std::string s = R"({"action":"start","id":)" + std::to_string(base + 1) +
                    R"(,"level":0,"parent":0,"text":"","type":104})"
                    "\n";
    s += R"({"action":"start","fields":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-chromium-)" +
         std::to_string(index) + R"(.drv","",1,1],"id":)" + id +
         R"(,"level":3,"parent":0,"text":"building","type":105})"
         "\n";
    for (int i = 0; i < lines; ++i) {
        s += R"({"action":"result","fields":["[)" + std::to_string(i) + "/" + std::to_string(lines) +
             R"(] c++ -O2 -fPIC -Iinclude -c ../src/components/viz/service/display/renderer_)" +
             std::to_string(i % 977) + R"(.cc -o obj/renderer.o"],"id":)" + id +
             R"(,"type":101})"
             "\n";
        if (i % 500 == 0)
            s += R"({"action":"result","fields":["buildPhase"],"id":)" + id +
                 R"(,"type":104})"
                 "\n";
    }
    s += R"({"action":"result","fields":[1,1,0,0],"id":)" + std::to_string(base + 1) +
         R"(,"type":105})"
         "\n";
    s += R"({"action":"stop","id":)" + id + "}\n";
    s += R"({"action":"stop","id":)" + std::to_string(base + 1) + "}\n";
    return s;
}

Workload chatty_workload(int builds, int lines) {
    Workload w;
    w.name = "chatty";
    for (int b = 0; b < builds; ++b) w.units.push_back(Unit{{chatty_build(b, lines)}});
    return w;
}

constexpr std::size_t chunk = 64 * 1024;

// Counts lines and bytes, and the rows nod's Reader makes of the units sent in this order.
void count(Workload& w) {
    Reader reader({}, [&](Row&&) { ++w.rows; });
    std::vector<char> buffer(chunk);
    for (const auto& u : w.units) {
        for (const auto& s : u.streams) {
            w.lines += static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '\n'));
            w.bytes += s.size();
            auto conn = reader.open({}, 0);
            for (std::size_t at = 0; at < s.size(); at += chunk) {
                std::size_t n = std::min(chunk, s.size() - at);
                std::memcpy(buffer.data(), s.data() + at, n);
                reader.feed(conn, buffer.data(), n, 0);
            }
            reader.close(conn, 0);
        }
    }
}

// Sends every unit, `connections` at a time; returns the seconds until the server read it all.
double send_all(const Workload& w, const fs::path& socket, int connections) {
    std::atomic<std::size_t> next{0};
    std::mutex mutex;
    std::string failure;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < connections; ++t) {
        threads.emplace_back([&] {
            try {
                for (std::size_t i; (i = next++) < w.units.size();) {
                    for (const auto& s : w.units[i].streams) {
                        StreamClient c(socket);
                        for (std::size_t at = 0; at < s.size(); at += chunk)
                            c.write(std::string_view(s).substr(at, chunk));
                        c.finish();
                    }
                }
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                failure = e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    if (!failure.empty()) throw std::runtime_error(failure);
    return seconds_since(t0);
}

struct Run {
    double read_s = 0;
    double commit_s = 0;
    std::uint64_t rows = 0;
    long hwm_kib = 0;
};

Run run_baseline(const Workload& w, int connections) {
    test::TempDir dir;
    auto socket = dir / "drain.sock";
    SocketServer drain({NOD_DRAIN, "--socket", socket.string()}, {}, dir.path(), "drain");
    Run r;
    r.read_s = send_all(w, socket, connections);
    r.hwm_kib = memory_of(drain.pid()).hwm_kib;
    drain.stop();
    return r;
}

Run run_collector(const Workload& w, int connections, const test::PrivateBus& bus, Bus& client,
                  Results& results) {
    test::TempDir dir;
    auto socket = dir / "nod.sock";
    SocketServer collector(collector_argv(NOD_COLLECTOR, socket, dir / "nod.db"),
                           {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}}, dir.path(), "collector");
    Run r;
    auto t0 = std::chrono::steady_clock::now();
    r.read_s = send_all(w, socket, connections);
    // Rows are committed by the writer thread; poll the Rows property until all are there (or it stops
    // growing for 20 s, which means the expectation was wrong: reported, not hidden).
    auto last_change = std::chrono::steady_clock::now();
    for (std::uint64_t seen = 0;;) {
        r.rows = client.rows();
        if (r.rows >= w.rows) break;
        if (r.rows != seen) {
            seen = r.rows;
            last_change = std::chrono::steady_clock::now();
        } else if (seconds_since(last_change) > 20) {
            std::fprintf(stderr, "  the collector stopped at %llu of %llu rows\n",
                         static_cast<unsigned long long>(r.rows), static_cast<unsigned long long>(w.rows));
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    r.commit_s = seconds_since(t0);
    r.hwm_kib = memory_of(collector.pid()).hwm_kib;
    note_exit(results, "collector", collector.stop(), collector);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::string which = "all";
    int replays = 200, builds = 20, lines_per_build = 50'000, connections = 4, repetitions = 5;
    namespace po = boost::program_options;
    po::options_description flags("ingest_bench: the collector's socket against a plain reader");
    flags.add_options()("workload", po::value(&which)->default_value(which), "all, corpus or chatty")(
        "replays", po::value(&replays)->default_value(replays), "corpus captures replayed")(
        "builds", po::value(&builds)->default_value(builds), "chatty builds")(
        "lines-per-build", po::value(&lines_per_build)->default_value(lines_per_build),
        "log lines per chatty build")("connections", po::value(&connections)->default_value(connections),
                                      "connections at once")(
        "repetitions", po::value(&repetitions)->default_value(repetitions), "runs of each arm");
    fs::path json = parse_flags(argc, argv, "ingest_bench", flags);
    try {
        std::vector<Workload> workloads;
        if (which == "all" || which == "corpus") workloads.push_back(corpus_workload(replays));
        if (which == "all" || which == "chatty")
            workloads.push_back(chatty_workload(builds, lines_per_build));
        test::PrivateBus bus(NOD_POLICY_DIR,
                             R"(<policy user="root"><allow own="net.bergsoe.Nod1"/></policy>)");
        Bus client(bus.address());
        Results results;
        results.set("connections", connections);
        results.set("repetitions", repetitions);
        for (auto& w : workloads) {
            count(w);
            std::printf("%s: %zu units, %llu lines, %.1f MB, %llu rows expected\n", w.name.c_str(),
                        w.units.size(), static_cast<unsigned long long>(w.lines),
                        static_cast<double>(w.bytes) / 1e6, static_cast<unsigned long long>(w.rows));
            std::vector<double> base_lps, coll_lps, coll_rps, base_s, coll_read_s, coll_commit_s, ratios;
            long hwm = 0;
            std::uint64_t rows_seen = 0;
            auto lines = static_cast<double>(w.lines);
            for (int rep = 0; rep < repetitions; ++rep) {
                Run b, c;
                if (rep % 2 == 0) {  // alternate the order: drift in the machine's load hits both alike
                    b = run_baseline(w, connections);
                    c = run_collector(w, connections, bus, client, results);
                } else {
                    c = run_collector(w, connections, bus, client, results);
                    b = run_baseline(w, connections);
                }
                base_s.push_back(b.read_s);
                coll_read_s.push_back(c.read_s);
                coll_commit_s.push_back(c.commit_s);
                base_lps.push_back(lines / b.read_s);
                coll_lps.push_back(lines / c.read_s);
                coll_rps.push_back(static_cast<double>(c.rows) / c.commit_s);
                ratios.push_back(b.read_s / c.read_s);  // paired: both ran back to back
                hwm = std::max(hwm, c.hwm_kib);
                rows_seen = c.rows;
                std::printf(
                    "  rep %d: baseline %.3f s (%.2f M lines/s), collector read %.3f s (%.2f M lines/s), "
                    "%llu rows committed at %.3f s\n",
                    rep + 1, b.read_s, lines / b.read_s / 1e6, c.read_s, lines / c.read_s / 1e6,
                    static_cast<unsigned long long>(c.rows), c.commit_s);
            }
            double mb = static_cast<double>(w.bytes) / 1e6;
            double bl = median(base_lps), cl = median(coll_lps);
            std::printf(
                "  median: baseline %.2f M lines/s %.0f MB/s, collector %.2f M lines/s %.0f MB/s, "
                "ratio %.2f; %.0f rows/s committed; collector peak RSS %.1f MiB\n",
                bl / 1e6, bl * mb / lines, cl / 1e6, cl * mb / lines, median(ratios), median(coll_rps),
                static_cast<double>(hwm) / 1024);
            const std::string k = w.name + ".";
            results.set(k + "units", static_cast<double>(w.units.size()));
            results.set(k + "lines", lines);
            results.set(k + "bytes", static_cast<double>(w.bytes));
            results.set(k + "rows_expected", static_cast<double>(w.rows));
            results.set(k + "rows_seen", static_cast<double>(rows_seen));
            results.set(k + "baseline.lines_per_s", bl);
            results.set(k + "baseline.mb_per_s", bl * mb / lines);
            results.set(k + "baseline.read_s", median(base_s));
            results.set(k + "collector.lines_per_s", cl);
            results.set(k + "collector.mb_per_s", cl * mb / lines);
            results.set(k + "collector.read_s", median(coll_read_s));
            results.set(k + "collector.commit_s", median(coll_commit_s));
            results.set(k + "collector.rows_per_s", median(coll_rps));
            results.set(k + "collector.hwm_mib", static_cast<double>(hwm) / 1024);
            results.set(k + "ratio", median(ratios));
            results.set(k + "ratio_min", *std::min_element(ratios.begin(), ratios.end()));
            results.set(k + "ratio_max", *std::max_element(ratios.begin(), ratios.end()));
        }
        if (!json.empty()) results.write(json);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ingest_bench: %s\n", e.what());
        return 1;
    }
}
