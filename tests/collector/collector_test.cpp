// nod-collector end to end: a private dbus-daemon with the shipped policy, the real binary, real
// sockets, the corpus replayed live, and (where Debian's nix-bin is installed) a real Nix.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <sdbus-c++/sdbus-c++.h>

#include "busglue/busglue.hpp"
#include "collector_fixture.hpp"
#include "replay/capture.hpp"
#include "store/database.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

namespace nod::test {
namespace {

namespace fs = std::filesystem;

const RunAs nobody{65534, 65534};

std::string lines_of(const replay::CapturedConnection& c) {
    std::string s;
    for (const auto& l : c.lines) s += l.text + "\n";
    return s;
}

// ---- the corpus through the socket ------------------------------------------------------------------

TEST_F(CollectorTest, CorpusScenariosReplayedConcurrentlyGiveTheTruth) {
    start();
    const std::vector<std::string> scenarios = {"h1-daemon-newcli", "h2-daemon-legacy", "h3-daemon-depfail",
                                                "h4-local-fail", "h5-daemon-subst", "h6-daemon-many",
                                                "h7-local-interrupt"};
    std::vector<replay::CapturedConnection> all;
    for (const auto& s : scenarios) {
        auto conns = replay::load_capture_folder(corpus / "nix-2.30" / s);
        all.insert(all.end(), conns.begin(), conns.end());
    }
    replay::send_to_socket(all, socket);  // every connection at its recorded pace, all at once
    ASSERT_EQ(stop(), 0) << log_text();

    std::map<std::string, std::vector<DbRow>> by_name;
    for (const auto& r : rows()) by_name[r.kind + "/" + r.name].push_back(r);
    std::size_t builds = 0;
    for (const auto& s : scenarios) {
        for (const auto& t : replay::load_truth(corpus / "nix-2.30" / s / "truth.log")) {
            SCOPED_TRACE(s + " " + t.name);
            auto& found = by_name["build/" + t.name];
            ASSERT_EQ(found.size(), 1u) << "each build exactly once";
            ++builds;
            const DbRow& r = found[0];
            if (!t.ended) {
                EXPECT_EQ(r.outcome, "cancelled");
                continue;
            }
            EXPECT_EQ(r.outcome, t.rc == 0 ? "succeeded" : "failed");
            ASSERT_TRUE(r.seconds);
            double truth = t.end - t.start;
            EXPECT_NEAR(*r.seconds, truth, std::max(0.1 * truth, 0.1));
        }
    }
    EXPECT_EQ(by_name["substitute/hs-small-1"].size(), 1u);
    EXPECT_EQ(by_name["substitute/hs-big-2"].size(), 1u);
    if (!by_name["substitute/hs-big-2"].empty()) {
        EXPECT_EQ(by_name["substitute/hs-big-2"][0].bytes, 6000520u);
    }
    EXPECT_EQ(rows().size(), builds + 2) << "nothing but the builds and the two substitutions";
}

TEST_F(CollectorTest, RowsMatchTheReaderRunDirectly) {
    start();
    // The same bytes the reader corpus tests use, sent as fast as the socket takes them.
    auto conns = replay::load_capture_folder(corpus / "nix-2.30/h2-daemon-legacy");
    {
        NixConnection nix(socket);
        nix.write(lines_of(conns[0]));
    }
    ASSERT_EQ(stop(), 0);
    std::vector<Row> direct;
    Reader reader({}, [&](Row&& r) { direct.push_back(std::move(r)); });
    replay::replay(conns, reader, {});
    std::multiset<std::string> expected, got;
    for (const auto& r : direct) expected.insert(std::string(to_string(r.kind)) + "/" + r.name + "/" + std::string(to_string(r.outcome)));
    for (const auto& r : rows()) got.insert(r.kind + "/" + r.name + "/" + r.outcome);
    EXPECT_EQ(got, expected);
}

// ---- the bus API ----------------------------------------------------------------------------------

TEST_F(CollectorTest, EveryMethodAndPropertyThroughBusctl) {
    start();
    {
        NixConnection nix(socket);
        nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h3-daemon-depfail")[1]));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 2; })) << log_text();

    auto stats = call("Stats", {"a{sv}", "1", "days", "u", "7"});
    ASSERT_EQ(stats.status, 0) << stats.err;
    EXPECT_NE(stats.out.find(R"x("type":"(ss)a(ssttttdddddttdd)")x"), std::string::npos) << stats.out;
    EXPECT_NE(stats.out.find(R"(,0,0,null,null],)"), std::string::npos) << "no CPU time: NaN, which busctl shows as null\n"
                                                                  << stats.out;
    EXPECT_NE(stats.out.find(R"(["build","",2,1,0,0,)"), std::string::npos) << stats.out;

    auto grouped = call("Stats", {"a{sv}", "3", "group", "b", "true", "sort", "s", "name", "kind", "s", "build"});
    ASSERT_EQ(grouped.status, 0) << grouped.err;
    EXPECT_LT(grouped.out.find("hf-broken-0.1"), grouped.out.find("hf-ok-3.3")) << grouped.out;

    for (const char* unit : {"day", "week", "month"}) {
        auto b = call("Bucket", {"sa{sv}", unit, "1", "months", "u", "2"});
        EXPECT_EQ(b.status, 0) << unit << b.err;
    }
    auto test = call("Test", {"a{sv}", "2", "days", "u", "7", "group", "b", "true"});
    ASSERT_EQ(test.status, 0) << test.err;
    EXPECT_NE(test.out.find(R"x("type":"(ssss)a(ssttdddddbbsdd)")x"), std::string::npos) << test.out;

    for (const char* p : {"Version", "DatabasePath", "Rows", "OldestRow", "Connections"}) {
        auto r = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", p});
        EXPECT_EQ(r.status, 0) << p << r.err;
    }
    auto path = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "DatabasePath"});
    EXPECT_EQ(path.out, "s \"" + db.string() + "\"\n");

    auto clean = call("Clean", {"a{sv}", "1", "before_days", "u", "30"});
    ASSERT_EQ(clean.status, 0) << clean.err;
    EXPECT_EQ(clean.out, R"({"type":"t","data":[0]})" "\n");
    auto all = call("Clean", {"a{sv}", "0"});
    EXPECT_EQ(all.out, R"({"type":"t","data":[2]})" "\n");
    EXPECT_TRUE(eventually([&] { return property_rows() == 0; }));
}

TEST_F(CollectorTest, BadOptionsAreInvalidArgsNamingTheKey) {
    start();
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    for (const auto& c : std::vector<Case>{
             {{"Stats", "a{sv}", "1", "bogus", "u", "1"}, "unknown option 'bogus' for Stats"},
             {{"Stats", "a{sv}", "1", "days", "s", "7"}, "option 'days' must be of type 'u', not 's'"},
             {{"Stats", "a{sv}", "2", "days", "u", "7", "months", "u", "1"}, "'days' and 'months' exclude each other"},
             {{"Stats", "a{sv}", "1", "days", "u", "0"}, "option 'days' must be between 1"},
             {{"Stats", "a{sv}", "1", "sort", "s", "size"}, "option 'sort' must be count, time or name"},
             {{"Stats", "a{sv}", "1", "kind", "s", "eval"}, "option 'kind' must be build"},
             {{"Bucket", "sa{sv}", "year", "0"}, "unit must be day, week or month"},
             {{"Bucket", "sa{sv}", "day", "1", "group", "b", "true"}, "unknown option 'group' for Bucket"},
             {{"Test", "a{sv}", "1", "limit", "u", "3"}, "unknown option 'limit' for Test"},
             {{"Clean", "a{sv}", "1", "days", "u", "3"}, "unknown option 'days' for Clean"},
         }) {
        std::vector<std::string> args(c.args.begin() + 1, c.args.end());
        auto r = call(c.args[0], args);
        EXPECT_NE(r.status, 0);
        EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    }
    auto sig = call("Stats", {"u", "3"});
    EXPECT_NE(sig.status, 0) << "sd-bus checks the signature before the handler";
    EXPECT_TRUE(collector->running()) << "no bad call brings the daemon down";
}

TEST_F(CollectorTest, CleanIsForRootOnly) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to call as another user (nobody)";
    start();
    {
        NixConnection nix(socket);
        nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h4-local-fail")[0]));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 2; }));
    auto as_nobody = call("Clean", {"a{sv}", "0"}, nobody);
    EXPECT_NE(as_nobody.status, 0);
    EXPECT_NE(as_nobody.err.find("ccess denied"), std::string::npos) << as_nobody.err;
    auto read = call("Stats", {"a{sv}", "0"}, nobody);
    EXPECT_EQ(read.status, 0) << "reads are open to everyone: " << read.err;
    EXPECT_EQ(property_rows(), 2u);
    auto as_root = call("Clean", {"a{sv}", "0"});
    EXPECT_EQ(as_root.status, 0) << as_root.err;
    EXPECT_TRUE(eventually([&] { return property_rows() == 0; }));
}

// ---- robustness -----------------------------------------------------------------------------------

TEST_F(CollectorTest, SigkillLosesNothingCommitted) {
    start();
    auto h6 = replay::load_capture_folder(corpus / "nix-2.30/h6-daemon-many")[0];
    NixConnection nix(socket);
    nix.write(lines_of(h6));  // 200 builds; the connection stays open
    ASSERT_TRUE(eventually([&] { return property_rows() == 200; })) << log_text();
    collector->signal(SIGKILL);
    collector->wait();
    nix.close();
    start();
    EXPECT_EQ(property_rows(), 200u);
    EXPECT_EQ(rows().size(), 200u);
    store::Database database(db, store::Access::read_only);
    auto check = database.prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.column_text(0), "ok");
}

TEST_F(CollectorTest, SigtermWritesWhatIsPendingAndExitsZero) {
    start();
    NixConnection nix(socket);
    std::string line = R"({"action":"start","fields":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-open.drv","",1,1],"id":1,"level":3,"parent":0,"text":"","type":105})" "\n";
    nix.write(line);
    ASSERT_TRUE(eventually([&] {
        return busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Connections"})
                   .out == "u 1\n";
    }));
    EXPECT_EQ(stop(), 0) << log_text();
    auto r = rows();
    ASSERT_EQ(r.size(), 1u) << "the open build is recorded as cancelled";
    EXPECT_EQ(r[0].outcome, "cancelled");
    EXPECT_FALSE(fs::exists(socket)) << "a socket it made itself is removed";
}

TEST_F(CollectorTest, TheBusGoesAwayAndComesBackWhileNixIsRead) {
    start();
    bus.kill();
    {
        NixConnection nix(socket);  // Nix is read all the while
        nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h4-local-fail")[0]));
    }
    EXPECT_TRUE(eventually([&] { return log_text().find("lost the bus connection") != std::string::npos; }))
        << log_text();
    bus.restart();
    EXPECT_TRUE(eventually([&] { return property_rows() == 2; }, 15s)) << "re-registered the name: " << log_text();
    EXPECT_NE(log_text().find("connected to the bus again"), std::string::npos) << log_text();
    EXPECT_TRUE(collector->running());
}

// Two rows stored, then a Clean that waits on the writer thread because another process holds the write
// lock until release().
class HeldCleanTest : public CollectorTest {
protected:
    void hold_a_clean() {
        start();
        {
            NixConnection nix(socket);
            nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h4-local-fail")[0]));
        }
        ASSERT_TRUE(eventually([&] { return property_rows() == 2; })) << log_text();

        holder = std::make_unique<store::Database>(db, store::Access::read_write);
        store::sql::exec(holder->handle(), "BEGIN IMMEDIATE", "holding the write lock on " + db.string());
        client = sdbus::createSessionBusConnectionWithAddress(bus.address());
        proxy = sdbus::createProxy(*client, nod::busglue::ServiceName{"net.bergsoe.Nod1"},
                                   sdbus::ObjectPath{"/net/bergsoe/Nod1"});
        proxy->callMethodAsync("Clean")
            .onInterface("net.bergsoe.Nod1")
            .withArguments(std::map<std::string, sdbus::Variant>{})
            .uponReplyInvoke([this](nod::busglue::CallError error, std::uint64_t deleted) {
                answer = error ? error->getName() + ": " + error->getMessage()
                               : "deleted " + std::to_string(deleted);
            });
        // The bus keeps one sender's messages in order and the collector handles them in order: when this
        // answer is here, Clean has been handed to the writer.
        ASSERT_EQ(proxy->getProperty("Rows").onInterface("net.bergsoe.Nod1").get<std::uint64_t>(), 2u);
    }
    void release() { store::sql::exec(holder->handle(), "ROLLBACK", "releasing the write lock on " + db.string()); }
    // Clean's answer, read from the client connection ("deleted N" or the D-Bus error); nullopt if none came.
    std::optional<std::string> wait_for_answer() {
        (void)eventually([&] {
            while (nod::busglue::process_one(*client)) {
            }
            return answer.has_value();
        });
        return answer;
    }

    std::unique_ptr<store::Database> holder;
    std::unique_ptr<sdbus::IConnection> client;
    std::unique_ptr<sdbus::IProxy> proxy;
    std::optional<std::string> answer;
};

// A call still waiting for the writer when the bus goes away goes with its connection and is not answered
// on it later (sdbus-c++ keeps a raw pointer into the connection in every call: pending_replies.hpp).
TEST_F(HeldCleanTest, ACallWaitingForTheWriterWhenTheBusGoesAwayIsDroppedSafely) {
    ASSERT_NO_FATAL_FAILURE(hold_a_clean());
    bus.kill();
    ASSERT_TRUE(eventually([&] { return log_text().find("lost the bus connection") != std::string::npos; }))
        << log_text();
    release();  // Clean goes ahead; its caller is gone
    ASSERT_TRUE(eventually([&] { return log_text().find("Clean deleted 2 rows") != std::string::npos; }))
        << log_text();

    bus.restart();
    EXPECT_TRUE(eventually(
        [&] {
            auto r = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Rows"});
            return r.status == 0 && r.out == "t 0\n";
        },
        15s))
        << "re-registered the name, with the rows Clean deleted gone: " << log_text();
    EXPECT_TRUE(collector->running()) << log_text();
    EXPECT_EQ(stop(), 0) << log_text();
}

// SIGTERM while Clean waits on the writer: the writer finishes it before the collector exits, and its caller
// gets the answer (as systemd's own daemons answer what they took before they go), not "NoReply".
TEST_F(HeldCleanTest, SigtermWhileCleanWaitsForTheWriterAnswersItAndExitsZero) {
    ASSERT_NO_FATAL_FAILURE(hold_a_clean());
    collector->signal(SIGTERM);
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(collector->running()) << "it waits for the writer: " << log_text();
    release();
    EXPECT_EQ(collector->wait(20s).value_or(-1), 0) << log_text();
    EXPECT_EQ(wait_for_answer().value_or("no answer"), "deleted 2") << log_text();
    EXPECT_EQ(rows().size(), 0u);
}

TEST_F(CollectorTest, FiveHundredConcurrentConnections) {
    start({"--max-connections-per-user", "500"});  // one user's, when the tests do not run as root
    std::vector<NixConnection> conns;
    for (int i = 0; i < 500; ++i) conns.emplace_back(socket);
    EXPECT_TRUE(eventually([&] {
        auto r = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Connections"});
        return r.out == "u 500\n";
    }));
    for (int i = 0; i < 500; ++i) {
        std::string drv = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-pkg-" + std::to_string(i) + ".drv";
        std::uint64_t id = (std::uint64_t(100000 + i) << 32) + 1;
        conns[static_cast<std::size_t>(i)].write(
            R"({"action":"start","id":)" + std::to_string(id + 100) + R"(,"level":0,"parent":0,"text":"","type":104})" "\n" +
            R"({"action":"start","fields":[")" + drv + R"(","",1,1],"id":)" + std::to_string(id) +
            R"(,"level":3,"parent":0,"text":"","type":105})" "\n" +
            R"({"action":"result","fields":[1,1,0,0],"id":)" + std::to_string(id + 100) + R"(,"type":105})" "\n" +
            R"({"action":"stop","id":)" + std::to_string(id) + "}\n");
    }
    conns.clear();
    ASSERT_TRUE(eventually([&] { return property_rows() == 500; }, 20s)) << log_text();
    for (const auto& r : rows()) EXPECT_EQ(r.outcome, "succeeded") << r.name;
}

TEST_F(CollectorTest, ConnectionsOverTheLimitAreRefusedAndLoggedWithThePeer) {
    start({"--max-connections", "2"});
    NixConnection a(socket), b(socket);
    auto connections = [&] {
        return busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Connections"}).out;
    };
    ASSERT_TRUE(eventually([&] { return connections() == "u 2\n"; }));
    NixConnection refused(socket);
    std::string expected = "refused a Nix connection (pid " + std::to_string(getpid()) + ", uid " +
                           std::to_string(getuid()) + "): every connection slot it may take is in use (--max-connections 2";
    EXPECT_TRUE(eventually([&] { return log_text().find(expected) != std::string::npos; })) << log_text();
    a.close();
    ASSERT_TRUE(eventually([&] { return connections() == "u 1\n"; }));
    NixConnection c(socket);
    EXPECT_TRUE(eventually([&] { return connections() == "u 2\n"; })) << "room again after one closed";
}

TEST_F(CollectorTest, AHalfLineThatStopsDoesNotSlowTheOthers) {
    start();
    NixConnection stuck(socket);
    stuck.write(R"({"action":"start","fields":["/nix/store/0123456789abcdfghi)");  // and nothing more
    auto h1 = replay::load_capture_folder(corpus / "nix-2.30/h1-daemon-newcli");
    auto t0 = std::chrono::steady_clock::now();
    {
        NixConnection other(socket);
        other.write(lines_of(h1[1]));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 3; }, 5s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(CollectorTest, A64MiBLineIsSkippedWithMemoryBounded) {
    start();
    long before = peak_rss_kib(collector->pid());
    {
        NixConnection nix(socket);
        std::string chunk(1 << 20, 'x');
        nix.write(R"({"action":"msg","level":0,"msg":")");
        for (int i = 0; i < 64; ++i) nix.write(chunk);
        nix.write("\"}\n");
        nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h4-local-fail")[0]));
    }
    ASSERT_TRUE(eventually([&] { return property_rows() == 2; }, 20s)) << log_text();
    long after = peak_rss_kib(collector->pid());
    RecordProperty("peak_rss_kib_before", std::to_string(before));
    RecordProperty("peak_rss_kib_after", std::to_string(after));
    std::printf("peak RSS %ld KiB before, %ld KiB after a 64 MiB line\n", before, after);
    EXPECT_LT(after - before, 16 * 1024) << "the 1 MiB line cap bounds the memory";
    EXPECT_NE(log_text().find("refused log lines longer than --max-line-bytes from a Nix connection"), std::string::npos)
        << log_text();
}

TEST_F(CollectorTest, ARegularFileAtTheSocketPathIsReplaced) {
    std::ofstream(socket) << R"({"action":"msg","level":3,"msg":"what Nix appended when no socket was there"})" "\n";
    start();
    struct stat st {};
    ASSERT_EQ(stat(socket.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0666u);
    EXPECT_NE(log_text().find("replacing the regular file at " + socket.string()), std::string::npos) << log_text();
}

TEST_F(CollectorTest, ASecondCollectorOnTheSameSocketRefusesToStart) {
    start();
    Process second({collector_binary.string(), "--socket", socket.string(), "--db", (dir / "other.db").string()},
                   bus_env(), dir / "second.log");
    EXPECT_EQ(second.wait(10s), 1);
    std::ifstream in(dir / "second.log");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(text.find("another process is already listening on"), std::string::npos) << text;
}

// The name goes before the process: the collector asks the bus to release it (so that every call queued
// before is still answered) and exits on the bus's confirmation. Once a process has exited its names are
// gone anyway, so a monitor on the bus watches for the ReleaseName call itself.
TEST_F(CollectorTest, IdleExitReleasesTheNameAndExitsZero) {
    fs::path seen = dir / "monitor.log";
    Process monitor({"dbus-monitor", "--address", bus.address(),
                     "type='method_call',interface='org.freedesktop.DBus',member='ReleaseName'"},
                    {}, seen);
    ASSERT_TRUE(eventually([&] { return fs::exists(seen) && fs::file_size(seen) > 0; })) << "the monitor is on";
    start({"--idle-exit-sec", "1"});
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(collector->wait(10s), 0) << log_text();
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
    auto released = [&] {
        std::ifstream in(seen);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        auto call = text.find("member=ReleaseName");
        return call != std::string::npos && text.find("string \"net.bergsoe.Nod1\"", call) != std::string::npos;
    };
    EXPECT_TRUE(eventually(released, 2s)) << "the collector released the name before it exited";
    auto r = call("Stats", {"a{sv}", "0"});
    EXPECT_NE(r.status, 0) << "the name is gone";
}

TEST_F(CollectorTest, ANixConnectionKeepsItFromGoingIdle) {
    start({"--idle-exit-sec", "1"});
    NixConnection nix(socket);
    EXPECT_FALSE(collector->wait(2500ms)) << "still running while Nix is connected";
    nix.close();
    EXPECT_EQ(collector->wait(10s), 0);
}

TEST_F(CollectorTest, BadDatabaseIsAClearErrorAtStart) {
    std::ofstream(db) << "this is not a database, and it is long enough to look like a header to SQLite........";
    notify.emplace(dir / "notify-bad");
    Process p({collector_binary.string(), "--socket", socket.string(), "--db", db.string()}, bus_env(), log);
    EXPECT_EQ(p.wait(10s), 1);
    EXPECT_NE(log_text().find(db.string()), std::string::npos) << log_text();
}

TEST_F(CollectorTest, ANewerSchemaIsAClearErrorAtStartAndTheFileIsKept) {
    { store::Store created(db); }
    ASSERT_EQ(run({"sqlite3", db.string(), "PRAGMA user_version = 99"}).status, 0);
    auto before = fs::file_size(db);
    Process p({collector_binary.string(), "--socket", socket.string(), "--db", db.string()}, bus_env(), log);
    EXPECT_EQ(p.wait(10s), 1);
    EXPECT_NE(log_text().find("has schema version 99"), std::string::npos) << log_text();
    EXPECT_EQ(fs::file_size(db), before) << "never a silent empty history";
}

// ---- socket activation ----------------------------------------------------------------------------

TEST_F(CollectorTest, SocketActivatedBySystemdSocketActivate) {
    notify.emplace(dir / "notify-activate");
    Env env = bus_env();
    Process activator({"systemd-socket-activate", "-l", socket.string(), "--fdname=nod", "-E",
                       "DBUS_SYSTEM_BUS_ADDRESS=" + bus.address(), "-E", "NOTIFY_SOCKET=" + notify->path().string(),
                       collector_binary.string(), "--db", db.string()},
                      env, log);
    ASSERT_TRUE(eventually([&] { return fs::exists(socket); })) << log_text();
    EXPECT_FALSE(notify->wait_for("READY=1", 300ms)) << "nothing runs before the first connection";
    {
        NixConnection nix(socket);  // the first connection starts the collector
        nix.write(lines_of(replay::load_capture_folder(corpus / "nix-2.30/h4-local-fail")[0]));
    }
    ASSERT_TRUE(notify->wait_for("READY=1")) << log_text();
    ASSERT_TRUE(eventually([&] { return property_rows() == 2; })) << log_text();
    EXPECT_NE(log_text().find("the socket systemd passed"), std::string::npos) << log_text();
    activator.signal(SIGTERM);
    EXPECT_EQ(activator.wait(), 0);
    EXPECT_TRUE(fs::exists(socket)) << "systemd's socket is not ours to remove";
}

// ---- a real Nix -----------------------------------------------------------------------------------

TEST_F(CollectorTest, RealNixBuildsAFreshDerivation) {
    if (geteuid() != 0) GTEST_SKIP() << "Debian's nix-bin builds as root in single-user mode";
    if (run({"sh", "-c", "command -v nix-build"}).status != 0) GTEST_SKIP() << "nix-build is not installed";
    start();
    fs::create_directories("/nix/store");
    fs::path conf = dir / "nix-conf";
    fs::create_directories(conf);
    std::ofstream(conf / "nix.conf") << "build-users-group =\nsandbox = false\nexperimental-features = nix-command\n"
                                        "substituters =\n";
    fs::path expr = dir / "fresh.nix";
    std::ofstream(expr) << R"({ nonce }: builtins.derivation {
  name = "nod-e2e-fresh"; system = builtins.currentSystem; builder = "/bin/sh"; inherit nonce;
  PATH = "/usr/bin:/bin";
  args = [ "-c" "echo building; sleep 0.3; echo $nonce > $out" ];
})";
    std::string nonce = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    auto r = run({"sh", "-c",
                  "nix-build " + expr.string() + " --argstr nonce " + nonce +
                      " --no-out-link --log-format internal-json -v 2>&1 | sed -un 's/^@nix //p' | socat -u - "
                      "UNIX-CONNECT:" + socket.string()},
                 {{"NIX_CONF_DIR", conf.string()}}, std::nullopt, 120s);
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    ASSERT_TRUE(eventually([&] { return property_rows() >= 1; })) << log_text();
    auto found = rows();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].kind, "build");
    EXPECT_EQ(found[0].name, "nod-e2e-fresh");
    EXPECT_EQ(found[0].outcome, "succeeded");
    ASSERT_TRUE(found[0].seconds);
    EXPECT_GE(*found[0].seconds, 0.25);
    EXPECT_LT(*found[0].seconds, 10.0);
}

}  // namespace
}  // namespace nod::test
