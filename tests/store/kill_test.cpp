// Crash safety: a writer killed with SIGKILL at random moments (50 times) leaves a database that passes
// PRAGMA integrity_check and whose aggregates equal a recount from its rows (the writer folds its pending
// per-name sums every 4 batches, so kills land in folds too).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "store/store.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

pid_t start_writer(const std::string& db, unsigned seed) {
    pid_t pid = fork();
    if (pid == 0) {
        std::string seed_text = std::to_string(seed);
        execl(NOD_STORE_WRITER_LOOP, NOD_STORE_WRITER_LOOP, db.c_str(), seed_text.c_str(), nullptr);
        _exit(127);
    }
    return pid;
}

TEST(Crash, SigkilledWriterLeavesConsistentDatabase) {
    testing::TempDir dir;
    std::string db = (dir / "nod.db").string();
    std::mt19937 random(20261125);
    std::uniform_int_distribution<int> delay_ms(0, 80);
    std::int64_t previous_rows = 0;
    int grew = 0;
    for (unsigned run = 0; run < 50; ++run) {
        pid_t pid = start_writer(db, run);
        ASSERT_GT(pid, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFSIGNALED(status))
            << "writer exited by itself with status " << WEXITSTATUS(status) << " in run " << run;

        Store store(db);  // what the collector does on restart: recovers the WAL
        sql::Statement check = store.database().prepare("PRAGMA integrity_check");
        ASSERT_TRUE(check.step());
        ASSERT_EQ(check.column_text(0), "ok") << "run " << run;
        check.reset();
        ASSERT_EQ(testing::describe_difference(testing::read_aggregates(store.database()),
                                               testing::recount_aggregates(store.database())),
                  "")
            << "run " << run;
        auto rows = store.database().query_int("SELECT count(*) FROM rows");
        grew += rows != previous_rows ? 1 : 0;
        previous_rows = rows;
    }
    // The kills must have landed while work was going on, not only before the first commit.
    EXPECT_GT(grew, 10);  // most kills (not all: a slow start may be killed before its first commit)
}

}  // namespace
}  // namespace nod::store
