// Faults injected into a real nod-collector while Nix-like clients stream builds to it: SIGKILL at random
// moments (50 times), a file system that fills up under the database and then has room again, and a
// database the collector may not write. docs/reliability.md lists these with every other fault test.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stop_token>
#include <thread>

#include "collector_fixture.hpp"
#include "store/database.hpp"
#include "store/row_encoding.hpp"
#include "store/store.hpp"
#include "store/support.hpp"  // tests/store: the independent recount of the aggregates

namespace nod::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const RunAs nobody{65534, 65534};

// Nix-like clients, a thread each: a connection that stays open and reports a few finished builds every
// `pause`, as a Nix worker does (its Builds progress counts each one done, then the build stops). When the
// collector goes away a client connects again, as Nix's next command would. Every build has an activity
// id of its own, so exactly-once never folds two of them into one row.
class BuildStreams {
public:
    BuildStreams(fs::path socket, int clients, int builds_per_write, std::chrono::milliseconds pause)
        : socket_(std::move(socket)), builds_per_write_(builds_per_write), pause_(pause) {
        for (int c = 0; c < clients; ++c)
            threads_.emplace_back(
                [this, c](std::stop_token stop) { run(static_cast<std::uint32_t>(c), stop); });
    }
    ~BuildStreams() { stop(); }
    BuildStreams(const BuildStreams&) = delete;
    BuildStreams& operator=(const BuildStreams&) = delete;

    // Every connection is closed when this returns.
    void stop() {
        for (auto& t : threads_) t.request_stop();
        threads_.clear();  // joins
    }
    // Ids of the builds whose lines went into the socket whole.
    std::set<std::uint64_t> written() const {
        std::lock_guard lock(mutex_);
        return written_;
    }
    std::size_t written_count() const {
        std::lock_guard lock(mutex_);
        return written_.size();
    }
    // Ids of every build a client began to write: a write cut off by a kill may still have delivered some.
    std::set<std::uint64_t> attempted() const {
        std::lock_guard lock(mutex_);
        return attempted_;
    }
    Clock::duration longest_write() const {
        std::lock_guard lock(mutex_);
        return longest_write_;
    }

private:
    static constexpr std::uint64_t first_origin = 0x4e0000;  // Nix's ids are (origin pid << 32 | counter)

    // A build starts, its Worker's Builds progress counts it done, and it stops in the same turn.
    static std::string finished_build(std::uint64_t id, const std::string& drv, std::uint64_t worker,
                                      std::uint64_t done) {
        std::string n = std::to_string(done);
        return R"({"action":"start","fields":[")" + drv + R"(","",1,1],"id":)" + std::to_string(id) +
               R"(,"level":3,"parent":0,"text":"","type":105})" + "\n" + R"({"action":"result","fields":[)" +
               n + "," + n + R"(,0,0],"id":)" + std::to_string(worker) + R"(,"type":105})" + "\n" +
               R"({"action":"stop","id":)" + std::to_string(id) + "}\n";
    }

    void run(std::uint32_t client, std::stop_token stop) {
        const std::uint64_t origin = first_origin + client;
        std::uint64_t next_build = 0;
        for (std::uint32_t connection = 0; !stop.stop_requested(); ++connection) {
            std::optional<NixConnection> nix;
            try {
                nix.emplace(socket_);
            } catch (const std::runtime_error&) {
                // The collector is down: Nix would build on without its log.
                std::this_thread::sleep_for(10ms);
                continue;
            }
            const std::uint64_t worker = (origin << 32) | (0x80000000u + connection);
            std::string builds_activity = R"({"action":"start","id":)" + std::to_string(worker) +
                                          R"(,"level":0,"parent":0,"text":"","type":104})" + "\n";
            if (!nix->write(builds_activity)) continue;
            for (std::uint64_t done = 0; !stop.stop_requested();) {
                std::string lines;
                std::vector<std::uint64_t> ids;
                for (int b = 0; b < builds_per_write_; ++b) {
                    std::uint64_t id = (origin << 32) | next_build;
                    std::string drv = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-pkg-" +
                                      std::to_string(next_build % 16) + "-1.0.drv";
                    ++next_build;
                    ++done;
                    lines += finished_build(id, drv, worker, done);
                    ids.push_back(id);
                }
                {
                    std::lock_guard lock(mutex_);
                    attempted_.insert(ids.begin(), ids.end());
                }
                auto t0 = Clock::now();
                bool whole = nix->write(lines);
                auto took = Clock::now() - t0;
                {
                    std::lock_guard lock(mutex_);
                    longest_write_ = std::max(longest_write_, took);
                    if (whole) written_.insert(ids.begin(), ids.end());
                }
                if (!whole) break;  // the collector went away: connect again
                std::this_thread::sleep_for(pause_);
            }
        }
    }

    const fs::path socket_;
    const int builds_per_write_;
    const std::chrono::milliseconds pause_;
    mutable std::mutex mutex_;
    std::set<std::uint64_t> written_, attempted_;
    Clock::duration longest_write_{};
    std::vector<std::jthread> threads_;  // last: stopped and joined before the rest goes
};

// What the database holds, all read in one read transaction on a read-only connection of our own (WAL): the
// collector's commits in between cannot make the stored aggregates and the recount disagree.
struct Committed {
    std::string integrity;        // PRAGMA integrity_check, its lines joined
    std::string aggregates;       // the first difference between stored aggregates and a recount
    std::set<std::uint64_t> ids;  // the rows' identity: the activity id (every row here has our pid)
    std::size_t rows = 0;         // duplicates included
};

Committed read_committed(const fs::path& db, bool check) {
    store::Database database(db, store::Access::read_only);
    store::sql::Transaction snapshot(database.handle(), database.context(), /*immediate=*/false);
    Committed c;
    if (check) {
        auto integrity = database.prepare("PRAGMA integrity_check");
        while (integrity.step())
            c.integrity += (c.integrity.empty() ? "" : "; ") + std::string(integrity.column_text(0));
        c.aggregates = store::testing::describe_difference(store::testing::read_aggregates(database),
                                                           store::testing::recount_aggregates(database));
    }
    auto rows = database.prepare("SELECT pid, activity_bits FROM rows");
    while (rows.step()) {
        ++c.rows;
        c.ids.insert(
            store::decode_activity(rows.column_int(1), static_cast<std::int32_t>(rows.column_int(0))));
    }
    return c;
}

std::vector<std::uint64_t> missing_from(const std::set<std::uint64_t>& expected,
                                        const std::set<std::uint64_t>& found) {
    std::vector<std::uint64_t> missing;
    std::set_difference(expected.begin(), expected.end(), found.begin(), found.end(),
                        std::back_inserter(missing));
    return missing;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

std::string file_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A database with some history, owned by `owner` with `mode`, for starts that must refuse it.
void make_database(const fs::path& path, uid_t owner, fs::perms mode) {
    {
        store::Store created(path);
        std::mt19937_64 random(7);
        created.write(
            store::testing::random_rows(random, 100, store::testing::utc(2026, 1, 1), 86'400'000'000LL));
    }  // the last connection checkpoints and removes the -wal and -shm files
    ASSERT_EQ(chown(path.c_str(), owner, owner), 0) << std::strerror(errno);
    fs::permissions(path, mode);
}

// The file as a refused start must leave it.
struct FileState {
    std::string bytes;
    uid_t owner = 0;
    mode_t mode = 0;
    timespec modified{};

    explicit FileState(const fs::path& path) : bytes(file_bytes(path)) {
        struct stat st {};
        if (stat(path.c_str(), &st) == 0) {
            owner = st.st_uid;
            mode = st.st_mode;
            modified = st.st_mtim;
        }
    }
    bool operator==(const FileState& o) const {
        return bytes == o.bytes && owner == o.owner && mode == o.mode &&
               modified.tv_sec == o.modified.tv_sec && modified.tv_nsec == o.modified.tv_nsec;
    }
};

class FaultTest : public CollectorTest {
protected:
    // Starts the collector, expects it to refuse the database, and checks what a refusal must be: exit
    // status 1 before READY=1, one log line naming the file and containing `cause`, the file untouched and
    // nothing created beside it.
    void expect_refused(const std::string& cause, std::vector<std::string> wrapper = {},
                        std::optional<RunAs> as = {}) {
        FileState before(db);
        ASSERT_FALSE(before.bytes.empty());
        spawn(std::move(wrapper), {}, as);
        EXPECT_EQ(collector->wait(20s), 1) << log_text();
        EXPECT_FALSE(notify->wait_for("READY=1", 100ms)) << "never an empty history served instead";
        std::string text = log_text();
        EXPECT_EQ(occurrences(text, "\n"), 1u) << "one line:\n" << text;
        EXPECT_TRUE(text.starts_with("nod-collector: opening database " + db.string() + ": ")) << text;
        EXPECT_NE(text.find(cause), std::string::npos) << text;
        EXPECT_TRUE(FileState(db) == before) << "the database file was changed";
        for (const char* suffix : {"-wal", "-shm", "-journal"})
            EXPECT_FALSE(fs::exists(db.string() + suffix)) << db.string() + suffix;
    }
};

// ---- SIGKILL during ingest ----------------------------------------------------------------------------

TEST_F(FaultTest, SigkillDuringIngestFiftyTimesLosesNothingCommitted) {
    unsigned seed = std::random_device{}();
    if (const char* fixed = std::getenv("NOD_FAULT_SEED"))
        seed = static_cast<unsigned>(std::strtoul(fixed, nullptr, 10));
    std::printf("seed %u (NOD_FAULT_SEED=%u repeats the kill times)\n", seed, seed);
    RecordProperty("seed", std::to_string(seed));
    std::mt19937 random(seed);
    // Reads are handed to the writer every 200 ms: kills land before the first batch of a run, between
    // batches and during commits.
    std::uniform_int_distribution<int> after_ready_ms(0, 600), during_start_ms(0, 150);

    start();
    BuildStreams nix(socket, 2, 5, 20ms);  // about 500 builds a second
    std::size_t committed_at_restart = 0;
    int kills_after_commits = 0;
    for (int kill = 1; kill <= 50; ++kill) {
        SCOPED_TRACE("kill " + std::to_string(kill) + " of 50, seed " + std::to_string(seed));
        std::this_thread::sleep_for(std::chrono::milliseconds(after_ready_ms(random)));
        Committed before = read_committed(db, false);
        collector->signal(SIGKILL);
        ASSERT_EQ(collector->wait(10s), 128 + SIGKILL);
        if (before.ids.size() > committed_at_restart) ++kills_after_commits;

        if (kill % 5 == 0) {
            // This restart is itself killed while it starts: socket, WAL recovery, schema check, bus.
            spawn();
            std::this_thread::sleep_for(std::chrono::milliseconds(during_start_ms(random)));
            collector->signal(SIGKILL);
            ASSERT_TRUE(collector->wait(10s));
        }
        start();
        ASSERT_FALSE(HasFatalFailure()) << log_text();

        Committed after = read_committed(db, true);
        ASSERT_EQ(after.integrity, "ok");
        ASSERT_EQ(after.aggregates, "") << "aggregates differ from a recount of the rows";
        ASSERT_EQ(after.rows, after.ids.size()) << "a build recorded twice";
        auto lost = missing_from(before.ids, after.ids);
        ASSERT_TRUE(lost.empty()) << lost.size() << " of the " << before.ids.size()
                                  << " rows committed before the kill are gone, e.g. activity "
                                  << lost.front();
        committed_at_restart = after.ids.size();
    }
    nix.stop();
    EXPECT_EQ(stop(), 0) << log_text();

    Committed last = read_committed(db, true);
    EXPECT_EQ(last.integrity, "ok");
    EXPECT_EQ(last.aggregates, "");
    EXPECT_EQ(last.rows, last.ids.size());
    auto invented = missing_from(last.ids, nix.attempted());
    EXPECT_TRUE(invented.empty()) << invented.size() << " rows are no build a client sent";
    std::printf("%zu rows from %zu builds written whole; %d of 50 kills came after commits of their run\n",
                last.ids.size(), nix.written_count(), kills_after_commits);
    // Most kills must land while rows were being committed, not only before a run's first batch.
    EXPECT_GE(kills_after_commits, 15);
}

// ---- retention while stopping --------------------------------------------------------------------------

// A year of history and --retain-days 1, as on the first start after an upgrade or on a machine that was
// off for months: retention prunes chunk by chunk while the collector serves. A SIGTERM in the middle ends
// the prune after the chunk at hand and exits 0 at once; idle exit waits until the prune is done. Each
// stop leaves the aggregates equal to a recount, and the next start goes on where the last one ended.
TEST_F(FaultTest, AStopDuringARetentionBacklogEndsItAfterTheChunkAtHandAndExitsZero) {
    const Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    constexpr Micros day = 86'400'000'000LL;
    {
        store::Store history(db);
        std::mt19937_64 random(31);
        history.write(store::testing::random_rows(random, 400'000, now - 366 * day, 365 * day));
    }
    ASSERT_EQ(read_committed(db, false).rows, 400'000u);
    const fs::path backlog = dir / "backlog.db";
    fs::copy_file(db, backlog);  // each stop starts from the whole backlog again
    const std::size_t left = 400'000;
    for (auto after : {300ms, 600ms, 1000ms}) {
        SCOPED_TRACE("SIGTERM " + std::to_string(after.count()) + " ms after READY=1");
        fs::copy_file(backlog, db, fs::copy_options::overwrite_existing);
        start({"--retain-days", "1"});
        std::this_thread::sleep_for(after);
        auto t0 = Clock::now();
        ASSERT_EQ(stop(), 0) << log_text();
        EXPECT_LT(Clock::now() - t0, 5s) << "a stop waits for one chunk, not for the whole prune";
        EXPECT_NE(log_text().find("so far; the next start goes on"), std::string::npos) << log_text();
        Committed c = read_committed(db, true);
        ASSERT_EQ(c.integrity, "ok");
        ASSERT_EQ(c.aggregates, "") << "aggregates differ from a recount of the rows";
        EXPECT_LT(c.rows, left) << "the prune made progress";
        EXPECT_GT(c.rows, 0u) << "the stop came before the prune was done";
    }
    // Idle exit with no connection: the prune is work in hand, so the collector stays until it is done.
    start({"--retain-days", "1", "--idle-exit-sec", "1"});
    EXPECT_EQ(collector->wait(120s).value_or(-1), 0) << log_text();
    EXPECT_NE(log_text().find("idle for 1 s, exiting"), std::string::npos) << log_text();
    Committed c = read_committed(db, true);
    EXPECT_EQ(c.integrity, "ok");
    EXPECT_EQ(c.aggregates, "");
    EXPECT_EQ(c.rows, 0u) << "every row was older than today";
}

// ---- the disk fills up --------------------------------------------------------------------------------

// A 4 MiB tmpfs mounted over a folder in a private mount namespace that the collector is exec'ed into: a
// real ENOSPC from a real file system, which goes away with the collector (no mount is left behind if the
// test dies). The test joins that namespace on a thread of its own to fill the file system with a ballast
// file, to read the database read-only and to free the space again.
TEST_F(FaultTest, DiskFullIsLoggedOnceNixIsStillReadAndHeldRowsAreWrittenWhenSpaceReturns) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a tiny tmpfs in a private mount namespace";
    fs::path small = dir / "small";
    fs::create_directories(small);
    db = small / "nod.db";
    const fs::path ballast = small / "ballast";
    spawn({"unshare", "--mount", "--propagation", "private", "sh", "-c",
           R"(mount -t tmpfs -o size=4m nod-fault-test "$1" && shift && exec "$@")", "sh", small.string()});
    ASSERT_TRUE(notify->wait_for("READY=1", 20s)) << log_text();
    auto committed = [&](bool check) {
        Committed c;
        in_mount_namespace_of(collector->pid(), [&] { c = read_committed(db, check); });
        return c;
    };

    BuildStreams nix(socket, 1, 5, 20ms);  // about 250 builds a second
    ASSERT_TRUE(eventually([&] { return property_rows() >= 300; }, 30s)) << log_text();
    Committed before_full = committed(false);

    int fill_error = 0;
    in_mount_namespace_of(collector->pid(), [&] {
        int fd = open(ballast.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            fill_error = errno;
            return;
        }
        std::string block(64 * 1024, 'x');
        while (fill_error == 0) {  // every block the file system has left
            if (write(fd, block.data(), block.size()) < 0 && errno != EINTR) fill_error = errno;
        }
        close(fd);
    });
    ASSERT_EQ(fill_error, ENOSPC) << std::strerror(fill_error);
    ASSERT_TRUE(
        eventually([&] { return log_text().find("database or disk is full") != std::string::npos; }, 20s))
        << log_text();
    const std::uint64_t held_back = property_rows();
    const std::size_t written_when_full = nix.written_count();

    // Full for longer than the writer's 5 s retry interval; every batch of reads (200 ms) is tried too.
    auto full_until = Clock::now() + 6s;
    int answers = 0;
    while (Clock::now() < full_until) {
        auto stats = call("Stats", {"a{sv}", "0"});
        EXPECT_EQ(stats.status, 0) << "D-Bus still answers: " << stats.err;
        answers += stats.status == 0;
        EXPECT_EQ(property_rows(), held_back) << "nothing can be committed while the disk is full";
        std::this_thread::sleep_for(500ms);
    }
    auto connections =
        busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Connections"});
    EXPECT_EQ(connections.out, "u 1\n") << "the Nix connection is still tracked";
    Committed while_full = committed(true);
    EXPECT_EQ(while_full.integrity, "ok");
    EXPECT_EQ(while_full.aggregates, "");
    EXPECT_EQ(while_full.rows, held_back);
    const std::size_t written_while_full = nix.written_count() - written_when_full;
    EXPECT_GE(written_while_full, 200u) << "Nix kept writing";
    // The socket buffer holds about a second of this stream: had the collector stopped reading, a write
    // would have waited for the rest of the full period.
    EXPECT_LT(nix.longest_write(), 2s) << "a write blocked";

    in_mount_namespace_of(collector->pid(), [&] { fs::remove(ballast); });
    EXPECT_TRUE(eventually([&] { return log_text().find("works again") != std::string::npos; }, 20s))
        << log_text();
    nix.stop();
    const auto written = nix.written();
    ASSERT_TRUE(eventually([&] { return property_rows() == written.size(); }, 30s))
        << property_rows() << " rows, " << written.size() << " builds written\n"
        << log_text();

    Committed after = committed(true);
    EXPECT_EQ(after.integrity, "ok");
    EXPECT_EQ(after.aggregates, "");
    EXPECT_EQ(after.rows, after.ids.size()) << "a build recorded twice";
    EXPECT_TRUE(after.ids == written) << "every build written is stored, the held ones included";
    EXPECT_TRUE(missing_from(before_full.ids, after.ids).empty())
        << "rows committed before the disk filled are gone";
    EXPECT_TRUE(missing_from(while_full.ids, after.ids).empty());

    std::string text = log_text();
    EXPECT_EQ(occurrences(text, "database or disk is full"), 1u) << "one error, not one per retry:\n" << text;
    EXPECT_NE(text.find("to database " + db.string() + ": database or disk is full; keeping "),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("writing to " + db.string() + " works again"), std::string::npos) << text;
    std::printf("held %zu builds in memory while the disk was full; %d D-Bus answers meanwhile\n",
                written_while_full, answers);
    EXPECT_EQ(stop(), 0) << log_text();
}

// ---- a database it may not write ----------------------------------------------------------------------

// Root may read and write any file whatever its mode, so the collector runs as nobody here, as the
// packaged service runs as nod.
TEST_F(FaultTest, ADatabaseTheCollectorMayNotOpenForWritingIsAClearErrorAtStart) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to run the collector as another user";
    struct Case {
        std::string what;
        uid_t owner;
        fs::perms mode;
        fs::perms folder_mode;
        std::string cause;
    };
    const auto rw = fs::perms::owner_read | fs::perms::owner_write;
    const auto r_all = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
    const auto folder_755 = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec;
    const std::vector<Case> cases = {
        {"mode 0000", nobody.uid, fs::perms::none, fs::perms::all,
         "the file is not readable (no read permission)"},
        {"mode 0200", nobody.uid, fs::perms::owner_write, fs::perms::all,
         "the file is not readable (no read permission)"},
        {"mode 0444", nobody.uid, r_all, fs::perms::all, "the file is read-only (no write permission)"},
        {"root's, mode 0600", 0, rw, fs::perms::all, "the file is not readable (no read permission)"},
        {"in root's folder, mode 0755", nobody.uid, rw, folder_755, "folder {} is not writable"},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        SCOPED_TRACE(c.what);
        fs::path folder = dir / ("case-" + std::to_string(i));
        fs::create_directories(folder);
        db = folder / "nod.db";
        log = folder / "collector.log";
        ASSERT_NO_FATAL_FAILURE(make_database(db, c.owner, c.mode));
        fs::permissions(folder, c.folder_mode);
        std::string cause = c.cause;
        if (auto at = cause.find("{}"); at != std::string::npos) cause.replace(at, 2, folder.string());
        expect_refused(cause, {}, nobody);
    }
}

TEST_F(FaultTest, ADatabaseOnAReadOnlyMountIsAClearErrorAtStart) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for a read-only bind mount in a private mount namespace";
    fs::path folder = dir / "state";
    fs::create_directories(folder);
    db = folder / "nod.db";
    ASSERT_NO_FATAL_FAILURE(make_database(db, 0, fs::perms::owner_read | fs::perms::owner_write));
    // Root, whom modes do not stop: only the mount can.
    expect_refused("read-only file system",
                   {"unshare", "--mount", "--propagation", "private", "sh", "-c",
                    R"(mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@")", "sh",
                    folder.string()});
}

// SIGTERM while queries are in flight: a reply must never be released on the query thread, nor after the
// bus is gone (this once crashed the collector at exit, 2 times in 16, found by bench/collector). Every
// caller gets the answer (the query at hand is finished) or the bus's NoReply (queued ones are dropped),
// never silence; and the rounds must have caught queries in flight, or they proved nothing.
TEST_F(FaultTest, SigtermWhileQueriesAreAnsweredExitsZero) {
    store::testing::write_recent_history(db, 40'000, 60, 23);
    std::mt19937_64 random(29);
    int answered = 0, cut_off = 0;
    for (int round = 0; round < 15; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        start();
        std::vector<std::unique_ptr<Process>> callers;
        std::vector<fs::path> outputs;
        for (std::vector<std::string> options :
             {std::vector<std::string>{"0"}, {"1", "group", "b", "true"}, {"0"}, {"1", "days", "u", "7"}}) {
            std::vector<std::string> argv = {
                "busctl",           "--system", "call", "net.bergsoe.Nod1", "/net/bergsoe/Nod1",
                "net.bergsoe.Nod1", "Test",     "a{sv}"};
            argv.insert(argv.end(), options.begin(), options.end());
            outputs.push_back(dir / ("round-" + std::to_string(round) + "-caller-" +
                                     std::to_string(callers.size()) + ".log"));
            callers.push_back(std::make_unique<Process>(argv, bus_env(), outputs.back()));
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(random)));
        ASSERT_EQ(stop(), 0) << log_text();
        for (std::size_t i = 0; i < callers.size(); ++i) {
            auto status = callers[i]->wait(10s);
            ASSERT_TRUE(status) << "caller " << i << " got no answer at all";
            std::string said = file_bytes(outputs[i]);
            if (*status == 0) {
                EXPECT_TRUE(said.starts_with("(ssss)a(")) << said;
                ++answered;
            } else if (said.find("disconnected from message bus without replying") != std::string::npos) {
                ++cut_off;
            } else {
                // The call came after the name was gone: it never reached the collector.
                EXPECT_NE(said.find("was not provided by any .service files"), std::string::npos) << said;
            }
        }
    }
    std::printf("%d calls answered, %d cut off by the exit\n", answered, cut_off);
    EXPECT_GT(answered, 0) << "no round had a query answered";
    EXPECT_GT(cut_off, 0) << "no round stopped the collector with queries in flight";
}

}  // namespace
}  // namespace nod::test
