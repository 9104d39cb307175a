// Forward migrations: a database left at every earlier schema version this nod ships (0 = a new, empty
// file) opens and ends up exactly like a freshly created one; a newer one is refused.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "store/day_durations.hpp"
#include "store/error.hpp"
#include "store/lifetime.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

const std::string context = "test database";

std::string schema_text(sqlite3* db) {
    std::string text;
    sql::Statement statement(db, "SELECT type, name, sql FROM sqlite_schema ORDER BY name", context);
    while (statement.step()) {
        text += std::string(statement.column_text(0)) + " " + std::string(statement.column_text(1)) + ": " +
                std::string(statement.column_text(2)) + "\n";
    }
    return text;
}
std::string schema_text(const Database& db) { return schema_text(db.handle()); }
// Rows as versions 1 and 2 stored them (the columns are the same in every version so far).
constexpr const char* insert_rows_prefix =
    "INSERT INTO rows (kind, day, name_id, duration, outcome, start_offset, bytes, download_bytes, uid, pid, "
    "activity_bits, path, direction) VALUES ";

// A plain SQLite connection, as an older nod (or another program) would open the file.
sql::ConnectionPtr open_file(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open(path.c_str(), &raw);
    sql::ConnectionPtr db(raw);
    if (rc != SQLITE_OK) throw_sqlite(rc, "opening " + path.string());
    return db;
}

// A database left at `version`, as an older nod would have left it.
void make_database_at(const std::filesystem::path& path, int version) {
    auto db = open_file(path);
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
        auto db = open_file(path);
        sql::exec(db.get(), "INSERT INTO names (id, name) VALUES (1, 'a'), (2, 'b')", context);
        std::mt19937_64 random(11);
        std::uniform_int_distribution<int> day(20000, 20002), name(1, 2), kind(0, kind_count - 1);
        std::uniform_int_distribution<Micros> duration(0, 900'000'000);
        std::string insert = insert_rows_prefix;
        for (int i = 0; i < 1500; ++i) {
            std::string value = i % 10 == 0 ? "NULL" : std::to_string(duration(random));
            insert += (i == 0 ? "(" : ",(") + std::to_string(kind(random)) + "," +
                      std::to_string(day(random)) + "," + std::to_string(name(random)) + "," + value +
                      ",0,0,0,0,0,1," + std::to_string(i) + ",'/x',0)";
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

// The nine figures of versions 1 to 3 (version 4 added the CPU figures), bound from `first` on.
constexpr const char* figure_columns_3 =
    "count, failed, cancelled, unknown_duration, total_us, max_us, bytes, download_bytes, histogram";

void bind_figures_3(sql::Statement& statement, const Totals& t, int first) {
    statement.bind(first, static_cast<std::int64_t>(t.count)).bind(first + 1, static_cast<std::int64_t>(t.failed));
    statement.bind(first + 2, static_cast<std::int64_t>(t.cancelled));
    statement.bind(first + 3, static_cast<std::int64_t>(t.unknown_duration)).bind(first + 4, t.total_us);
    statement.bind(first + 5, t.max_us).bind(first + 6, static_cast<std::int64_t>(t.bytes));
    statement.bind(first + 7, static_cast<std::int64_t>(t.download_bytes));
    statement.bind_blob(first + 8, t.histogram.encode());
}

// The aggregates version 2's writer kept for the rows of `db`, counted here independently and written with
// version 2's tables (name_day_totals included).
void fill_version_2_aggregates(sqlite3* db) {
    std::map<AggregateKey, Totals> per_day, per_name, per_name_day;
    testing::for_each_counted_row(db, context, [&](const testing::CountedRow& r) {
        per_day[{r.kind, 0, r.day}].add(r.duration, r.outcome, r.bytes, r.download_bytes);
        per_name[{r.kind, r.name_id, 0}].add(r.duration, r.outcome, r.bytes, r.download_bytes);
        per_name_day[{r.kind, r.name_id, r.day}].add(r.duration, r.outcome, r.bytes, r.download_bytes);
    });
    for (auto [table, groups] :
         {std::pair{AggregateTable::day, &per_day}, std::pair{AggregateTable::name, &per_name}}) {
        sql::Statement replace(db,
                               std::string("INSERT INTO ") + table_name(table) + " (" + key_columns(table) + ", " +
                                   figure_columns_3 + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               context);
        for (const auto& [key, totals] : *groups) {
            bind_figures_3(replace, totals, bind_key(replace, table, key));
            replace.run();
        }
    }
    sql::Statement name_day(db,
                            std::string("INSERT INTO name_day_totals (day, kind, name_id, ") +
                                figure_columns_3 + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            context);
    for (const auto& [key, totals] : per_name_day) {
        name_day.bind(1, std::int64_t{key.day}).bind(2, std::int64_t{key.kind}).bind(3, key.name_id);
        bind_figures_3(name_day, totals, 4);
        name_day.run();
    }
    fill_day_durations_from_rows(db, context);
}

// Version 3 drops name_day_totals, replaces rows_by_kind_day with rows_by_day (which covers the per-name
// figures) and adds name_pending. A version 2 database with history keeps its rows and exact aggregates.
TEST(Migration, Version3KeepsHistoryAndAggregates) {
    testing::TempDir dir;
    auto path = dir / "v2.db";
    make_database_at(path, 2);
    {
        auto db = open_file(path);
        sql::exec(db.get(), "INSERT INTO names (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')", context);
        std::string insert = insert_rows_prefix;
        for (int i = 0; i < 600; ++i) {
            std::string duration = i % 9 == 0 ? "NULL" : std::to_string(1000 + i * 7919 % 100000);
            insert += (i == 0 ? "(" : ",(") + std::to_string(i % kind_count) + "," +
                      std::to_string(20000 + i % 4) + "," + std::to_string(1 + i % 3) + "," + duration + "," +
                      std::to_string(i % 5 == 0 ? 1 : 0) + ",0," + std::to_string(i * 100) + "," +
                      std::to_string(i) + ",0,1," + std::to_string(i) + ",'/x',0)";
        }
        sql::exec(db.get(), insert, context);
        fill_version_2_aggregates(db.get());
    }
    Store store(path);
    const Database& db = store.database();
    EXPECT_EQ(db.query_int("PRAGMA user_version"), schema_version);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM rows"), 600);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'name_day_totals'"), 0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM pragma_index_info('rows_by_day')"), 12) << "as version 5 has it";
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_pending"), 0);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_totals"), 3 * kind_count);
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(db), testing::recount_aggregates(db)),
              "");
    store.write(std::vector<Row>{testing::make_row(Kind::build, "a", 1'800'000'000'000'000, 1)});
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(db), testing::recount_aggregates(db)),
              "");
}

// Version 4 adds who a row is for and who vouched for it (rows from before are their reporter's, and
// trusted when root reported them), version 5 the CPU times: the covering index grows by user, flags, machine and CPU
// times, which rows from before do not have (NULL), nor their status (0).
TEST(Migration, Version4KeepsHistoryAndGivesEachRowItsReportersUser) {
    testing::TempDir dir;
    auto path = dir / "v3.db";
    make_database_at(path, 3);
    {
        auto db = open_file(path);
        sql::exec(db.get(), "INSERT INTO names (id, name) VALUES (1, 'a')", context);
        std::string insert = std::string(insert_rows_prefix) + "(0,20000,1,5,0,0,0,0,0,1,1,'/x',0)," +
                             "(0,20000,1,7,0,0,0,0,1000,2,2,'/y',0)";
        sql::exec(db.get(), insert, context);
    }
    Store store(path);
    const Database& db = store.database();
    EXPECT_EQ(db.query_int("PRAGMA user_version"), schema_version);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM rows WHERE uid = 0 AND user = 0 AND flags = 1"), 1);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM rows WHERE uid = 1000 AND user = 1000 AND flags = 0"), 1);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM rows WHERE status = 0 AND cpu_user_us IS NULL AND "
                           "cpu_system_us IS NULL"),
              2);
    auto columns = db.prepare("SELECT group_concat(name, ',') FROM pragma_index_info('rows_by_day')");
    ASSERT_TRUE(columns.step());
    EXPECT_EQ(columns.column_text(0), "day,kind,name_id,duration,outcome,bytes,download_bytes,user,flags,machine_id,"
                                      "cpu_user_us,cpu_system_us");
}

// Version 4 exactly as nod wrote it before version 5 existed (from a version 3 file): a database can be left
// at it, and version 5 must still add its columns.
constexpr const char* version_4_as_written = R"sql(
ALTER TABLE rows ADD COLUMN user INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rows ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
UPDATE rows SET user = uid, flags = (uid = 0);
DROP INDEX rows_by_day;
CREATE INDEX rows_by_day ON rows (day, kind, name_id, duration, outcome, bytes, download_bytes, user, flags,
                                  machine_id);
PRAGMA user_version = 4;
)sql";

// Version 5 adds the CPU figures to the aggregates and a format to the pending per-name sums: a version 3 or
// 4 database with history keeps its aggregates (no CPU time in them), its pending blobs stay format 3 and
// still count, and later batches (format 4, with CPU times), the fold that sums both formats and the pruner
// keep every aggregate equal to a recount from the rows.
class FromVersion : public ::testing::TestWithParam<int> {};

TEST_P(FromVersion, PendingSumsStayAndCpuFiguresAreAdded) {
    testing::TempDir dir;
    auto path = dir / "old.db";
    testing::make_version_3_history(path, 800);
    if (GetParam() == 4) {
        auto file = open_file(path);
        sql::exec(file.get(), version_4_as_written, context);
    }
    Store store(path, OpenOptions{.fold_after_batches = 4});
    const Database& db = store.database();
    ASSERT_EQ(db.query_int("PRAGMA user_version"), schema_version);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_pending WHERE format = 3"), 2) << "left as they were";
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_totals WHERE cpu_rows <> 0 OR cpu_user_us <> 0"), 0);
    EXPECT_EQ(db.query_int("SELECT sum(cpu_rows) FROM day_totals"), 0);
    auto recounted = testing::recount_aggregates(db);
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(db), recounted), "");
    std::uint64_t pending_v3 = 0;
    for (const auto& [key, totals] : recounted.at(AggregateTable::name)) pending_v3 += totals.count;
    EXPECT_EQ(pending_v3, 800u);

    std::mt19937_64 random(17);
    Micros first = testing::utc(2024, 10, 4);
    store.write(testing::random_rows(random, 300, first, 4 * 86'400'000'000LL));
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_pending WHERE format = 4"), 1);
    EXPECT_GT(db.query_int("SELECT sum(cpu_rows) FROM day_totals"), 0);
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(db), testing::recount_aggregates(db)), "");
    store.write(testing::random_rows(random, 300, first, 4 * 86'400'000'000LL));  // the 4th batch: folds
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_pending"), 0);
    EXPECT_GT(db.query_int("SELECT sum(cpu_rows) FROM name_totals"), 0);
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(db), testing::recount_aggregates(db)), "");
    store.write(testing::random_rows(random, 300, first, 4 * 86'400'000'000LL));
    while (store.prune_before(day_of_date({2024, 10, 6}), 97) > 0)
        ASSERT_EQ(testing::describe_difference(testing::read_aggregates(db), testing::recount_aggregates(db)), "");
    EXPECT_EQ(db.query_int("SELECT count(*) FROM rows WHERE day < " + std::to_string(day_of_date({2024, 10, 6}))), 0);
}

INSTANTIATE_TEST_SUITE_P(Migration, FromVersion, ::testing::Values(3, 4),
                         [](const ::testing::TestParamInfo<int>& p) { return "Version" + std::to_string(p.param); });

// Version 6 adds the lifetime totals and starts them from the rows: a version 5 database with history gets
// what the writer would have counted for its rows, substituters named in row id order (trusted ones, 16 at
// most). The version 5 file is made by writing the rows now and taking version 6's tables away again.
TEST(Migration, Version6StartsTheLifetimeTotalsFromTheRows) {
    testing::TempDir dir;
    auto path = dir / "v5.db";
    Lifetime written;
    std::int64_t substitutions = 0;
    {
        Store store(path);
        std::mt19937_64 random(23);
        for (int batch = 0; batch < 4; ++batch) {
            auto rows = testing::random_rows(random, 300, testing::utc(2026, 2, 1), 3 * 86'400'000'000LL);
            for (std::size_t i = 0; i < rows.size(); ++i) {
                rows[i].trusted = i % 4 != 1;
                if (i % 8 != 6) rows[i].uid = 0;  // mostly root's connections; some trusted fallbacks from users
                if (rows[i].kind == Kind::substitute && i % 3 != 0)
                    rows[i].machine = "https://cache" + std::to_string((batch * 300 + i) % 23);
            }
            store.write(rows);
        }
        written = read_lifetime(store.database());
        substitutions = store.database().query_int("SELECT count(*) FROM rows WHERE kind = 1");
    }
    {
        auto db = open_file(path);
        sql::exec(db.get(),
                  "DROP TABLE lifetime_totals; DROP TABLE lifetime_durations; DROP TABLE lifetime_substituters; "
                  "PRAGMA user_version = 5",
                  context);
        make_database_at(dir / "genuine.db", 5);
        ASSERT_EQ(schema_text(db.get()), schema_text(open_file(dir / "genuine.db").get())) << "a version 5 file";
    }
    Store store(path);
    Lifetime migrated = read_lifetime(store.database());
    EXPECT_EQ(migrated, written);
    std::uint64_t rows = 0, substituted = 0;
    for (const auto& a : migrated.activities) rows += a.count;
    std::set<std::string> named;
    for (const auto& s : migrated.substituters) {
        substituted += s.count;
        if (!s.substituter.empty()) named.insert(s.substituter);
    }
    EXPECT_EQ(rows, 1200u);
    EXPECT_EQ(substituted, static_cast<std::uint64_t>(substitutions));
    EXPECT_EQ(named.size(), max_lifetime_substituters);
}

// Everything a file holds, as text: its schema, its pragmas and every row of every table (quote() renders
// blobs as hex), each table in key order.
std::string everything(const Database& db) {
    std::string text = schema_text(db) + "user_version " + std::to_string(db.query_int("PRAGMA user_version")) +
                       ", application_id " + std::to_string(db.query_int("PRAGMA application_id")) + "\n";
    auto tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    while (tables.step()) {
        std::string table(tables.column_text(0));
        std::string columns;
        auto info = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
        info.bind(1, table);
        while (info.step()) columns += (columns.empty() ? "quote(" : " || ',' || quote(") + std::string(info.column_text(0)) + ")";
        auto rows = db.prepare("SELECT " + columns + " FROM " + table + " ORDER BY 1");
        text += table + ":\n";
        while (rows.step()) text += "  " + std::string(rows.column_text(0)) + "\n";
    }
    return text;
}

// Opening a database of the current version for writing neither migrates nor touches it: schema, pragmas
// and every row stay as they were, the aggregates, the durations and the pending per-name sums included.
TEST(Migration, ReopeningTheCurrentVersionChangesNothing) {
    testing::TempDir dir;
    std::string before;
    {
        Store store(dir / "nod.db");
        std::mt19937_64 random(13);
        store.write(testing::random_rows(random, 2000, testing::utc(2026, 3, 1), 5 * 86'400'000'000LL));
        before = everything(store.database());
    }
    ASSERT_NE(before.find("name_pending:\n  "), std::string::npos) << "some per-name sums are pending";
    Store store(dir / "nod.db");
    EXPECT_EQ(everything(store.database()), before);
}

TEST(Migration, MigrateRefusesANewerDatabase) {
    testing::TempDir dir;
    { Store store(dir / "nod.db"); }
    auto db = open_file(dir / "nod.db");
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
