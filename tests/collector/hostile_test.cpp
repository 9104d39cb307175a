// Every local user can write to nod's socket and call its bus methods. These tests are such a user: a
// client that runs as nobody (tests/collector/hostile_client.cpp) against a real collector on a private bus
// with the shipped policy, one test per way it could take nod down, crowd root out, or lie in root's name
// (docs/security.md lists them with the bounds they test).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "collector_fixture.hpp"
#include "store/database.hpp"
#include "store/row_reader.hpp"
#include "store/store.hpp"
#include "store/support.hpp"

namespace nod::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const RunAs nobody{65534, 65534};
const fs::path hostile_client = NOD_HOSTILE_CLIENT;

std::string drv(const std::string& name) { return "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-" + name + ".drv"; }

// A build that starts and that its Worker's Builds progress (`worker`, already started) counts done.
std::string finished_build(std::uint64_t id, const std::string& path, std::uint64_t worker, std::uint64_t done,
                           bool failed = false) {
    std::string n = std::to_string(done);
    return R"({"action":"start","fields":[")" + path + R"(","",1,1],"id":)" + std::to_string(id) +
           R"(,"level":3,"parent":0,"text":"","type":105})" "\n" + R"({"action":"result","fields":[)" +
           (failed ? "0,1,0," + n : n + "," + n + ",0,0") + R"(],"id":)" + std::to_string(worker) +
           R"(,"type":105})" "\n" + R"({"action":"stop","id":)" + std::to_string(id) + "}\n";
}

std::string builds_activity(std::uint64_t worker) {
    return R"({"action":"start","id":)" + std::to_string(worker) + R"(,"level":0,"parent":0,"text":"","type":104})" "\n";
}

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return 0;
}

// CPU time (user + system) a process has used, in clock ticks.
long cpu_ticks(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) {
            stime = std::stol(field);
            break;
        }
    }
    return utime + stime;
}

class HostileTest : public CollectorTest {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "needs root to run the hostile client as another user (nobody)";
        client_binary = copy_for_anyone(hostile_client, dir.path());
    }

    // The hostile client as nobody; `output` gets what it prints.
    std::unique_ptr<Process> as_nobody(std::vector<std::string> args, const std::string& output) {
        args.insert(args.begin(), client_binary.string());
        return std::make_unique<Process>(args, Env{}, dir / output, nobody);
    }
    std::string text_of(const std::string& file) const {
        std::ifstream in(dir / file);
        return std::string((std::istreambuf_iterator<char>(in)), {});
    }
    // Sends `bytes` on one connection as nobody and waits until the client is done.
    void send_as_nobody(const std::string& bytes) {
        fs::path file = dir / ("lines-" + std::to_string(++files));
        std::ofstream(file, std::ios::binary) << bytes;
        fs::permissions(file, fs::perms::owner_all | fs::perms::others_read);
        auto client = as_nobody({"send", socket.string(), file.string()}, "send.log");
        ASSERT_EQ(client->wait(60s), 0) << text_of("send.log");
    }
    std::string refusals() const {
        return busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Refusals"}).out;
    }
    std::vector<store::StoredRow> stored() const {
        std::vector<store::StoredRow> out;
        store::Database database(db, store::Access::read_only);
        store::for_each_row(database, [&](const store::StoredRow& r) { out.push_back(r); });
        return out;
    }

    fs::path client_binary;
    int files = 0;
};

// ---- 1. one line that crashed it ----------------------------------------------------------------------

TEST_F(HostileTest, ALineNestedNineHundredThousandDeepIsRefusedAndTheCollectorStaysUp) {
    start();
    std::uint64_t worker = (std::uint64_t{777} << 32) | 1;
    send_as_nobody(R"({"action":"msg","level":0,"msg":"x","x":)" + std::string(900'000, '[') + "\n" +
                   builds_activity(worker) + finished_build(worker + 1, drv("after"), worker, 1));
    ASSERT_TRUE(eventually([&] { return property_rows() == 1; })) << "the stream goes on: " << log_text();
    EXPECT_TRUE(collector->running());
    EXPECT_NE(refusals().find("\"too-deep\" 65534 1"), std::string::npos) << refusals();
    EXPECT_NE(log_text().find("records nested deeper than nod reads from a Nix connection (pid "), std::string::npos)
        << log_text();
    EXPECT_EQ(stop(), 0) << log_text();
}

// ---- 2. one call that knocked it off the bus ----------------------------------------------------------

TEST_F(HostileTest, AnAnswerTooLargeForTheBusIsAClearErrorAndTheCollectorStaysOnTheBus) {
    {
        store::Store history(db);
        std::vector<Row> rows;
        Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
        for (int i = 0; i < 2500; ++i)  // 2 500 names of 4 000 bytes: a grouped answer of about 10 MiB
            rows.push_back(store::testing::make_row(Kind::build, std::to_string(i) + std::string(4000, 'n'), now, 1));
        history.write(rows);
    }
    start();
    auto bucket = call("Bucket", {"sa{sv}", "day", "1", "days", "u", "80000"}, nobody);
    EXPECT_NE(bucket.status, 0);
    EXPECT_NE(bucket.err.find("more than the 10000 of one answer: use week or month, or fewer days"), std::string::npos)
        << bucket.err;
    auto grouped = call("Stats", {"a{sv}", "1", "group", "b", "true"}, nobody);
    EXPECT_NE(grouped.status, 0);
    EXPECT_NE(grouped.err.find("MiB nod sends in one reply: ask for fewer groups (a limit)"), std::string::npos) << grouped.err;
    auto limited = call("Stats", {"a{sv}", "2", "group", "b", "true", "limit", "u", "100"}, nobody);
    EXPECT_EQ(limited.status, 0) << limited.err;
    EXPECT_EQ(property_rows(), 2500u);
    EXPECT_EQ(log_text().find("lost the bus connection"), std::string::npos) << log_text();
    EXPECT_EQ(stop(), 0) << log_text();
}

// ---- 3. connections ---------------------------------------------------------------------------------

// Another user holds every connection slot it may take; root's connection (the nix-daemon's worker) is
// still accepted, and its build recorded. Once, root's was the connection refused.
TEST_F(HostileTest, RootsBuildIsRecordedWhileAnotherUserHoldsEveryConnectionItMay) {
    start({"--max-connections", "40", "--max-connections-per-user", "100"});
    auto holder = as_nobody({"hold", socket.string(), "60"}, "hold.log");
    EXPECT_TRUE(eventually([&] { return refusals().find("\"connections\" 65534 ") != std::string::npos; }))
        << refusals() << log_text();
    NixConnection root(socket);
    std::uint64_t worker = (static_cast<std::uint64_t>(getpid()) << 32) | 1;
    root.write(builds_activity(worker) + finished_build(worker + 1, drv("roots"), worker, 1));
    ASSERT_TRUE(eventually([&] { return property_rows() == 1; })) << log_text();
    auto rows = stored();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].row.name, "roots");
    EXPECT_TRUE(rows[0].row.trusted);
    // 40 slots, 2 kept for root: nobody got 38 of its 60, and one log line says so.
    EXPECT_NE(refusals().find("\"connections\" 65534 22"), std::string::npos) << refusals();
    std::string logged = log_text();
    std::size_t lines = 0;
    for (auto at = logged.find("refused a Nix connection"); at != std::string::npos;
         at = logged.find("refused a Nix connection", at + 1))
        ++lines;
    EXPECT_EQ(lines, 1u) << logged;
    holder.reset();
    EXPECT_EQ(stop(), 0) << log_text();
}

TEST_F(HostileTest, OneUsersShareOfConnectionsIsTheirs) {
    start({"--max-connections-per-user", "5"});
    auto holder = as_nobody({"hold", socket.string(), "8"}, "hold.log");
    EXPECT_TRUE(eventually([&] { return refusals().find("\"connections-per-user\" 65534 3") != std::string::npos; }))
        << refusals() << log_text();
    EXPECT_TRUE(eventually([&] {
        auto r = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Connections"});
        return r.out == "u 5\n";
    }));
    NixConnection root(socket);  // the share is per user: root is not held to nobody's
    EXPECT_TRUE(eventually([&] {
        auto r = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Connections"});
        return r.out == "u 6\n";
    }));
}

// Under systemd's soft fd limit of 1024, 1 100 connections from one user once made accept() fail with
// EMFILE in a loop (160 MB of log in 8 s) and queries fail to open the database. The collector keeps its
// cap below the limit: the rest is refused, it does not spin, queries work, root gets through.
TEST_F(HostileTest, AtTheFdLimitTheCollectorNeitherSpinsNorLosesRootOrItsDatabase) {
    spawn({"prlimit", "--nofile=1024:1024", "--"}, {"--max-connections-per-user", "2000"});
    ASSERT_TRUE(notify->wait_for("READY=1", 20s)) << log_text();
    auto holder = as_nobody({"hold", socket.string(), "1100"}, "hold.log");
    ASSERT_TRUE(eventually([&] { return refusals().find("\"connections\" 65534 ") != std::string::npos; }, 20s))
        << refusals() << log_text();
    long before = cpu_ticks(collector->pid());
    std::this_thread::sleep_for(2s);
    long spent = cpu_ticks(collector->pid()) - before;
    EXPECT_LT(spent, sysconf(_SC_CLK_TCK) / 2) << "CPU ticks in 2 s with every slot taken";
    auto stats = call("Stats", {"a{sv}", "0"}, nobody);
    EXPECT_EQ(stats.status, 0) << "the database still opens: " << stats.err;
    NixConnection root(socket);
    std::uint64_t worker = (static_cast<std::uint64_t>(getpid()) << 32) | 1;
    root.write(builds_activity(worker) + finished_build(worker + 1, drv("roots"), worker, 1));
    EXPECT_TRUE(eventually([&] { return property_rows() == 1; })) << log_text();
    EXPECT_LT(log_text().size(), 4096u) << log_text();
    EXPECT_NE(log_text().find("lowered to 960: the open-file limit is 1024"), std::string::npos) << log_text();
}

// ---- 4. memory and the writer -------------------------------------------------------------------------

// 200 builds in flight with 500 KB drv paths once took 784 MiB: such paths are refused and counted.
TEST_F(HostileTest, HugePathsAreRefusedAndMemoryStaysBounded) {
    start();
    long before = peak_rss_kib(collector->pid());
    std::string lines;
    std::uint64_t origin = std::uint64_t{4242} << 32;
    for (int i = 0; i < 200; ++i)
        lines += R"({"action":"start","fields":[")" + drv(std::to_string(i) + std::string(500'000, 'p')) +
                 R"(","",1,1],"id":)" + std::to_string(origin | static_cast<std::uint64_t>(i)) +
                 R"(,"level":3,"parent":0,"text":"","type":105})" "\n";
    send_as_nobody(lines);
    EXPECT_TRUE(eventually([&] { return refusals().find("\"path-too-long\" 65534 200") != std::string::npos; }))
        << refusals();
    long after = peak_rss_kib(collector->pid());
    std::printf("peak RSS %ld KiB before, %ld KiB after 200 builds with 500 KB paths\n", before, after);
    EXPECT_LT(after - before, 32 * 1024);
}

// A flood of valid builds runs faster than any disk takes rows. The flooding connection is held (not read)
// while the writer catches up, so memory stays bounded and root's builds, reported meanwhile, all arrive;
// afterwards the memory is given back. Once, the queue grew to gigabytes and the row cap then dropped
// the oldest rows, root's among them.
TEST_F(HostileTest, AFloodIsHeldBackRootsBuildsAllArriveAndMemoryIsGivenBack) {
    // The writer's backlog is the bound under test (4 MiB, so that it is reached even when the writer keeps up
    // well), not the daily one.
    start({"--max-rows-per-user-day", "0", "--max-unwritten-mib", "4"});
    long baseline = rss_kib(collector->pid());
    auto flood = as_nobody({"flood", socket.string(), "3"}, "flood.log");
    NixConnection root(socket);
    std::uint64_t worker = (static_cast<std::uint64_t>(getpid()) << 32) | 1;
    root.write(builds_activity(worker));
    for (std::uint64_t i = 1; i <= 40; ++i) {
        ASSERT_TRUE(root.write(finished_build(worker + i, drv("root-" + std::to_string(i)), worker, i)));
        std::this_thread::sleep_for(60ms);
    }
    ASSERT_EQ(flood->wait(60s), 0) << text_of("flood.log");
    std::uint64_t flooded = std::stoull(text_of("flood.log"));
    ASSERT_TRUE(eventually([&] { return property_rows() >= flooded + 40; }, 120s))
        << property_rows() << " of " << flooded + 40 << "\n" << log_text();
    std::size_t roots = 0;
    for (const auto& r : stored()) roots += r.row.name.starts_with("root-") ? 1 : 0;
    EXPECT_EQ(roots, 40u) << "every build root reported during the flood";
    long peak = peak_rss_kib(collector->pid());
    long now = 0;
    EXPECT_TRUE(eventually([&] { return (now = rss_kib(collector->pid())) < baseline + 32 * 1024; }, 10s))
        << "given back: " << now << " KiB now, " << baseline << " KiB before the flood";
    std::printf("%llu builds flooded; RSS %ld KiB before, peak %ld KiB, %ld KiB after\n",
                static_cast<unsigned long long>(flooded), baseline, peak, now);
    EXPECT_LT(peak, 512 * 1024) << "peak RSS in KiB";
    EXPECT_NE(refusals().find("\"paused\" 65534 "), std::string::npos) << refusals();
}

// Made-up builds are stored as fast as the disk takes them, unless a user's rows are bounded per day:
// past --max-rows-per-user-day they are dropped and counted; root's are not counted.
TEST_F(HostileTest, AUsersRowsPerDayAreBoundedAndRootsAreNot) {
    start({"--max-rows-per-user-day", "100"});
    std::uint64_t origin = std::uint64_t{31337} << 32, fake_worker = origin | 1;
    std::string forged = builds_activity(fake_worker);
    for (std::uint64_t i = 1; i <= 150; ++i) forged += finished_build(origin | (10 + i), drv("forged"), fake_worker, i);
    send_as_nobody(forged);
    NixConnection root(socket);
    std::uint64_t worker = (static_cast<std::uint64_t>(getpid()) << 32) | 1;
    std::string real = builds_activity(worker);
    for (std::uint64_t i = 1; i <= 150; ++i) real += finished_build(worker + i, drv("real"), worker, i);
    root.write(real);
    ASSERT_TRUE(eventually([&] { return property_rows() == 250; })) << property_rows() << "\n" << log_text();
    EXPECT_NE(refusals().find("\"rows-per-day\" 65534 50"), std::string::npos) << refusals();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(property_rows(), 250u);
}

// ---- 5. numbers ---------------------------------------------------------------------------------------

TEST_F(HostileTest, ByteCountsBeyondAnyNarStayIntegersAndTheDayCanStillBeCleaned) {
    start();
    std::uint64_t origin = std::uint64_t{31337} << 32;
    std::string lines;
    for (std::uint64_t i = 1; i <= 2; ++i) {
        std::string id = std::to_string(origin | i);
        lines += R"({"action":"start","fields":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-huge-)" + id +
                 R"(","local","ssh://peer"],"id":)" + id + R"(,"level":3,"parent":0,"text":"","type":100})" "\n" +
                 R"({"action":"result","fields":[)" + (i == 1 ? "9223372036854775807" : "18446744073709551615") +
                 R"(,18446744073709551615,0,0],"id":)" + id + R"(,"type":105})" "\n" + R"({"action":"stop","id":)" + id +
                 "}\n";
    }
    send_as_nobody(lines);
    ASSERT_TRUE(eventually([&] { return property_rows() == 2; })) << log_text();
    {
        store::Database database(db, store::Access::read_only);
        EXPECT_EQ(database.query_int("SELECT count(*) FROM day_totals WHERE typeof(bytes) != 'integer'"), 0);
        EXPECT_EQ(database.query_int("SELECT max(bytes) FROM rows"), static_cast<std::int64_t>(max_row_bytes));
        EXPECT_EQ(database.query_int("SELECT sum(bytes) FROM day_totals"), static_cast<std::int64_t>(2 * max_row_bytes));
    }
    auto clean = call("Clean", {"a{sv}", "1", "before_days", "u", "0"});
    EXPECT_EQ(clean.status, 0) << clean.err << log_text();
    EXPECT_EQ(clean.out, "{\"type\":\"t\",\"data\":[2]}\n");
    EXPECT_EQ(property_rows(), 0u);
}

// ---- 6. exactly once, by ownership --------------------------------------------------------------------

// nobody reads a worker's pid in /proc and sends start and stop for its ids, with the drv paths it will
// build, before the worker reports them. Once that kept 200 forged rows and suppressed the 200 real ones;
// now the worker's rows replace them. And nothing nobody sends afterwards changes root's rows.
TEST_F(HostileTest, IdsSentAheadOfTheirWorkerNeitherSuppressNorOverwriteItsRows) {
    start();
    NixConnection worker_connection(socket);  // root, and the ids' origin: this process's pid
    std::uint64_t origin = static_cast<std::uint64_t>(getpid()) << 32;
    std::uint64_t worker = origin | 1;
    std::string forged;
    for (std::uint64_t i = 1; i <= 200; ++i)
        forged += R"({"action":"start","fields":[")" + drv("app-" + std::to_string(i)) + R"(","",1,1],"id":)" +
                  std::to_string(origin | (100 + i)) + R"(,"level":3,"parent":0,"text":"","type":105})" "\n" +
                  R"({"action":"stop","id":)" + std::to_string(origin | (100 + i)) + "}\n";
    send_as_nobody(forged);
    ASSERT_TRUE(eventually([&] { return property_rows() == 200; })) << log_text();
    std::string real = builds_activity(worker);
    for (std::uint64_t i = 1; i <= 200; ++i) real += finished_build(origin | (100 + i), drv("app-" + std::to_string(i)), worker, i);
    ASSERT_TRUE(worker_connection.write(real));
    ASSERT_TRUE(eventually([&] {
        auto rows = stored();
        return rows.size() == 200 && std::all_of(rows.begin(), rows.end(), [](const auto& r) { return r.row.origin; });
    })) << property_rows() << " rows\n" << log_text();
    // The same ids again, as failures: duplicates, which change nothing.
    std::string again = builds_activity(origin | 2);
    for (std::uint64_t i = 1; i <= 200; ++i)
        again += finished_build(origin | (100 + i), drv("app-" + std::to_string(i)), origin | 2, i, true);
    send_as_nobody(again);
    std::this_thread::sleep_for(500ms);  // a flush of the reader (200 ms) and a commit
    auto rows = stored();
    ASSERT_EQ(rows.size(), 200u);
    for (const auto& r : rows) {
        EXPECT_EQ(r.row.outcome, Outcome::succeeded) << r.row.name;
        EXPECT_EQ(r.row.pid, getpid());
        EXPECT_TRUE(r.row.trusted);
    }
}

// ---- 7. forged history ---------------------------------------------------------------------------------

TEST_F(HostileTest, ForgedHistoryIsVisibleAsTheirsAndLeftOutOfTrustedFigures) {
    start();
    NixConnection root(socket);
    std::uint64_t worker = (static_cast<std::uint64_t>(getpid()) << 32) | 1;
    root.write(builds_activity(worker) + finished_build(worker + 1, drv("glibc-2.40"), worker, 1));
    std::uint64_t origin = std::uint64_t{31337} << 32, fake_worker = origin | 1;
    std::string forged = builds_activity(fake_worker);
    for (std::uint64_t i = 1; i <= 3000; ++i)
        forged += finished_build(origin | (10 + i), drv("glibc-2.40"), fake_worker, i, true);
    send_as_nobody(forged);
    ASSERT_TRUE(eventually([&] { return property_rows() == 3001; })) << log_text();
    auto all = call("Stats", {"a{sv}", "1", "kind", "s", "build"});
    EXPECT_NE(all.out.find("\"build\",\"\",3001,3000"), std::string::npos) << all.out;
    auto trusted = call("Stats", {"a{sv}", "2", "kind", "s", "build", "trusted", "b", "true"});
    EXPECT_NE(trusted.out.find("\"build\",\"\",1,0"), std::string::npos) << trusted.out;
    auto theirs = call("Stats", {"a{sv}", "2", "kind", "s", "build", "uid", "u", "65534"});
    EXPECT_NE(theirs.out.find("\"build\",\"\",3000,3000"), std::string::npos) << theirs.out;
    auto by_user = call("Stats", {"a{sv}", "2", "kind", "s", "build", "group_by", "s", "user"});
    EXPECT_NE(by_user.out.find("\"build\",\"65534\",3000,3000"), std::string::npos) << by_user.out;
    EXPECT_NE(by_user.out.find("\"build\",\"0\",1,0"), std::string::npos) << by_user.out;
}

// ---- 8. query starvation ------------------------------------------------------------------------------

// 80 heavy calls at once from one user: that user gets Busy past its share, and root's query is answered,
// and so is Totals.
// Once the 64-entry queue filled and root got Busy too.
TEST_F(HostileTest, OneUsersBurstOfQueriesNeitherFillsTheQueueForOthersNorHoldsUpRoot) {
    store::testing::write_recent_history(db, 100'000, 60, 5);
    start();
    std::vector<std::unique_ptr<Process>> burst;
    std::vector<fs::path> outputs;
    for (int i = 0; i < 80; ++i) {
        outputs.push_back(dir / ("burst-" + std::to_string(i) + ".log"));
        std::vector<std::string> argv = {"busctl", "--system", "call", "net.bergsoe.Nod1", "/net/bergsoe/Nod1",
                                         "net.bergsoe.Nod1", "Test", "a{sv}", "1", "group", "b", "true"};
        burst.push_back(std::make_unique<Process>(argv, bus_env(), outputs.back(), nobody));
    }
    std::this_thread::sleep_for(200ms);
    auto mine = call("Stats", {"a{sv}", "0"});
    EXPECT_EQ(mine.status, 0) << "root's query: " << mine.err;
    // Totals (what nod-exporter asks every scrape) takes no query lane: even the flooding user gets it.
    auto totals = call("Totals", {}, nobody);
    EXPECT_EQ(totals.status, 0) << "Totals during the burst: " << totals.err;
    EXPECT_NE(totals.out.find("\"build\""), std::string::npos) << totals.out;
    int busy = 0, answered = 0;
    for (std::size_t i = 0; i < burst.size(); ++i) {
        auto status = burst[i]->wait(120s);
        ASSERT_TRUE(status);
        std::ifstream in(outputs[i]);
        std::string said((std::istreambuf_iterator<char>(in)), {});
        if (*status == 0) ++answered;
        else if (said.find("you have 8 queries waiting or running") != std::string::npos) ++busy;
        else ADD_FAILURE() << said;
    }
    std::printf("%d answered, %d told they had 8 waiting\n", answered, busy);
    EXPECT_GE(answered, 8);
    EXPECT_GT(busy, 0);
}

TEST_F(HostileTest, AQueryPastItsDeadlineIsStoppedWithAClearError) {
    store::testing::write_recent_history(db, 100'000, 60, 6);
    start({"--query-timeout-sec", "0.001"});
    auto slow = call("Test", {"a{sv}", "1", "group", "b", "true"}, nobody);
    EXPECT_NE(slow.status, 0);
    EXPECT_NE(slow.err.find("read the database for longer than nod allows one (--query-timeout-sec)"),
              std::string::npos)
        << slow.err;
    EXPECT_EQ(property_rows(), 100'000u) << "and the collector answers on";
    EXPECT_EQ(stop(), 0) << log_text();
}

// ---- 9. files -----------------------------------------------------------------------------------------

TEST_F(HostileTest, TheDatabaseIsPrivateWhateverTheUmaskAndASymlinkIsNotFollowed) {
    spawn({"sh", "-c", "umask 022 && exec \"$@\"", "sh"});
    ASSERT_TRUE(notify->wait_for("READY=1", 20s)) << log_text();
    NixConnection root(socket);
    std::uint64_t worker = (static_cast<std::uint64_t>(getpid()) << 32) | 1;
    root.write(builds_activity(worker) + finished_build(worker + 1, drv("a"), worker, 1));
    ASSERT_TRUE(eventually([&] { return property_rows() == 1; })) << log_text();
    for (const auto& file : {db, fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm")}) {
        struct stat st {};
        ASSERT_EQ(stat(file.c_str(), &st), 0) << file;
        EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    }
    struct stat sock {};
    ASSERT_EQ(lstat(socket.c_str(), &sock), 0);
    EXPECT_EQ(sock.st_mode & 0777, 0666u);
    root.close();
    ASSERT_EQ(stop(), 0) << log_text();

    // A symbolic link planted where the database should be: refused, and what it points at is untouched.
    fs::path target = dir / "someone-elses-file";
    std::ofstream(target) << "not yours";
    fs::path linked = dir / "linked.db";
    fs::create_symlink(target, linked);
    Process p({collector_binary.string(), "--socket", (dir / "other.sock").string(), "--db", linked.string()},
              bus_env(), dir / "linked.log");
    EXPECT_EQ(p.wait(10s), 1);
    EXPECT_NE(text_of("linked.log").find("it is a symbolic link"), std::string::npos) << text_of("linked.log");
    EXPECT_EQ(text_of("someone-elses-file"), "not yours");
}

}  // namespace
}  // namespace nod::test
