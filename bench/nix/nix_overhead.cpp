// What Nix feels when nod records it: the wall time of Debian's Nix 2.8 (`nix-build`, single-user, as
// root) building N fresh trivial derivations (bench/nix/many.nix, a new nonce every run) with its
// internal-json log going to a real nod-collector, against the same with the log going to /dev/null.
// A third arm sends the log the same way to bench/collector/drain_socket (a reader that does nothing),
// which tells the cost of carrying the log (pipe, forwarder, socket) from the cost of nod's work.
// Each repetition runs the three arms, in an order that rotates; the figures are the medians of the
// ratios within repetitions; the target is at most 2 % slower than /dev/null.
//
//   nix_overhead [--repetitions R] [--derivations N] [--keep-store-paths] [--json FILE]
//                                                                       (root, nix-build installed)
//
// Nix 2.8 has no json-log-path, so its stderr goes through a pipe to bench/nix/nix_log_forward, which
// writes the `@nix` lines to the collector's socket; Nix ≥ 2.30 writes to the socket itself. The time is
// Nix's own, from spawn to exit; the forwarder's drain after Nix exits is reported apart. Every arm sends
// stdout (the out paths) to /dev/null. The rows the collector recorded per run are reported.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/bench_support.hpp"

extern char** environ;

namespace {

using namespace nod;
using namespace nod::bench;
using namespace std::chrono_literals;

// An owned file descriptor.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {
        if (fd_ < 0) throw std::runtime_error(std::strerror(errno));
    }
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

// Starts argv with stdin, stdout and stderr on the given descriptors.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int in, int out,
            int err) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in, 0);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_adddup2(&actions, err, 2);
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    pid_t pid = -1;
    int r = posix_spawnp(&pid, a[0], &actions, nullptr, a.data(), e.data());
    posix_spawn_file_actions_destroy(&actions);
    if (r != 0) throw std::runtime_error("starting " + argv[0] + ": " + std::strerror(r));
    return pid;
}

int wait_for(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Setup {
    std::vector<std::string> env;  // ours plus NIX_CONF_DIR
    int derivations = 200;
    std::mt19937_64 random{std::random_device{}()};
};

std::vector<std::string> nix_argv(Setup& s) {
    return {"nix-build",
            NOD_MANY_NIX,
            "--argstr",
            "nonce",
            std::to_string(s.random()),
            "--arg",
            "n",
            std::to_string(s.derivations),
            "--no-out-link",
            "--log-format",
            "internal-json",
            "-v"};
}

// One nix-build with stderr to /dev/null; seconds.
double run_to_null(Setup& s) {
    Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Fd null_out(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    auto t0 = std::chrono::steady_clock::now();
    pid_t nix = spawn(nix_argv(s), s.env, null_in.get(), null_out.get(), null_out.get());
    int status = wait_for(nix);
    double seconds = seconds_since(t0);
    if (status != 0)
        throw std::runtime_error("nix-build (log to /dev/null) exited with " + std::to_string(status));
    return seconds;
}

struct ForwardedRun {
    double nix_s = 0;    // what Nix felt
    double drain_s = 0;  // the forwarder still writing after Nix exited
};

// One nix-build with stderr through nix_log_forward into a socket (the collector's or drain_socket's).
ForwardedRun run_forwarded(Setup& s, const fs::path& socket, const fs::path& forward_log) {
    Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Fd null_out(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    Fd log(::open(forward_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    Fd read_end(p[0]), write_end(p[1]);
    // The forwarder is up and connected before Nix starts, as the collector's socket is for Nix ≥ 2.30.
    pid_t forward = spawn({NOD_FORWARD, socket.string()}, s.env, read_end.get(), log.get(), log.get());
    read_end.reset();
    auto t0 = std::chrono::steady_clock::now();
    pid_t nix = spawn(nix_argv(s), s.env, null_in.get(), null_out.get(), write_end.get());
    write_end.reset();  // the forwarder sees EOF when Nix exits
    int status = wait_for(nix);
    ForwardedRun r;
    r.nix_s = seconds_since(t0);
    int forwarded = wait_for(forward);
    r.drain_s = seconds_since(t0) - r.nix_s;
    if (status != 0)
        throw std::runtime_error("nix-build (log to a socket) exited with " + std::to_string(status));
    if (forwarded != 0) throw std::runtime_error("nix_log_forward exited with " + std::to_string(forwarded));
    return r;
}

// Every run adds 2 × N paths to /nix/store (derivations and outputs, rooted nowhere). Deletes those of
// bench/nix/many.nix (named *-bench-many-*) at the end, so that repeated benchmarks do not fill a shared
// machine's store. Outputs go first: a derivation stays alive while its output exists (keep-derivations),
// and Nix refuses a whole call if one path in it is alive, so nothing in use can go.
std::size_t delete_built_paths(const fs::path& conf_dir) {
    std::vector<std::string> outputs, derivations;
    for (const auto& e : fs::directory_iterator("/nix/store")) {
        std::string name = e.path().filename().string();
        if (name.find("-bench-many-") == std::string::npos || name.ends_with(".lock")) continue;
        (name.ends_with(".drv") ? derivations : outputs).push_back(e.path().string());
    }
    constexpr std::size_t per_call = 2000;  // about 150 KB of arguments: well below the kernel's limit
    std::size_t deleted = 0;
    for (const auto* paths : {&outputs, &derivations}) {
        for (std::size_t at = 0; at < paths->size(); at += per_call) {
            std::vector<std::string> argv = {"nix-store", "--delete"};
            auto end = std::min(at + per_call, paths->size());
            argv.insert(argv.end(), paths->begin() + static_cast<std::ptrdiff_t>(at),
                        paths->begin() + static_cast<std::ptrdiff_t>(end));
            auto r = test::run(argv, {{"NIX_CONF_DIR", conf_dir.string()}}, std::nullopt,
                               std::chrono::minutes(10));
            if (r.status == 0)
                deleted += end - at;
            else
                std::fprintf(stderr, "nix_overhead: nix-store --delete: %s\n", r.err.c_str());
        }
    }
    return deleted;
}

// The warm-up, then `repetitions` rounds of the three arms in rotating order; prints each round and returns
// the figures.
Results measure(Setup& s, int repetitions, Bus& client, const fs::path& nod_socket,
                const fs::path& drain_socket, const fs::path& forward_log) {
    std::printf(
        "nix-build of %d fresh derivations, %d repetitions of three arms (after one warm-up of each)\n",
        s.derivations, repetitions);
    run_to_null(s);
    run_forwarded(s, drain_socket, forward_log);
    run_forwarded(s, nod_socket, forward_log);
    std::this_thread::sleep_for(500ms);  // the warm-up's rows committed before the first count

    std::vector<double> null_s, nod_s, drain_s, nod_tail_s, ratios, drain_ratios, rows_per_run;
    for (int rep = 0; rep < repetitions; ++rep) {
        std::uint64_t rows_before = client.rows();
        double n = 0;
        ForwardedRun c, d;
        for (int arm = 0; arm < 3; ++arm) {  // rotate which arm goes first
            switch ((rep + arm) % 3) {
                case 0: n = run_to_null(s); break;
                case 1: c = run_forwarded(s, nod_socket, forward_log); break;
                default: d = run_forwarded(s, drain_socket, forward_log); break;
            }
        }
        std::this_thread::sleep_for(500ms);  // the collector hands rows to its writer every 200 ms
        auto rows = static_cast<double>(client.rows() - rows_before);
        null_s.push_back(n);
        nod_s.push_back(c.nix_s);
        drain_s.push_back(d.nix_s);
        nod_tail_s.push_back(c.drain_s);
        ratios.push_back(c.nix_s / n);
        drain_ratios.push_back(d.nix_s / n);
        rows_per_run.push_back(rows);
        std::printf(
            "  rep %2d: /dev/null %.3f s, plain reader %.3f s (%.3f), nod %.3f s (%.3f; forwarder done "
            "%.1f ms after Nix), %.0f rows recorded\n",
            rep + 1, n, d.nix_s, d.nix_s / n, c.nix_s, c.nix_s / n, c.drain_s * 1000, rows);
    }
    double ratio = median(ratios);
    std::printf(
        "median: /dev/null %.3f s, plain reader %.3f s (ratio %.3f), nod %.3f s (ratio %.3f, %+.1f %%; "
        "target <= +2 %%)\n",
        median(null_s), median(drain_s), median(drain_ratios), median(nod_s), ratio, (ratio - 1) * 100);

    Results results;
    results.set("repetitions", repetitions);
    results.set("derivations", s.derivations);
    results.set("null.p50_s", median(null_s));
    results.set("null.min_s", quantile(null_s, 0));
    results.set("null.max_s", quantile(null_s, 1));
    results.set("nod.p50_s", median(nod_s));
    results.set("nod.min_s", quantile(nod_s, 0));
    results.set("nod.max_s", quantile(nod_s, 1));
    results.set("nod.tail_p50_ms", median(nod_tail_s) * 1000);
    results.set("drain.p50_s", median(drain_s));
    results.set("drain.ratio", median(drain_ratios));
    results.set("drain.overhead_pct", (median(drain_ratios) - 1) * 100);
    results.set("ratio", ratio);
    results.set("ratio_min", quantile(ratios, 0));
    results.set("ratio_max", quantile(ratios, 1));
    results.set("overhead_pct", (ratio - 1) * 100);
    results.set("rows_per_run", median(rows_per_run));
    return results;
}

}  // namespace

int main(int argc, char** argv) {
    int repetitions = 10;
    bool keep_store_paths = false;
    Setup s;
    namespace po = boost::program_options;
    po::options_description flags(
        "nix_overhead: Nix's wall time with its log to /dev/null, a plain reader, nod");
    flags.add_options()("repetitions", po::value(&repetitions)->default_value(repetitions),
                        "rounds of the three arms")("derivations",
                                                    po::value(&s.derivations)->default_value(s.derivations),
                                                    "fresh derivations per build")(
        "keep-store-paths", po::bool_switch(&keep_store_paths), "do not delete the built paths afterwards");
    fs::path json = parse_flags(argc, argv, "nix_overhead", flags);
    if (geteuid() != 0) {
        std::fprintf(stderr, "nix_overhead: needs root (Debian's Nix runs single-user here)\n");
        return 77;
    }
    try {
        test::TempDir dir;
        // As scripts/demo: no build users, no sandbox, no substituters (offline).
        fs::create_directories("/nix/store");
        fs::create_directories(dir / "nix");
        std::ofstream(dir / "nix" / "nix.conf") << "build-users-group =\nsandbox = false\nsubstituters =\n";
        for (char** e = environ; *e; ++e)
            if (!std::string_view(*e).starts_with("NIX_CONF_DIR=")) s.env.emplace_back(*e);
        s.env.push_back("NIX_CONF_DIR=" + (dir / "nix").string());

        test::PrivateBus bus(NOD_POLICY_DIR,
                             R"(<policy user="root"><allow own="net.bergsoe.Nod1"/></policy>)");
        auto nod_socket = dir / "nod.sock";
        auto drain_socket = dir / "drain.sock";
        SocketServer collector(collector_argv(NOD_COLLECTOR, nod_socket, dir / "nod.db"),
                               {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}}, dir.path(), "collector");
        SocketServer drain({NOD_DRAIN, "--socket", drain_socket.string()}, {}, dir.path(), "drain");
        Bus client(bus.address());
        auto forward_log = dir / "forward.log";

        Results results;
        // A failure here is as likely the collector's as Nix's: its log and threads go with it.
        try {
            results = measure(s, repetitions, client, nod_socket, drain_socket, forward_log);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "nix_overhead: %s\nthe collector's log:\n%s\nits threads:\n%s\n", e.what(),
                         collector.log().c_str(), collector.threads().c_str());
            return 1;
        }
        results.set("nix_version", test::run({"nix-build", "--version"}).out);
        drain.stop();
        note_exit(results, "collector", collector.stop(), collector);
        if (!keep_store_paths)
            std::printf("deleted %zu store paths of bench/nix/many.nix\n", delete_built_paths(dir / "nix"));
        if (!json.empty()) results.write(json);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "nix_overhead: %s\n", e.what());
        return 1;
    }
}
