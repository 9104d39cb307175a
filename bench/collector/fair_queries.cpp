// Does root still get its answer when other users hammer the bus? Root's `nodctl stats --months 3`, timed
// end to end, quiet and while four callers running as nobody loop heavy queries (two grouped Stats over all
// time, the top 1000 names by time: every name is summed, the reply stays under the bus cap; two grouped
// Test over 30 + 30 days); and in both phases a Nix-like client sends a build every 2 ms,
// whose read latency (receipt − send) says whether the load reaches the reading of Nix.
//
//   fair_queries [--rows N] [--repetitions N] [--json FILE]      (as root: the callers run as nobody)
#include <malloc.h>
#include <unistd.h>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "../store/synthetic.hpp"
#include "nix_stream.hpp"
#include "store/store.hpp"
#include "support/bench_support.hpp"

namespace {

using namespace nod;
using namespace nod::bench;
using namespace std::chrono_literals;

const test::RunAs nobody{65534, 65534};

double time_nodctl(const test::Env& env) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = test::run({NOD_CTL, "stats", "--months", "3"}, env, std::nullopt, 120s);
    double ms = seconds_since(t0) * 1000;
    if (r.status != 0) throw std::runtime_error("nodctl stats failed: " + r.err);
    return ms;
}

// The same question as a call on an open connection: the collector's part, without starting nodctl.
double time_method(Bus& bus) {
    sd_bus_message* reply = nullptr;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    auto t0 = std::chrono::steady_clock::now();
    int r = sd_bus_call_method(bus.get(), "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Stats", &error,
                               &reply, "a{sv}", 1, "months", "u", 3U);
    double ms = seconds_since(t0) * 1000;
    std::string message = error.message ? error.message : "";
    sd_bus_error_free(&error);
    sd_bus_message_unref(reply);
    if (r < 0) throw std::runtime_error("Stats failed: " + message);
    return ms;
}

struct Phase {
    std::vector<double> root_ms, method_ms;
    Latencies reads;
};

// Root's nodctl `repetitions` times, 100 ms apart, while a Nix client sends builds; `first_id` keeps the
// phases' builds apart.
Phase run_phase(const test::Env& env, Bus& bus, const fs::path& dir, const fs::path& socket, const fs::path& db,
                int repetitions, std::uint64_t first_id) {
    Phase p;
    fs::path sent_file = dir / ("sent-" + std::to_string(first_id));
    auto nix = std::make_unique<test::Process>(
        std::vector<std::string>{NOD_NIX_SENDER, socket.string(), std::to_string(first_id), sent_file.string()});
    std::this_thread::sleep_for(200ms);
    for (int i = 0; i < repetitions; ++i) {
        p.root_ms.push_back(time_nodctl(env));
        p.method_ms.push_back(time_method(bus));
        std::this_thread::sleep_for(100ms);
    }
    nix->signal(SIGTERM);
    if (nix->wait(10s) != 0) throw std::runtime_error("the Nix sender failed");
    std::this_thread::sleep_for(500ms);  // the last builds reach the database
    std::map<std::uint64_t, Micros> sent;
    std::ifstream in(sent_file);
    for (std::uint64_t id = 0; in >> id;) in >> sent[id];
    p.reads = read_latencies(db, sent);
    return p;
}

void report(Results& results, const std::string& key, const Phase& p) {
    results.set(key + ".root_p50_ms", median(p.root_ms));
    results.set(key + ".root_max_ms", quantile(p.root_ms, 1.0));
    results.set(key + ".method_p50_ms", median(p.method_ms));
    results.set(key + ".method_max_ms", quantile(p.method_ms, 1.0));
    results.set(key + ".read_max_ms", p.reads.max());
    results.set(key + ".read_p99_ms", p.reads.quantile(0.99));
    results.set(key + ".builds", static_cast<double>(p.reads.ms.size()));
    std::printf("  %-8s root's nodctl p50 %7.2f ms, max %7.2f ms; its Stats call p50 %7.2f ms, max %7.2f ms; Nix "
                "read wait p99 %6.2f ms, max %6.2f ms (%zu)\n",
                key.c_str(), median(p.root_ms), quantile(p.root_ms, 1.0), median(p.method_ms), quantile(p.method_ms, 1.0),
                p.reads.quantile(0.99), p.reads.max(), p.reads.ms.size());
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t rows = 1'000'000;
    int repetitions = 30;
    int nice = 0;
    namespace po = boost::program_options;
    po::options_description flags("fair_queries: root's query and Nix's reads while other users' queries loop");
    flags.add_options()("rows", po::value(&rows)->default_value(rows), "synthetic rows in the database")(
        "repetitions", po::value(&repetitions)->default_value(repetitions), "root's queries per phase")(
        "nice", po::value(&nice)->default_value(nice), "the collector's nice value (the unit's Nice=)");
    fs::path json = parse_flags(argc, argv, "fair_queries", flags);
    if (geteuid() != 0) {
        std::fprintf(stderr, "fair_queries: run it as root (the heavy callers run as nobody)\n");
        return 1;
    }
    try {
        test::TempDir dir;
        auto db = dir / "nod.db";
        auto socket = dir / "nod.sock";
        {
            std::printf("populating %llu rows over 365 days ...\n", static_cast<unsigned long long>(rows));
            store::Store store(db);
            SyntheticRows synthetic({.rows = rows, .days = 365, .names = 20'000, .seed = 7, .end = now_micros()});
            for (auto batch = synthetic.next(50'000); !batch.empty(); batch = synthetic.next(50'000)) store.write(batch);
        }
        // This process forks nodctl and busctl while its Nix client thread times its sends: a small heap keeps
        // each fork (which copies the page tables while that thread waits) short.
        malloc_trim(0);
        test::PrivateBus bus(NOD_POLICY_DIR, R"(<policy user="root"><allow own="net.bergsoe.Nod1"/></policy>)");
        test::Env env{{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}};
        Results results;
        auto argv_of_collector = collector_argv(NOD_COLLECTOR, socket, db);
        if (nice != 0) argv_of_collector.insert(argv_of_collector.begin(), {"nice", "-n", std::to_string(nice)});
        SocketServer collector(argv_of_collector, env, dir.path(), "collector");
        results.set("nice", nice);
        results.set("rows", static_cast<double>(rows));
        results.set("repetitions", repetitions);
        time_nodctl(env);  // warm-up: the pages root's query reads are cached in both phases
        Bus root_bus(bus.address());

        std::printf("root's nodctl stats --months 3, %d times per phase:\n", repetitions);
        Phase quiet = run_phase(env, root_bus, dir.path(), socket, db, repetitions, 1'000'000);
        report(results, "quiet", quiet);

        std::atomic<bool> stop{false};
        std::atomic<int> heavy_done{0}, heavy_busy{0};
        std::vector<std::thread> callers;
        for (std::vector<std::string> call :
             {std::vector<std::string>{"Stats", "a{sv}", "3", "group", "b", "true", "sort", "s", "time", "limit", "u", "1000"},
              {"Stats", "a{sv}", "3", "group", "b", "true", "sort", "s", "time", "limit", "u", "1000"},
              {"Test", "a{sv}", "2", "days", "u", "30", "group", "b", "true"},
              {"Test", "a{sv}", "2", "days", "u", "30", "group", "b", "true"}}) {
            callers.emplace_back([&, call] {
                std::vector<std::string> command = {"busctl", "--system", "--timeout=120", "call", "net.bergsoe.Nod1",
                                                 "/net/bergsoe/Nod1", "net.bergsoe.Nod1"};
                command.insert(command.end(), call.begin(), call.end());
                while (!stop) {
                    auto r = test::run(command, env, nobody, 120s);
                    if (r.status == 0) {
                        ++heavy_done;
                    } else if (heavy_busy++ == 0) {
                        std::printf("  a heavy call failed: %s", r.err.c_str());
                    }
                }
            });
        }
        std::this_thread::sleep_for(1s);  // every caller has a query running or waiting
        Phase loaded = run_phase(env, root_bus, dir.path(), socket, db, repetitions, 2'000'000);
        stop = true;
        for (auto& t : callers) t.join();
        report(results, "loaded", loaded);
        results.set("heavy.answered", heavy_done);
        results.set("heavy.refused", heavy_busy);
        results.set("ratio_root_p50", median(loaded.root_ms) / median(quiet.root_ms));
        std::printf("  heavy calls answered %d, refused %d; root's p50 loaded / quiet: %.2f\n", heavy_done.load(),
                    heavy_busy.load(), median(loaded.root_ms) / median(quiet.root_ms));
        note_exit(results, "collector", collector.stop(), collector);
        if (!json.empty()) results.write(json);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fair_queries: %s\n", e.what());
        return 1;
    }
}
