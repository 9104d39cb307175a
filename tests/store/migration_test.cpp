// Forward migrations: a database left at every earlier schema version this nod ships (0 = a new, empty
// file) opens and ends up exactly like a freshly created one; a newer one is refused.
#include <gtest/gtest.h>

#include <random>

#include "store/error.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

std::string schema_text(const Database& db) {
    std::string text;
    auto statement = db.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY name");
    while (statement.step()) {
        text += std::string(statement.column_text(0)) + " " + std::string(statement.column_text(1)) + ": " +
                std::string(statement.column_text(2)) + "\n";
    }
    return text;
}

// A database left at `version`, as an older nod would have left it.
void make_database_at(const std::filesystem::path& path, int version) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    sql::ConnectionPtr db(raw);
    std::string context = "test database";
    if (version > 0) migrate(db.get(), context, path.string(), version);
}

TEST(Migration, EveryEarlierVersionMigratesToCurrent) {
    testing::TempDir dir;
    std::string fresh;
    {
        Store store(dir / "fresh.db");
        fresh = schema_text(store.database());
        EXPECT_EQ(store.database().query_int("PRAGMA user_version"), schema_version);
        EXPECT_EQ(store.database().query_int("PRAGMA application_id"), application_id);
    }
    for (int version = 0; version < schema_version; ++version) {
        auto path = dir / ("v" + std::to_string(version) + ".db");
        make_database_at(path, version);
        Store store(path);
        EXPECT_EQ(store.database().query_int("PRAGMA user_version"), schema_version) << "from " << version;
        EXPECT_EQ(schema_text(store.database()), fresh) << "from " << version;
        store.write(std::vector<Row>{testing::make_row(Kind::build, "x", 1'800'000'000'000'000, 1)});
    }
}

// Version 2 adds day_durations: a version 1 database with history gets them filled from its rows.
TEST(Migration, Version2FillsDayDurationsFromTheRows) {
    testing::TempDir dir;
    auto path = dir / "v1.db";
    make_database_at(path, 1);
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
        sql::ConnectionPtr db(raw);
        std::string context = "test database";
        sql::exec(db.get(), "INSERT INTO names (id, name) VALUES (1, 'a'), (2, 'b')", context);
        std::mt19937_64 random(11);
        std::uniform_int_distribution<int> day(20000, 20002), name(1, 2), kind(0, kind_count - 1);
        std::uniform_int_distribution<Micros> duration(0, 900'000'000);
        std::string insert = "INSERT INTO rows (kind, day, name_id, duration, outcome, start_offset, bytes, "
                             "download_bytes, uid, pid, activity_bits, path, direction) VALUES ";
        for (int i = 0; i < 1500; ++i) {
            std::string value = i % 10 == 0 ? "NULL" : std::to_string(duration(random));
            insert += (i == 0 ? "(" : ",(") + std::to_string(kind(random)) + "," + std::to_string(day(random)) +
                      "," + std::to_string(name(random)) + "," + value + ",0,0,0,0,0,1," + std::to_string(i) +
                      ",'/x',0)";
        }
        sql::exec(db.get(), insert, context);
    }
    Store store(path);
    EXPECT_EQ(store.database().query_int("PRAGMA user_version"), schema_version);
    auto stored = testing::read_aggregates(store.database());
    auto recounted = testing::recount_aggregates(store.database());
    EXPECT_EQ(stored.day_durations.size(), 3U * kind_count);
    EXPECT_EQ(stored.day_durations, recounted.day_durations);
}

TEST(Migration, ReopeningTheCurrentVersionChangesNothing) {
    testing::TempDir dir;
    { Store store(dir / "nod.db"); }
    Store store(dir / "nod.db");
    EXPECT_EQ(store.database().query_int("PRAGMA user_version"), schema_version);
}

TEST(Migration, MigrateRefusesANewerDatabase) {
    testing::TempDir dir;
    { Store store(dir / "nod.db"); }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "nod.db").c_str(), &raw), SQLITE_OK);
    sql::ConnectionPtr db(raw);
    std::string context = "test database";
    sql::exec(db.get(), "PRAGMA user_version = 7", context);
    try {
        migrate(db.get(), context, (dir / "nod.db").string());
        FAIL() << "migrate accepted a newer schema";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::newer_schema);
    }
}

}  // namespace
}  // namespace nod::store
