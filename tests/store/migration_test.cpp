// Forward migrations: a database left at every earlier schema version this nod ships (0 = a new, empty
// file) opens and ends up exactly like a freshly created one; a newer one is refused.
#include <gtest/gtest.h>

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
