// Query latency as a user and as a script feel it, on a database made by bench/store/populate, served by
// the real nod-collector on a private dbus-daemon:
//   - the method alone: an sd-bus client on an open connection times the call (request through the bus
//     daemon, the query on the collector's query thread, the reply marshalled and back), against
//     org.freedesktop.DBus.Peer.Ping to the same collector on the same connection (the bare round trip);
//   - nodctl end to end: fork and exec of nodctl, its bus connection, the call, formatting, its output
//     read through a pipe, exit; against `nodctl --help` (process start and option parsing, no bus);
//   - one Prometheus scrape: GET /metrics from a real nod-exporter on loopback (a fresh snapshot each time:
//     the exporter shares one for a second, so the scrapes are more than a second apart), against
//     `nodctl stats` (all time) in the same run.
// Baseline and query alternate within each repetition; medians and p90 over the repetitions.
//
//   query_latency --db FILE [--repetitions N] [--json FILE]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>
#include <functional>
#include <string>
#include <vector>

#include "support/bench_support.hpp"

namespace {

using namespace nod;
using namespace nod::bench;
using namespace std::chrono_literals;

struct Query {
    std::string name;
    std::vector<std::string> nodctl;  // nodctl's arguments for the same question
    const char* method;
    std::function<int(sd_bus_message*)> append;  // the method's arguments
};

const std::vector<Query>& queries() {
    static const std::vector<Query> all = {
        {"stats_3_months",
         {"stats", "--months", "3"},
         "Stats",
         [](sd_bus_message* m) { return sd_bus_message_append(m, "a{sv}", 1, "months", "u", 3U); }},
        {"stats_all_time",
         {"stats"},
         "Stats",
         [](sd_bus_message* m) { return sd_bus_message_append(m, "a{sv}", 0); }},
        {"stats_group_all_time",
         {"stats", "--group", "--sort", "time", "--limit", "20"},
         "Stats",
         [](sd_bus_message* m) {
             return sd_bus_message_append(m, "a{sv}", 3, "group", "b", 1, "sort", "s", "time", "limit", "u",
                                          20U);
         }},
        {"bucket_day_365",
         {"bucket", "day", "--days", "365"},
         "Bucket",
         [](sd_bus_message* m) { return sd_bus_message_append(m, "sa{sv}", "day", 1, "days", "u", 365U); }},
        {"test_30_days",
         {"test", "--days", "30"},
         "Test",
         [](sd_bus_message* m) { return sd_bus_message_append(m, "a{sv}", 1, "days", "u", 30U); }},
        {"metrics", {"metrics"}, "Totals", [](sd_bus_message*) { return 0; }},
    };
    return all;
}

// One call on the open connection; returns its wall time in ms.
double time_call(Bus& bus, const Query& q) {
    sd_bus_message* m = nullptr;
    sd_bus_message* reply = nullptr;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(bus.get(), &m, "net.bergsoe.Nod1", "/net/bergsoe/Nod1",
                                           "net.bergsoe.Nod1", q.method);
    if (r >= 0) r = q.append(m);
    if (r < 0) throw std::runtime_error("building the " + q.name + " call: " + std::strerror(-r));
    auto t0 = std::chrono::steady_clock::now();
    r = sd_bus_call(bus.get(), m, 120'000'000, &error, &reply);
    double ms = seconds_since(t0) * 1000;
    std::string message = error.message ? error.message : "";
    sd_bus_error_free(&error);
    sd_bus_message_unref(reply);
    sd_bus_message_unref(m);
    if (r < 0) throw std::runtime_error(q.name + ": " + message);
    return ms;
}

double time_ping(Bus& bus) {
    auto t0 = std::chrono::steady_clock::now();
    bus.ping();
    return seconds_since(t0) * 1000;
}

double time_nodctl(const std::vector<std::string>& args, const test::Env& env) {
    std::vector<std::string> argv = {NOD_CTL};
    argv.insert(argv.end(), args.begin(), args.end());
    auto t0 = std::chrono::steady_clock::now();
    auto r = test::run(argv, env, std::nullopt, 120s);
    double ms = seconds_since(t0) * 1000;
    if (r.status != 0) throw std::runtime_error("nodctl failed: " + r.err);
    return ms;
}

// One GET /metrics, connect to the last byte; returns its wall time in ms, or -1 when it was not a 200.
double time_scrape(std::uint16_t port) {
    auto t0 = std::chrono::steady_clock::now();
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = test::loopback_address(port);
    std::string response;
    if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (::send(s, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
            char buf[65536];
            for (ssize_t n; (n = ::recv(s, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(s);
    double ms = seconds_since(t0) * 1000;
    return response.starts_with("HTTP/1.1 200 ") && response.find("\nnod_up 1\n") != std::string::npos ? ms : -1;
}

void summarize(Results& results, const std::string& key, const std::vector<double>& ms) {
    results.set(key + ".p50_ms", median(ms));
    results.set(key + ".p90_ms", quantile(ms, 0.9));
}

}  // namespace

int main(int argc, char** argv) {
    std::string db;
    int repetitions = 20;
    namespace po = boost::program_options;
    po::options_description flags("query_latency: queries through the bus method and through nodctl");
    flags.add_options()("db", po::value(&db)->required()->value_name("FILE"),
                        "database (bench/store/populate)")(
        "repetitions", po::value(&repetitions)->default_value(repetitions), "calls of each question");
    fs::path json = parse_flags(argc, argv, "query_latency", flags);
    try {
        test::TempDir dir;
        test::PrivateBus bus(NOD_POLICY_DIR,
                             R"(<policy user="root"><allow own="net.bergsoe.Nod1"/></policy>)");
        test::Env env{{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}};
        SocketServer collector(collector_argv(NOD_COLLECTOR, dir / "nod.sock", db), env, dir.path(),
                               "collector");
        Bus client(bus.address());
        Results results;
        results.set("rows", static_cast<double>(client.rows()));
        results.set("repetitions", repetitions);
        std::printf("%s: %llu rows, %d repetitions; medians (p90) in ms\n", db.c_str(),
                    static_cast<unsigned long long>(client.rows()), repetitions);

        // Warm-up: each query once, so that every repetition finds the same pages cached.
        for (const auto& q : queries()) time_call(client, q);
        time_nodctl({"--help"}, env);

        std::vector<double> ping, help;
        for (const auto& q : queries()) {
            std::vector<double> method, ctl;
            for (int rep = 0; rep < repetitions; ++rep) {
                ping.push_back(time_ping(client));
                method.push_back(time_call(client, q));
                help.push_back(time_nodctl({"--help"}, env));
                ctl.push_back(time_nodctl(q.nodctl, env));
            }
            std::printf("  %-22s method %8.2f (%8.2f)   nodctl %8.2f (%8.2f)\n", q.name.c_str(),
                        median(method), quantile(method, 0.9), median(ctl), quantile(ctl, 0.9));
            summarize(results, q.name + ".method", method);
            summarize(results, q.name + ".nodctl", ctl);
            std::string command = "nodctl";
            for (const auto& a : q.nodctl) command += " " + a;
            results.set(q.name + ".command", command);
        }
        std::printf("  %-22s method %8.2f (%8.2f)   nodctl --help %8.2f (%8.2f)\n", "baselines: Peer.Ping",
                    median(ping), quantile(ping, 0.9), median(help), quantile(help, 0.9));
        summarize(results, "baseline.ping", ping);
        summarize(results, "baseline.nodctl_help", help);

        // Prometheus' view: nod-exporter on loopback, against nodctl stats, alternating.
        std::uint16_t port = test::free_loopback_port();
        test::Process exporter({NOD_EXPORTER, "--listen", "127.0.0.1:" + std::to_string(port), "--bus-address",
                                bus.address()},
                               env, dir / "exporter.log");
        auto started = std::chrono::steady_clock::now();
        while (time_scrape(port) < 0) {
            if (seconds_since(started) > 10) throw std::runtime_error("nod-exporter did not serve a scrape in 10 s");
            std::this_thread::sleep_for(50ms);
        }
        std::vector<double> scrape, stats;
        for (int rep = 0; rep < repetitions; ++rep) {
            std::this_thread::sleep_for(1100ms);  // past the exporter's shared snapshot: the collector is asked
            double ms = time_scrape(port);
            if (ms < 0) throw std::runtime_error("a scrape failed");
            scrape.push_back(ms);
            stats.push_back(time_nodctl({"stats"}, env));
        }
        std::printf("  %-22s scrape %8.2f (%8.2f)   nodctl stats %8.2f (%8.2f)\n", "GET /metrics", median(scrape),
                    quantile(scrape, 0.9), median(stats), quantile(stats, 0.9));
        summarize(results, "scrape", scrape);
        summarize(results, "scrape_baseline.nodctl_stats", stats);
        note_exit(results, "collector", collector.stop(), collector);
        if (!json.empty()) results.write(json);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "query_latency: %s\n", e.what());
        return 1;
    }
}
