// How long can the collector leave a Nix connection unread? A client sends a build every 2 ms and notes
// when; the collector stamps each on receipt; the gap is the read latency. Measured twice in one run, on
// the same database: quiet, and while heavy queries (Test over 30+30 days grouped, Stats grouped over
// everything, Bucket day over a year) and a large Clean run, and the writer checkpoints the WAL.
//
//   build/bench/collector/read_stall [--rows N] [--seconds S] [--json FILE]
//
// The loaded phase lasts at least S seconds and until the first round of queries, Clean included, has
// finished: the Clean deletes in chunks, each a transaction, and its WAL pages make the writer checkpoint
// (wal_autocheckpoint) while builds keep coming. Checkpoints are observed from outside: in WAL mode only a
// checkpoint writes the main database file, so a change of its modification time is one; they are
// counted per phase (a loaded phase without one would not show what a checkpoint does to reads).
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "../store/synthetic.hpp"
#include "nix_stream.hpp"
#include "store/row_reader.hpp"
#include "store/store.hpp"
#include "support/bench_support.hpp"
#include "support/processes.hpp"

namespace {

using namespace nod;
using namespace nod::test;
using namespace std::chrono_literals;

// Watches the database files every 10 ms while a phase runs: checkpoints (the main file written) and
// the largest WAL seen.
class CheckpointWatch {
public:
    explicit CheckpointWatch(const std::filesystem::path& db)
        : thread_([this, main = db.string(), wal = db.string() + "-wal"] {
              auto stamp = [](const std::string& f) {
                  struct stat st {};
                  if (::stat(f.c_str(), &st) != 0) return std::pair<long long, long long>{0, 0};
                  return std::pair<long long, long long>{
                      st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec, st.st_size};
              };
              auto last = stamp(main).first;
              while (!stop_) {
                  auto now = stamp(main).first;
                  if (now != last) ++checkpoints_;
                  last = now;
                  max_wal_ = std::max(max_wal_.load(), stamp(wal).second);
                  std::this_thread::sleep_for(10ms);
              }
          }) {}
    ~CheckpointWatch() { finish(); }
    CheckpointWatch(const CheckpointWatch&) = delete;
    CheckpointWatch& operator=(const CheckpointWatch&) = delete;
    void finish() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int checkpoints() const { return checkpoints_; }
    double max_wal_mib() const { return static_cast<double>(max_wal_) / (1024.0 * 1024.0); }

private:
    std::atomic<bool> stop_{false};
    std::atomic<int> checkpoints_{0};
    std::atomic<long long> max_wal_{0};
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t rows = 2'000'000;
    double seconds = 8;
    namespace po = boost::program_options;
    po::options_description flags(
        "read_stall: how long a line from Nix waits to be read, quiet and under load");
    flags.add_options()("rows", po::value(&rows)->default_value(rows), "synthetic rows in the database")(
        "seconds", po::value(&seconds)->default_value(seconds), "length of the quiet phase");
    std::filesystem::path json = bench::parse_flags(argc, argv, "read_stall", flags);
    TempDir dir;
    auto db = dir / "nod.db";
    auto socket = dir / "nod.sock";
    {
        std::printf("populating %llu rows over 365 days ...\n", static_cast<unsigned long long>(rows));
        store::Store store(db);
        bench::SyntheticRows synthetic(
            {.rows = rows, .days = 365, .names = 20'000, .seed = 7, .end = bench::now_micros()});
        for (auto batch = synthetic.next(50'000); !batch.empty(); batch = synthetic.next(50'000))
            store.write(batch);
    }
    PrivateBus bus(NOD_POLICY_DIR, R"(<policy user="root"><allow own="net.bergsoe.Nod1"/></policy>)");
    Env env{{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}, {"NOTIFY_SOCKET", (dir / "notify").string()}};
    NotifySocket notify(dir / "notify");
    Process collector({NOD_COLLECTOR, "--socket", socket.string(), "--db", db.string()}, env,
                      dir / "collector.log");
    if (!notify.wait_for("READY=1", 60s)) {
        std::fprintf(stderr, "the collector did not start\n");
        return 1;
    }
    auto busctl = [&](std::vector<std::string> args) {
        std::vector<std::string> command = {
            "busctl",           "--system",          "--timeout=120",   "call",
            "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1"};
        command.insert(command.end(), args.begin(), args.end());
        auto t0 = std::chrono::steady_clock::now();
        auto r = run(command, env, std::nullopt, 120s);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("  %-8s %8.1f ms%s\n", args[0].c_str(), ms,
                    r.status == 0 ? "" : (" FAILED: " + r.err).c_str());
    };

    std::printf("quiet: %.0f s of builds, one every 2 ms\n", seconds);
    CheckpointWatch quiet_watch(db);
    auto t_quiet = std::chrono::steady_clock::now();
    auto quiet_sent = bench::send_builds(socket, 1'000'000, seconds);
    double quiet_s = bench::seconds_since(t_quiet);
    quiet_watch.finish();

    std::printf("loaded: the same, while these run back to back (at least one round, Clean included):\n");
    std::atomic<bool> sending{true};
    std::atomic<bool> round_done{false};
    CheckpointWatch loaded_watch(db);
    auto t_loaded = std::chrono::steady_clock::now();
    std::thread load([&] {
        bool cleaned = false;
        while (sending) {
            busctl({"Test", "a{sv}", "2", "days", "u", "30", "group", "b", "true"});
            busctl({"Stats", "a{sv}", "1", "group", "b", "true"});
            busctl({"Bucket", "sa{sv}", "day", "1", "days", "u", "365"});
            if (!cleaned) {
                busctl({"Clean", "a{sv}", "1", "before_days", "u", "300"});
                cleaned = true;
            }
            // A little longer, so that the last Clean chunk's checkpoint is inside the phase too.
            if (!round_done) std::this_thread::sleep_for(500ms);
            round_done = true;
        }
    });
    auto loaded_sent = bench::send_builds(socket, 2'000'000, seconds, &round_done);
    double loaded_s = bench::seconds_since(t_loaded);
    sending = false;
    load.join();
    loaded_watch.finish();
    collector.signal(SIGTERM);
    int exit_status = collector.wait(60s).value_or(-1);
    if (exit_status != 0)
        std::fprintf(stderr, "WARNING: the collector exited with %d at SIGTERM\n", exit_status);

    auto quiet = bench::read_latencies(db, quiet_sent);
    auto loaded = bench::read_latencies(db, loaded_sent);
    std::printf("\nread latency (receipt - send), ms   rows     p50     p99     max\n");
    std::printf("quiet                              %6zu %7.2f %7.2f %7.2f\n", quiet.ms.size(),
                quiet.quantile(0.5), quiet.quantile(0.99), quiet.max());
    std::printf("under heavy queries and a Clean    %6zu %7.2f %7.2f %7.2f\n", loaded.ms.size(),
                loaded.quantile(0.5), loaded.quantile(0.99), loaded.max());
    std::printf("ratio of maxima (loaded / quiet): %.2f\n",
                quiet.max() > 0 ? loaded.max() / quiet.max() : 0.0);
    std::printf(
        "phases: quiet %.1f s, loaded %.1f s; WAL checkpoints seen: quiet %d, loaded %d "
        "(largest WAL %.1f MiB)\n",
        quiet_s, loaded_s, quiet_watch.checkpoints(), loaded_watch.checkpoints(), loaded_watch.max_wal_mib());
    if (loaded_watch.checkpoints() == 0)
        std::printf("WARNING: no WAL checkpoint happened in the loaded phase\n");
    if (!json.empty()) {
        bench::Results r;
        r.set("rows", static_cast<double>(rows));
        r.set("seconds", seconds);
        for (auto [name, l, s, w] : {std::tuple{"quiet", &quiet, quiet_s, &quiet_watch},
                                     std::tuple{"loaded", &loaded, loaded_s, &loaded_watch}}) {
            std::string k = std::string(name) + ".";
            r.set(k + "lines", static_cast<double>(l->ms.size()));
            r.set(k + "p50_ms", l->quantile(0.5));
            r.set(k + "p99_ms", l->quantile(0.99));
            r.set(k + "max_ms", l->max());
            r.set(k + "phase_s", s);
            r.set(k + "checkpoints", w->checkpoints());
            r.set(k + "max_wal_mib", w->max_wal_mib());
        }
        r.set("ratio_max", quiet.max() > 0 ? loaded.max() / quiet.max() : 0.0);
        if (exit_status != 0) r.set("collector.exit_status", exit_status);
        r.write(json);
    }
    return 0;
}
