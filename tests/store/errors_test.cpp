// Every way opening or writing can fail gives a specific store::Error that names the file.
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "store/error.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

using testing::TempDir;

// Runs `open` and returns the Error it throws; fails the test when it throws nothing.
template <typename F>
Error error_from(F open) {
    try {
        open();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no store::Error thrown";
    return Error(ErrorCode::other, "none");
}

std::string file_content(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

void raw_exec(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    sql::ConnectionPtr db(raw);
    ASSERT_EQ(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
}

TEST(Errors, MissingFolder) {
    TempDir dir;
    auto path = dir / "no-such-folder" / "nod.db";
    Error e = error_from([&] { Store store(path); });
    EXPECT_EQ(e.code(), ErrorCode::missing_folder);
    EXPECT_EQ(std::string(e.what()), "opening database " + path.string() + ": folder " +
                                         (dir / "no-such-folder").string() + " does not exist");
    EXPECT_FALSE(std::filesystem::exists(dir / "no-such-folder"));
}

TEST(Errors, GarbageIsNotADatabaseAndIsLeftAlone) {
    TempDir dir;
    auto path = dir / "nod.db";
    std::string garbage;
    for (int i = 0; i < 8192; ++i) garbage += static_cast<char>((i * 7919) % 251);
    std::ofstream(path, std::ios::binary) << garbage;
    Error e = error_from([&] { Store store(path); });
    EXPECT_EQ(e.code(), ErrorCode::not_a_database);
    EXPECT_EQ(std::string(e.what()), "opening database " + path.string() + ": the file is not a database");
    EXPECT_EQ(file_content(path), garbage);
    EXPECT_EQ(error_from([&] { Database db(path, Access::read_only); }).code(), ErrorCode::not_a_database);
}

TEST(Errors, ShortTextFileIsNotADatabase) {
    TempDir dir;
    std::ofstream(dir / "nod.db") << "hello\n";
    EXPECT_EQ(error_from([&] { Store store(dir / "nod.db"); }).code(), ErrorCode::not_a_database);
}

TEST(Errors, SomeoneElsesSqliteDatabaseIsRefused) {
    TempDir dir;
    raw_exec(dir / "other.db", "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
    Error e = error_from([&] { Store store(dir / "other.db"); });
    EXPECT_EQ(e.code(), ErrorCode::not_a_database);
    EXPECT_NE(std::string(e.what()).find("not nod's"), std::string::npos) << e.what();
}

TEST(Errors, NewerSchemaIsRefused) {
    TempDir dir;
    auto path = dir / "nod.db";
    { Store store(path); }
    raw_exec(path, "PRAGMA user_version = 7");
    Error e = error_from([&] { Store store(path); });
    EXPECT_EQ(e.code(), ErrorCode::newer_schema);
    EXPECT_EQ(std::string(e.what()), "database " + path.string() + " has schema version 7, this nod understands up to " +
                                         std::to_string(schema_version) + "; upgrade nod");
    EXPECT_EQ(error_from([&] { Database db(path, Access::read_only); }).code(), ErrorCode::newer_schema);
}

TEST(Errors, ReadOnlyFileSystem) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for a read-only mount in a private mount namespace";
    TempDir dir;
    std::string folder = dir.path().string();
    std::string output;
    int status = testing::run_shell("unshare --mount sh -c 'mount -t tmpfs -o size=4m tmpfs " + folder + " && " +
                                        NOD_STORE_PROBE + " create " + folder + "/nod.db && mount -o remount,ro " +
                                        folder + " && " + NOD_STORE_PROBE + " open " + folder + "/nod.db'",
                                    output);
    EXPECT_EQ(status, 3) << output;
    EXPECT_NE(output.find("error read_only: opening database " + folder + "/nod.db: read-only file system"),
              std::string::npos)
        << output;
}

TEST(Errors, ReadOnlyFile) {
    if (geteuid() == 0) GTEST_SKIP() << "root may write a mode 0444 file; ReadOnlyFileSystem covers root";
    TempDir dir;
    auto path = dir / "nod.db";
    { Store store(path); }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read);
    Error e = error_from([&] { Store store(path); });
    EXPECT_EQ(e.code(), ErrorCode::read_only);
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos);
}

TEST(Errors, LockedDatabase) {
    TempDir dir;
    auto path = dir / "nod.db";
    Store store(path, {.busy_timeout = std::chrono::milliseconds(100)});
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    sql::ConnectionPtr other(raw);
    ASSERT_EQ(sqlite3_exec(other.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    std::vector<Row> rows = {testing::make_row(Kind::build, "a", testing::utc(2026, 1, 1), 1)};
    Error e = error_from([&] { store.write(rows); });
    EXPECT_EQ(e.code(), ErrorCode::locked);
    EXPECT_EQ(std::string(e.what()), "writing 1 rows to database " + path.string() + ": database is locked");
    ASSERT_EQ(sqlite3_exec(other.get(), "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    store.write(rows);  // the lock is gone: the same rows go in
    EXPECT_EQ(store.database().query_int("SELECT count(*) FROM rows"), 1);
}

// The second way to fill the disk: SQLite's page limit, which works without root.
TEST(Errors, DiskFullLosesNothingAndWritingResumes) {
    TempDir dir;
    Store store(dir / "nod.db");
    std::mt19937_64 random(5);
    Micros first = testing::utc(2026, 1, 1);
    store.write(testing::random_rows(random, 300, first, 86'400'000'000LL * 5));
    auto pages = store.database().query_int("PRAGMA page_count");
    store.database().exec("PRAGMA max_page_count = " + std::to_string(pages + 2));
    auto rows = testing::random_rows(random, 3000, first, 86'400'000'000LL * 5);
    Error e = error_from([&] { store.write(rows); });
    EXPECT_EQ(e.code(), ErrorCode::disk_full);
    EXPECT_NE(std::string(e.what()).find("writing 3000 rows to database " + (dir / "nod.db").string()),
              std::string::npos)
        << e.what();
    EXPECT_EQ(store.database().query_int("SELECT count(*) FROM rows"), 300);
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(store.database()),
                                           testing::recount_aggregates(store.database())),
              "");
    store.database().exec("PRAGMA max_page_count = 1073741823");
    store.write(rows);
    EXPECT_EQ(store.database().query_int("SELECT count(*) FROM rows"), 3300);
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(store.database()),
                                           testing::recount_aggregates(store.database())),
              "");
}

TEST(Errors, DiskFullOnARealTinyFileSystem) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a tiny tmpfs in a private mount namespace";
    TempDir dir;
    std::string folder = dir.path().string();
    std::string output;
    int status = testing::run_shell("unshare --mount sh -c 'mount -t tmpfs -o size=2m tmpfs " + folder + " && " +
                                        NOD_STORE_PROBE + " disk-full " + folder + "'",
                                    output);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("database or disk is full"), std::string::npos) << output;
    EXPECT_NE(output.find("ok committed="), std::string::npos) << output;
}

}  // namespace
}  // namespace nod::store
