#include "queries/stats.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "reference.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::queries {
namespace {

using store::testing::utc;

class StatsTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "Europe/Copenhagen", 1);
        tzset();
        // Folding every 3 batches leaves all-time per-name figures in name_totals and in name_pending.
        store_ = std::make_unique<store::Store>(dir_ / "nod.db", store::OpenOptions{.fold_after_batches = 3});
        std::mt19937_64 random(11);
        // 90 days of random rows, then a few names with characters that LIKE or GLOB would treat specially.
        for (int i = 0; i < 6; ++i)
            store_->write(store::testing::random_rows(random, 400, first_, 90 * day_));
        std::vector<Row> odd;
        for (const char* name : {"lib_foo", "libXfoo", "100%-pure", "o'brien", "back\\slash"})
            for (int i = 0; i < 3; ++i)
                odd.push_back(
                    store::testing::make_row(Kind::build, name, first_ + 80 * day_ + i, 1'000'000 * (i + 1)));
        store_->write(odd);
        rows_ = testing::all_rows(store_->database());
        ASSERT_GT(db().query_int("SELECT count(*) FROM name_totals"), 0);
        ASSERT_GT(db().query_int("SELECT count(*) FROM name_pending"), 0);
    }

    const store::Database& db() { return store_->database(); }

    static constexpr Micros day_ = 86'400'000'000LL;
    store::testing::TempDir dir_;
    Micros first_ = utc(2026, 6, 1);
    Micros now_ = utc(2026, 8, 29, 12);  // day 89 of the rows, in August
    std::unique_ptr<store::Store> store_;
    std::vector<store::StoredRow> rows_;
};

TEST_F(StatsTest, KindTotalsOverEveryWindowMatchTheRows) {
    for (Window window : {Window::all_time(), Window::last_days(1), Window::last_days(7),
                          Window::last_days(365), Window::last_months(1), Window::last_months(2)}) {
        StatsResult result = stats(db(), {.window = window}, now_);
        ASSERT_EQ(result.kinds.size(), static_cast<std::size_t>(kind_count));
        for (const KindFigures& k : result.kinds) {
            auto expected = testing::expected_figures(rows_, [&](const store::StoredRow& r) {
                return r.row.kind == k.kind && r.day >= result.days.first && r.day <= result.days.last;
            });
            testing::expect_figures(
                k.figures, expected,
                std::string(to_string(k.kind)) + " window " + std::to_string(window.count));
        }
    }
}

TEST_F(StatsTest, WindowsAreLocalCalendarRanges) {
    store::Day today = store::day_of_date({2026, 8, 29});
    EXPECT_EQ(stats(db(), {.window = Window::last_days(7)}, now_).days, (DayRange{today - 6, today}));
    EXPECT_EQ(stats(db(), {.window = Window::last_months(2)}, now_).days,
              (DayRange{store::day_of_date({2026, 7, 1}), today}));
    // All time reaches the newest row, even one dated after `now` (the rows run to 30 August).
    EXPECT_EQ(stats(db(), {.window = Window::all_time()}, now_).days,
              (DayRange{store::day_of_date({2026, 6, 1}), today + 1}));
    EXPECT_THROW(stats(db(), {.window = Window::last_days(0)}, now_), InvalidArgument);
}

TEST_F(StatsTest, NameFilterIsALiteralSubstring) {
    auto count_of = [&](const std::string& filter) {
        return stats(db(), {.name_filter = filter}, now_).kinds[0].figures.count;
    };
    EXPECT_EQ(count_of("_"), 3U);  // only lib_foo: "_" is no wildcard
    EXPECT_EQ(count_of("%"), 3U);  // only 100%-pure
    EXPECT_EQ(count_of("'"), 3U);  // quotes are plain characters
    EXPECT_EQ(count_of("\\"), 3U);
    EXPECT_EQ(count_of("lib%foo"), 0U);
    EXPECT_EQ(count_of("foo"), 6U);
    EXPECT_EQ(count_of("no such name"), 0U);
}

TEST_F(StatsTest, FilteredTotalsMatchTheRowsInEveryWindow) {
    for (Window window : {Window::all_time(), Window::last_days(10), Window::last_months(1)}) {
        for (std::string filter : {"pkg-1", "-3", "foo"}) {
            StatsResult result = stats(db(), {.window = window, .name_filter = filter}, now_);
            for (const KindFigures& k : result.kinds) {
                auto expected = testing::expected_figures(rows_, [&](const store::StoredRow& r) {
                    return r.row.kind == k.kind && r.day >= result.days.first && r.day <= result.days.last &&
                           r.row.name.find(filter) != std::string::npos;
                });
                testing::expect_figures(k.figures, expected, filter + " " + std::string(to_string(k.kind)));
            }
        }
    }
}

TEST_F(StatsTest, GroupedPerNameSortedAndLimited) {
    for (Window window : {Window::all_time(), Window::last_days(30)}) {
        for (SortBy sort : {SortBy::count, SortBy::time, SortBy::name}) {
            StatsResult result =
                stats(db(), {.window = window, .group_by = GroupBy::name, .sort = sort, .limit = 5}, now_);
            std::array<int, kind_count> per_kind{};
            for (std::size_t i = 0; i < result.names.size(); ++i) {
                const NameFigures& n = result.names[i];
                ++per_kind[static_cast<std::size_t>(n.kind)];
                auto expected = testing::expected_figures(rows_, [&](const store::StoredRow& r) {
                    return r.row.kind == n.kind && r.row.name == n.name && r.day >= result.days.first &&
                           r.day <= result.days.last;
                });
                testing::expect_figures(n.figures, expected, n.name);
                if (i == 0 || result.names[i - 1].kind != n.kind) continue;
                const NameFigures& previous = result.names[i - 1];
                if (sort == SortBy::count) {
                    EXPECT_GE(previous.figures.count, n.figures.count);
                } else if (sort == SortBy::time) {
                    EXPECT_GE(previous.figures.total_seconds, n.figures.total_seconds);
                } else {
                    EXPECT_LT(previous.name, n.name);
                }
            }
            for (int count : per_kind) EXPECT_EQ(count, 5);
        }
    }
}

TEST_F(StatsTest, GroupedWithFilterOnlyHasMatchingNames) {
    StatsResult result =
        stats(db(), {.name_filter = "foo", .group_by = GroupBy::name, .sort = SortBy::name}, now_);
    ASSERT_EQ(result.names.size(), 2U);
    EXPECT_EQ(result.names[0].name, "libXfoo");
    EXPECT_EQ(result.names[1].name, "lib_foo");
    EXPECT_EQ(result.names[1].figures.count, 3U);
    EXPECT_NEAR(result.names[1].figures.max_seconds, 3.0, 1e-9);
}

// The writer folds after every batch while a query reads: name_totals, name_pending and day_totals must come
// from one snapshot, or the per-name counts would miss or double what moved between them.
TEST_F(StatsTest, GroupedAllTimeReadsOneSnapshotWhileTheWriterFolds) {
    store::Store writer(dir_ / "nod.db", {.fold_after_batches = 1});
    std::atomic<bool> done{false};
    std::jthread writing([&] {  // joined on every way out, an ASSERT's return included
        std::mt19937_64 random(5);
        for (int batch = 0; batch < 150; ++batch)
            writer.write(store::testing::random_rows(random, 40, first_, 90 * day_));
        done = true;
    });
    store::Database reader(dir_ / "nod.db", store::Access::read_only);
    int queries = 0, while_writing = 0;
    while (!done || queries < 20) {
        while_writing += done ? 0 : 1;
        StatsResult result = stats(reader, {.group_by = GroupBy::name, .limit = 0}, now_);
        std::array<std::uint64_t, kind_count> grouped{};
        for (const NameFigures& n : result.names)
            grouped[static_cast<std::size_t>(n.kind)] += n.figures.count;
        for (const KindFigures& k : result.kinds)
            ASSERT_EQ(grouped[static_cast<std::size_t>(k.kind)], k.figures.count) << "query " << queries;
        ++queries;
    }
    EXPECT_GT(while_writing, 0) << "no query ran while the writer folded: the test proves nothing";
}

// Every group's CPU figures are exact, through every path: day_totals, name_totals with pending sums, and
// the rows of a window through the covering index (random_rows gives most builds CPU times).
TEST_F(StatsTest, CpuFiguresAreExactInEveryPath) {
    std::uint64_t cpu_rows = 0;
    for (const auto& r : rows_) cpu_rows += r.row.cpu_user_us || r.row.cpu_system_us ? 1 : 0;
    ASSERT_GT(cpu_rows, 100u);
    for (Window window : {Window::all_time(), Window::last_days(30)}) {
        for (const RowFilter& filter : {RowFilter{}, RowFilter{.user = 0}}) {  // a filter reads the rows
            StatsResult result = stats(db(), {.window = window, .filter = filter, .group_by = GroupBy::name}, now_);
            for (const KindFigures& k : result.kinds) {
                auto expected = testing::expected_figures(rows_, [&](const store::StoredRow& r) {
                    return r.row.kind == k.kind && r.day >= result.days.first && r.day <= result.days.last;
                });
                EXPECT_EQ(k.figures.cpu_rows, expected.figures.cpu_rows);
                EXPECT_NEAR(k.figures.cpu_user_seconds, expected.figures.cpu_user_seconds, 1e-6);
                if (k.kind == Kind::build) {
                    EXPECT_GT(k.figures.cpu_rows, 0u);
                }
            }
            for (const NameFigures& n : result.names) {
                auto expected = testing::expected_figures(rows_, [&](const store::StoredRow& r) {
                    return r.row.kind == n.kind && r.row.name == n.name && r.day >= result.days.first &&
                           r.day <= result.days.last;
                });
                testing::expect_figures(n.figures, expected, n.name);
            }
        }
    }
}

// A database schema 3 left with pending per-name sums (format 3, without CPU figures), migrated: grouped
// all-time figures (name_totals plus the pending sums of both formats) still match the rows.
TEST(StatsMigrated, PendingSumsOfSchema3AreRead) {
    store::testing::TempDir dir;
    store::testing::make_version_3_history(dir / "nod.db", 400);
    store::Store store(dir / "nod.db");
    std::mt19937_64 random(3);
    store.write(store::testing::random_rows(random, 200, utc(2024, 10, 4), 4 * 86'400'000'000LL));
    const store::Database& db = store.database();
    ASSERT_EQ(db.query_int("SELECT count(*) FROM name_pending WHERE format = 3"), 2);
    ASSERT_EQ(db.query_int("SELECT count(*) FROM name_pending WHERE format = 4"), 1);
    auto rows = testing::all_rows(db);
    StatsResult result = stats(db, {.group_by = GroupBy::name, .limit = 0}, utc(2024, 10, 8));
    ASSERT_FALSE(result.names.empty());
    std::uint64_t counted = 0;
    for (const NameFigures& n : result.names) {
        counted += n.figures.count;
        auto expected = testing::expected_figures(
            rows, [&](const store::StoredRow& r) { return r.row.kind == n.kind && r.row.name == n.name; });
        testing::expect_figures(n.figures, expected, n.name);
    }
    EXPECT_EQ(counted, 600u);
}

TEST_F(StatsTest, EmptyDatabaseGivesZeros) {
    store::testing::TempDir other;
    store::Store empty(other / "nod.db");
    StatsResult result = stats(empty.database(), {.group_by = GroupBy::name}, now_);
    EXPECT_EQ(result.days.first, result.days.last);
    for (const KindFigures& k : result.kinds) EXPECT_EQ(k.figures, Figures{});
    EXPECT_TRUE(result.names.empty());
}

}  // namespace
}  // namespace nod::queries
