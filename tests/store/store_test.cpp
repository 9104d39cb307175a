#include "store/store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <tuple>

#include "store/duration_chunks.hpp"
#include "store/error.hpp"
#include "store/row_reader.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

using testing::TempDir;

std::vector<StoredRow> all_rows(const Database& db) {
    std::vector<StoredRow> rows;
    for_each_row(db, [&](const StoredRow& row) { rows.push_back(row); });
    return rows;
}

void expect_consistent(const Database& db) {
    EXPECT_EQ(testing::describe_difference(testing::read_aggregates(db), testing::recount_aggregates(db)),
              "");
}

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
    }
    TempDir dir;
    std::mt19937_64 random{7};
    Micros first = testing::utc(2026, 1, 1);
    Micros ten_days = 10LL * 86'400'000'000LL;
};

TEST_F(StoreTest, RowsRoundTripExactly) {
    Store store(dir / "nod.db");
    auto rows = testing::random_rows(random, 500, first, ten_days);
    store.write(rows);
    auto stored = all_rows(store.database());
    ASSERT_EQ(stored.size(), rows.size());
    // The writer stores a batch in (day, kind, name) order, not in the order given: compare in one order.
    auto identity = [](const Row& row) { return std::tuple(row.start, row.pid, row.activity_id); };
    std::sort(rows.begin(), rows.end(),
              [&](const Row& a, const Row& b) { return identity(a) < identity(b); });
    std::sort(stored.begin(), stored.end(),
              [&](const StoredRow& a, const StoredRow& b) { return identity(a.row) < identity(b.row); });
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(stored[i].row, rows[i]) << i;
        EXPECT_EQ(stored[i].day, local_day(rows[i].start));
    }
}

TEST_F(StoreTest, ABatchIsStoredInDayKindAndNameOrder) {
    Store store(dir / "nod.db");
    store.write(testing::random_rows(random, 300, first, ten_days));
    auto stored = all_rows(store.database());
    ASSERT_EQ(stored.size(), 300U);
    auto key = [](const StoredRow& s) { return std::tuple(s.day, static_cast<int>(s.row.kind), s.row.name); };
    // Names are interned in the order first seen, so only (day, kind) is checked against ids, and every
    // (day, kind, name) group must be contiguous.
    std::set<std::tuple<Day, int, std::string>> closed;
    for (std::size_t i = 1; i < stored.size(); ++i) {
        EXPECT_LE(std::tuple(stored[i - 1].day, static_cast<int>(stored[i - 1].row.kind)),
                  std::tuple(stored[i].day, static_cast<int>(stored[i].row.kind)))
            << i;
        if (key(stored[i - 1]) != key(stored[i])) {
            EXPECT_TRUE(closed.insert(key(stored[i - 1])).second) << "group split at " << i;
        }
    }
}

TEST_F(StoreTest, AggregatesEqualRecountAfterManyBatches) {
    Store store(dir / "nod.db");
    for (int batch = 0; batch < 20; ++batch) store.write(testing::random_rows(random, 97, first, ten_days));
    expect_consistent(store.database());
    auto day_groups = testing::read_aggregates(store.database())[AggregateTable::day];
    EXPECT_EQ(day_groups.size(), 10U * kind_count);
}

TEST_F(StoreTest, UnknownDurationsCountButDoNotTime) {
    Store store(dir / "nod.db");
    std::vector<Row> rows = {testing::make_row(Kind::build, "a", first, std::nullopt, Outcome::cancelled),
                             testing::make_row(Kind::build, "a", first + 1, 5'000'000, Outcome::failed),
                             testing::make_row(Kind::build, "a", first + 2, std::nullopt)};
    store.write(rows);
    auto totals = testing::read_aggregates(store.database())[AggregateTable::day].begin()->second;
    EXPECT_EQ(totals.count, 3U);
    EXPECT_EQ(totals.unknown_duration, 2U);
    EXPECT_EQ(totals.failed, 1U);
    EXPECT_EQ(totals.cancelled, 1U);
    EXPECT_EQ(totals.total_us, 5'000'000);
    EXPECT_EQ(totals.max_us, 5'000'000);
    EXPECT_EQ(totals.histogram.total(), 1U);
}

TEST_F(StoreTest, PruneInChunksKeepsAggregatesExactAfterEveryChunk) {
    Store store(dir / "nod.db", {.fold_after_rows = 1'000'000, .fold_after_batches = 1000});
    for (int batch = 0; batch < 10; ++batch) store.write(testing::random_rows(random, 300, first, ten_days));
    ASSERT_EQ(store.database().query_int("SELECT count(*) FROM name_pending"), 10) << "nothing folded yet";
    Day cutoff = local_day(first) + 6;
    std::size_t expected = 0;
    for (const auto& row : all_rows(store.database())) expected += row.day < cutoff ? 1 : 0;
    std::size_t pruned = 0;
    for (std::size_t went = 0; (went = store.prune_before(cutoff, 37)) != 0;) {
        EXPECT_LE(went, 37U);
        pruned += went;
        expect_consistent(store.database());
        // Pruning subtracts from name_totals, so it folds what is pending first.
        EXPECT_EQ(store.database().query_int("SELECT count(*) FROM name_pending"), 0);
    }
    EXPECT_EQ(pruned, expected);
    for (const auto& row : all_rows(store.database())) EXPECT_GE(row.day, cutoff);
    EXPECT_EQ(
        store.database().query_int("SELECT count(*) FROM day_totals WHERE day < " + std::to_string(cutoff)),
        0);
}

TEST_F(StoreTest, ClearRemovesEverythingAndWritingGoesOn) {
    Store store(dir / "nod.db", {.fold_after_batches = 2});
    for (int batch = 0; batch < 3; ++batch) store.write(testing::random_rows(random, 100, first, ten_days));
    ASSERT_GT(store.database().query_int("SELECT count(*) FROM name_totals"), 0);
    ASSERT_GT(store.database().query_int("SELECT count(*) FROM name_pending"), 0);
    EXPECT_EQ(store.clear(), 300U);
    for (const char* table : {"rows", "day_totals", "name_totals", "name_pending", "day_durations", "names"})
        EXPECT_EQ(store.database().query_int(std::string("SELECT count(*) FROM ") + table), 0) << table;
    store.write(testing::random_rows(random, 50, first, ten_days));
    expect_consistent(store.database());
    EXPECT_EQ(store.database().query_int("SELECT count(*) FROM rows"), 50);
}

TEST_F(StoreTest, ReopenKeepsHistoryAndInternedNames) {
    auto rows = testing::random_rows(random, 100, first, ten_days);
    {
        Store store(dir / "nod.db");
        store.write(rows);
    }
    Store store(dir / "nod.db");
    store.write(rows);
    EXPECT_EQ(store.database().query_int("SELECT count(*) FROM rows"), 200);
    std::set<std::string> names;
    for (const auto& row : rows) names.insert(row.name);
    EXPECT_EQ(store.database().query_int("SELECT count(*) FROM names"),
              static_cast<std::int64_t>(names.size()));
    expect_consistent(store.database());
}

// Per-name sums wait in name_pending until a batch brings them to the threshold (rows or batches); then
// that batch folds them all into name_totals. Before, during and after, name_totals plus the pending sums
// equal a recount.
TEST_F(StoreTest, PendingNameSumsFoldAtTheThresholdsAndAlwaysAddUp) {
    Store store(dir / "nod.db", {.fold_after_rows = 1000, .fold_after_batches = 5});
    const Database& db = store.database();
    auto pending = [&] { return db.query_int("SELECT count(*) FROM name_pending"); };
    for (int batch = 1; batch <= 4; ++batch) {
        store.write(testing::random_rows(random, 10, first, ten_days));
        EXPECT_EQ(pending(), batch);
        EXPECT_EQ(db.query_int("SELECT count(*) FROM name_totals"), 0);
        expect_consistent(db);
    }
    store.write(testing::random_rows(random, 10, first, ten_days));  // the 5th batch: folds
    EXPECT_EQ(pending(), 0);
    EXPECT_GT(db.query_int("SELECT count(*) FROM name_totals"), 0);
    expect_consistent(db);
    store.write(testing::random_rows(random, 600, first, ten_days));
    EXPECT_EQ(pending(), 1);
    expect_consistent(db);
    store.write(testing::random_rows(random, 400, first, ten_days));  // 1 000 rows pending: folds
    EXPECT_EQ(pending(), 0);
    expect_consistent(db);
    // A store that reopens the file finds the pending sums where the last one left them.
    store.write(testing::random_rows(random, 10, first, ten_days));
    Store reopened(dir / "nod.db", {.fold_after_rows = 1000, .fold_after_batches = 2});
    reopened.write(testing::random_rows(random, 10, first, ten_days));
    EXPECT_EQ(pending(), 0);
    expect_consistent(db);
}

std::uintmax_t size_of(const std::filesystem::path& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
}

// The checkpointer thread copies the WAL back into the database once it holds a quarter of the limit; the
// writer copies the rest itself at the limit (after waiting for a copy the thread is making), so the WAL
// stays within the limit and a batch. Without checkpoints these batches would make it 30 times as big.
TEST_F(StoreTest, CheckpointsKeepTheWalSmallAndRunBesideTheWriter) {
    auto db = dir / "nod.db", wal = dir / "nod.db-wal";
    constexpr int limit = 200;  // pages of 4 KiB
    Store store(db, {.wal_autocheckpoint_pages = limit});
    std::uintmax_t largest_wal = 0;
    for (int batch = 0; batch < 40; ++batch) {
        store.write(testing::random_rows(random, 500, first, ten_days));
        largest_wal = std::max(largest_wal, size_of(wal));
    }
    EXPECT_GT(size_of(db), 2U * limit * 4096) << "the rows reached the database file";
    // A batch of 500 rows takes about 150 pages.
    EXPECT_LT(largest_wal, (4U * limit + 150U) * 4096) << "largest WAL " << largest_wal;
    expect_consistent(store.database());
}

// Below the limit only the checkpointer thread copies pages: once the WAL holds a quarter of the limit and
// the writer stops, the database file grows all the same.
TEST_F(StoreTest, CheckpointerThreadCopiesBeforeTheWriterWould) {
    auto db = dir / "nod.db", wal = dir / "nod.db-wal";
    constexpr std::uintmax_t limit = 2000, frame = 24 + 4096;
    Store store(db, {.wal_autocheckpoint_pages = static_cast<int>(limit)});
    std::uintmax_t before = size_of(db);
    while (size_of(wal) < (limit / 4 + 50) * frame)
        store.write(testing::random_rows(random, 50, first, ten_days));
    ASSERT_LT(size_of(wal), limit / 2 * frame) << "the writer reached its own limit: the test proves nothing";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (size_of(db) == before && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT(size_of(db), before) << "WAL " << size_of(wal) / frame << " pages, nothing copied";
    expect_consistent(store.database());
}

// One busy day: every kind's durations fill several chunks of day_durations, through batches of many sizes,
// and stay exactly the rows' durations after every prune chunk.
TEST_F(StoreTest, DayDurationsStayExactAcrossChunksWritesAndPrunes) {
    Store store(dir / "nod.db");
    Micros one_day = 86'400'000'000LL;
    for (std::size_t size : {1U, 7U, 300U, 1000U, 2692U})
        store.write(testing::random_rows(random, size, first, one_day));
    store.write(testing::random_rows(random, 500, first + one_day, one_day));
    expect_consistent(store.database());
    const Database& db = store.database();
    EXPECT_GE(
        db.query_int("SELECT count(*) FROM day_durations WHERE day = " + std::to_string(local_day(first))),
        4 * 3)
        << "≈ 900 durations per kind on the busy day: at least 3 chunks each";
    auto chunks = db.prepare("SELECT durations FROM day_durations");
    while (chunks.step()) {
        std::vector<Micros> durations;
        decode_durations(chunks.column_blob(0), durations);
        EXPECT_LE(durations.size(), durations_per_chunk);
        EXPECT_FALSE(durations.empty());
        EXPECT_TRUE(std::is_sorted(durations.begin(), durations.end()));
    }
    Day cutoff = local_day(first) + 1;
    while (store.prune_before(cutoff, 333) != 0) expect_consistent(db);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM day_durations WHERE day < " + std::to_string(cutoff)), 0);
    EXPECT_GT(db.query_int("SELECT count(*) FROM day_durations"), 0);
}

// WAL: a query connection reads consistent snapshots while the writer commits batches on another thread.
TEST_F(StoreTest, ReadOnlyConnectionReadsWhileWriterWrites) {
    Store store(dir / "nod.db");
    store.write(testing::random_rows(random, 10, first, ten_days));
    std::atomic<bool> done{false};
    std::thread writer([&] {
        std::mt19937_64 own(3);
        for (int i = 0; i < 50; ++i) store.write(testing::random_rows(own, 100, first, ten_days));
        done = true;
    });
    Database reader(dir / "nod.db", Access::read_only);
    int reads = 0;
    while (!done || reads == 0) {
        reader.exec("BEGIN");  // one snapshot for both reads
        auto count = reader.query_int("SELECT count(*) FROM rows");
        auto summed = reader.query_int("SELECT sum(count) FROM day_totals");
        reader.exec("COMMIT");
        ASSERT_EQ(count, summed) << "a reader saw rows and aggregates out of step";
        ++reads;
    }
    writer.join();
    EXPECT_GT(reads, 0);
    EXPECT_THROW(reader.exec("DELETE FROM rows"), Error);
}

// Anyone may send a worker's ids ahead of it; the worker's own, origin-confirmed row then replaces what was
// given first, within a day either side, and nothing else.
TEST_F(StoreTest, AnOriginRowReplacesOthersRowsOfTheSameActivity) {
    Store store(dir / "nod.db");
    constexpr std::uint64_t id = (std::uint64_t{4242} << 32) | 5;
    auto row = [&](std::uint64_t activity, const std::string& path, Micros start, bool origin, std::int32_t pid) {
        Row r = testing::make_row(Kind::build, "app", start, 1'000'000);
        r.path = path;
        r.activity_id = activity;
        r.origin = origin;
        r.supersedes = origin;
        r.trusted = origin;
        r.pid = pid;
        r.uid = r.user = origin ? 0 : 65534;
        return r;
    };
    const std::string path = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-app.drv";
    store.write(std::vector<Row>{row(id, path, first, false, 31337),                      // forged ahead
                                 row(id, path, first - 86'400'000'000LL, false, 31338),    // the day before
                                 row(id + 1, path, first, false, 31337),                  // another activity
                                 row(id, "/nix/store/other-app.drv", first, false, 31337)});  // another path
    ASSERT_EQ(store.rows(), 4u);
    store.write(std::vector<Row>{row(id, path, first + 60'000'000, true, 4242)});
    EXPECT_EQ(store.rows(), 3u);
    auto rows = all_rows(store.database());
    ASSERT_EQ(rows.size(), 3u);
    std::multiset<std::pair<std::uint64_t, std::string>> left;
    for (const auto& r : rows) left.insert({r.row.activity_id, r.row.path + (r.row.origin ? " origin" : "")});
    EXPECT_EQ(left, (std::multiset<std::pair<std::uint64_t, std::string>>{
                        {id, path + " origin"}, {id + 1, path}, {id, "/nix/store/other-app.drv"}}));
    expect_consistent(store.database());
    // In one batch too (the forged row and the real one reach the writer together).
    store.write(std::vector<Row>{row(id + 9, path, first, false, 31337), row(id + 9, path, first + 1, true, 4242)});
    EXPECT_EQ(store.rows(), 4u);
    expect_consistent(store.database());
}

// Progress records can claim any byte count. A row's are clamped to max_row_bytes, and sums stop at the
// largest integer: the aggregates stay integers, and pruning that day works (it once failed for good with
// "aggregates in day_totals disagree with the rows" after the sum had turned into a REAL).
TEST_F(StoreTest, HostileByteCountsStayIntegersAndThatDayCanStillBePruned) {
    Store store(dir / "nod.db");
    std::vector<Row> rows;
    for (int i = 0; i < 40'000; ++i) {
        Row r = testing::make_row(Kind::copy, "huge", first + i, 1, Outcome::succeeded,
                                  i % 2 ? UINT64_MAX : static_cast<std::uint64_t>(INT64_MAX));
        r.download_bytes = UINT64_MAX;
        rows.push_back(r);
    }
    store.write(rows);
    store.write(std::vector<Row>{testing::make_row(Kind::copy, "huge", first + 1, 1, Outcome::succeeded, UINT64_MAX)});
    const Database& db = store.database();
    EXPECT_EQ(db.query_int("SELECT max(bytes) FROM rows"), static_cast<std::int64_t>(max_row_bytes));
    EXPECT_EQ(db.query_int("SELECT count(*) FROM day_totals WHERE typeof(bytes) != 'integer' OR "
                           "typeof(download_bytes) != 'integer'"), 0);
    EXPECT_EQ(db.query_int("SELECT bytes FROM day_totals WHERE kind = 2"), INT64_MAX);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM name_totals WHERE typeof(bytes) != 'integer'"), 0);
    std::size_t pruned = 0;
    for (std::size_t n = 0; (n = store.prune_before(local_day(first) + 1, 5000)) != 0;) pruned += n;
    EXPECT_EQ(pruned, 40'001u);
    EXPECT_EQ(store.rows(), 0u);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM day_totals"), 0);
}

}  // namespace
}  // namespace nod::store
