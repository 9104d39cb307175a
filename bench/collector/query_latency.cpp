// Query latency as a user and as a script feel it, on a database made by bench/store/populate, served by
// the real nod-collector on a private dbus-daemon:
//   - the method alone: an sd-bus client on an open connection times the call (request through the bus
//     daemon, the query on the collector's query thread, the reply marshalled and back), against
//     org.freedesktop.DBus.Peer.Ping to the same collector on the same connection (the bare round trip);
//   - nodctl end to end: fork and exec of nodctl, its bus connection, the call, formatting, its output
//     read through a pipe, exit; against `nodctl --help` (process start and option parsing, no bus).
// Baseline and query alternate within each repetition; medians and p90 over the repetitions.
//
//   query_latency --db FILE [--repetitions N] [--json FILE]
#include <cstdio>
#include <cstring>
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
        note_exit(results, "collector", collector.stop(), collector);
        if (!json.empty()) results.write(json);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "query_latency: %s\n", e.what());
        return 1;
    }
}
