// Lifetime totals (schema version 6): what every row ever written adds up to, and that nothing lowers it.
#include "store/lifetime.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>

#include "store/error.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace nod::store {
namespace {

using testing::TempDir;

constexpr Micros day_us = 86'400'000'000LL;

// Every figure under a readable key ("activity build succeeded 0 count"), to compare two reads field by field.
std::map<std::string, std::uint64_t> figures(const Lifetime& lifetime) {
    std::map<std::string, std::uint64_t> out;
    for (const auto& a : lifetime.activities) {
        std::string key = "activity " + std::string(to_string(a.kind)) + " " + std::string(to_string(a.outcome)) +
                          " " + std::to_string(static_cast<int>(a.direction)) + " ";
        out[key + "count"] = a.count;
        out[key + "timed"] = a.timed;
        out[key + "duration_us"] = a.duration_us;
        out[key + "bytes"] = a.bytes;
        out[key + "download_bytes"] = a.download_bytes;
    }
    for (const auto& d : lifetime.durations)
        for (std::size_t b = 0; b < d.buckets.size(); ++b)
            out["durations " + std::string(to_string(d.kind)) + " bucket " + std::to_string(b)] = d.buckets[b];
    for (const auto& s : lifetime.substituters) {
        std::string key = "substituter '" + s.substituter + "' " + std::string(to_string(s.outcome)) + " ";
        out[key + "count"] = s.count;
        out[key + "bytes"] = s.bytes;
        out[key + "download_bytes"] = s.download_bytes;
    }
    return out;
}

// Every figure of `before` is in `after`, and not smaller.
void expect_none_lower(const Lifetime& before, const Lifetime& after, const std::string& what) {
    auto old_figures = figures(before), new_figures = figures(after);
    ASSERT_FALSE(old_figures.empty());
    for (const auto& [key, value] : old_figures) {
        auto found = new_figures.find(key);
        ASSERT_NE(found, new_figures.end()) << what << " dropped " << key;
        EXPECT_GE(found->second, value) << what << " lowered " << key;
    }
}

Row substitution(const std::string& name, const std::string& substituter, bool trusted, Micros start,
                 Outcome outcome = Outcome::succeeded, std::uint64_t bytes = 300) {
    Row row = testing::make_row(Kind::substitute, name, start, 1'000'000, outcome, bytes);
    row.machine = substituter;
    row.trusted = trusted;
    if (trusted) row.uid = row.user = 0;
    return row;
}

class LifetimeTest : public ::testing::Test {
protected:
    void SetUp() override {
        setenv("TZ", "UTC", 1);
        tzset();
    }
    TempDir dir;
    Micros first = testing::utc(2026, 1, 1);
};

TEST(LifetimeBucket, ADurationAtABoundFallsInThatBoundsBucket) {
    EXPECT_EQ(lifetime_bucket(-5), 0u);
    EXPECT_EQ(lifetime_bucket(0), 0u);
    EXPECT_EQ(lifetime_bucket(100'000), 0u);
    EXPECT_EQ(lifetime_bucket(100'001), 1u);
    for (std::size_t i = 0; i < lifetime_bucket_bounds_us.size(); ++i) {
        EXPECT_EQ(lifetime_bucket(lifetime_bucket_bounds_us[i]), i);
        EXPECT_EQ(lifetime_bucket(lifetime_bucket_bounds_us[i] + 1), i + 1);
    }
    EXPECT_EQ(lifetime_bucket(172'800'000'001), 19u) << "above 2 days: the last index";
    EXPECT_EQ(lifetime_bucket(INT64_MAX), 19u);
}

TEST_F(LifetimeTest, AnEmptyDatabaseHasNoTotals) {
    { Store store(dir / "nod.db"); }
    Database db(dir / "nod.db", Access::read_only);
    Lifetime lifetime = read_lifetime(db);
    EXPECT_TRUE(lifetime.activities.empty());
    EXPECT_TRUE(lifetime.durations.empty());
    EXPECT_TRUE(lifetime.substituters.empty());
}

TEST_F(LifetimeTest, WrittenRowsAddUpToTheHandCountedTotals) {
    Store store(dir / "nod.db");
    auto row = [&](Kind kind, const std::string& name, std::optional<Micros> duration, Outcome outcome,
                   std::uint64_t bytes = 0) { return testing::make_row(kind, name, first, duration, outcome, bytes); };
    Row copy_in = row(Kind::copy, "i", 1'000'000, Outcome::succeeded, 900);
    copy_in.direction = Direction::in;
    Row copy_out = row(Kind::copy, "j", 30'000'001, Outcome::succeeded, UINT64_MAX);
    copy_out.direction = Direction::out;
    copy_out.download_bytes = UINT64_MAX;
    Row by_hand = substitution("h", "", true, first, Outcome::succeeded, 600);
    by_hand.duration.reset();
    store.write(std::vector<Row>{row(Kind::build, "a", 100'000, Outcome::succeeded),
                                 row(Kind::build, "b", 100'001, Outcome::failed),
                                 row(Kind::build, "c", std::nullopt, Outcome::cancelled),
                                 row(Kind::build, "d", 172'800'000'001, Outcome::succeeded)});
    Row cached = substitution("f", "https://cache.nixos.org", true, first, Outcome::succeeded, 3000);
    cached.duration = 2'500'000;
    Row failed = substitution("g", "https://cache.nixos.org", false, first + day_us, Outcome::failed, 0);
    failed.duration = 0;
    store.write(std::vector<Row>{row(Kind::build, "e", 172'800'000'000, Outcome::succeeded), cached, by_hand, copy_in,
                                 copy_out, row(Kind::post_build_hook, "k", 5'000'000, Outcome::unknown)});
    store.write(std::vector<Row>{failed});

    constexpr std::uint64_t clamped = max_row_bytes;
    Lifetime expected;
    expected.activities = {
        {Kind::build, Outcome::succeeded, Direction::none, 3, 3, 100'000 + 172'800'000'001 + 172'800'000'000, 0, 0},
        {Kind::build, Outcome::failed, Direction::none, 1, 1, 100'001, 0, 0},
        {Kind::build, Outcome::cancelled, Direction::none, 1, 0, 0, 0, 0},
        {Kind::substitute, Outcome::succeeded, Direction::none, 2, 1, 2'500'000, 3600, 1200},
        {Kind::substitute, Outcome::failed, Direction::none, 1, 1, 0, 0, 0},
        {Kind::copy, Outcome::succeeded, Direction::in, 1, 1, 1'000'000, 900, 300},
        {Kind::copy, Outcome::succeeded, Direction::out, 1, 1, 30'000'001, clamped, clamped},
        {Kind::post_build_hook, Outcome::unknown, Direction::none, 1, 1, 5'000'000, 0, 0},
    };
    LifetimeDurations builds{Kind::build, {}}, substitutions{Kind::substitute, {}}, copies{Kind::copy, {}},
        hooks{Kind::post_build_hook, {}};
    builds.buckets[0] = builds.buckets[1] = builds.buckets[18] = builds.buckets[19] = 1;
    substitutions.buckets[0] = substitutions.buckets[4] = 1;
    copies.buckets[3] = copies.buckets[8] = 1;
    hooks.buckets[5] = 1;
    expected.durations = {builds, substitutions, copies, hooks};
    // The failed substitution is untrusted, but its substituter has an entry already: it counts there.
    expected.substituters = {{"", Outcome::succeeded, 1, 600, 200},
                             {"https://cache.nixos.org", Outcome::succeeded, 1, 3000, 1000},
                             {"https://cache.nixos.org", Outcome::failed, 1, 0, 0}};
    Lifetime lifetime = read_lifetime(store.database());
    EXPECT_EQ(figures(lifetime), figures(expected));
    EXPECT_EQ(lifetime, expected) << "same figures, different order";
}

// Retention, Clean and a superseding row leave every figure where it was; writing goes on adding.
TEST_F(LifetimeTest, PruningClearingAndSupersedingNeverLowerAFigure) {
    Store store(dir / "nod.db", {.fold_after_batches = 3});
    std::mt19937_64 random(5);
    for (int batch = 0; batch < 5; ++batch) {
        auto rows = testing::random_rows(random, 200, first, 10 * day_us);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            rows[i].trusted = i % 3 == 0;
            if (rows[i].kind == Kind::substitute && i % 2 == 0) rows[i].machine = "https://cache" + std::to_string(i % 5);
        }
        store.write(rows);
    }
    Lifetime written = read_lifetime(store.database());

    while (store.prune_before(local_day(first) + 6, 150) != 0) {}
    ASSERT_LT(store.rows(), 1000u);
    Lifetime pruned = read_lifetime(store.database());
    expect_none_lower(written, pruned, "prune_before");
    EXPECT_EQ(pruned, written);

    constexpr std::uint64_t id = (std::uint64_t{4242} << 32) | 77;
    Row forged = substitution("app", "https://cache1", false, first + 8 * day_us);
    forged.activity_id = id;
    Row real = forged;
    real.origin = real.supersedes = real.trusted = true;
    real.start += 1'000'000;
    store.write(std::vector<Row>{forged});
    std::uint64_t before = store.rows();
    store.write(std::vector<Row>{real});
    ASSERT_EQ(store.rows(), before) << "the real row replaced the forged one";
    Lifetime superseded = read_lifetime(store.database());
    expect_none_lower(pruned, superseded, "a superseding row");
    auto substitutions = [](const Lifetime& l) {
        std::uint64_t n = 0;
        for (const auto& a : l.activities) n += a.kind == Kind::substitute ? a.count : 0;
        return n;
    };
    EXPECT_EQ(substitutions(superseded), substitutions(pruned) + 2) << "both reports stay counted";

    EXPECT_GT(store.clear(), 0u);
    Lifetime cleared = read_lifetime(store.database());
    expect_none_lower(superseded, cleared, "clear");
    EXPECT_EQ(cleared, superseded);

    store.write(testing::random_rows(random, 50, first, 10 * day_us));
    expect_none_lower(cleared, read_lifetime(store.database()), "writing after clear");
    EXPECT_NE(read_lifetime(store.database()), cleared);
}

// Anyone can report substitutions from made-up substituters: only trusted rows that root's own connection
// reported name one, at most 16 ever, and
// a named one keeps its entry for good (also after clear).
TEST_F(LifetimeTest, OnlyTrustedRowsNameSubstitutersAndNoMoreThanSixteen) {
    Store store(dir / "nod.db");
    std::vector<Row> rows;
    // First: trusted, because a user's connection reported it for a root activity that ended without a
    // word (a fallback row), but the substituter is that user's word: no slot.
    Row fallback = substitution("o", "https://user-claimed.example", true, first);
    fallback.uid = fallback.user = 1000;
    rows.push_back(fallback);
    for (std::size_t i = 0; i < max_lifetime_substituters; ++i)
        rows.push_back(substitution("p" + std::to_string(i), "https://s" + std::to_string(i), true, first));
    rows.push_back(substitution("q", "https://untrusted", false, first));  // in the same batch: no slot either
    store.write(rows);
    store.write(std::vector<Row>{substitution("r", "https://s16", true, first)});  // the 17th
    store.write(std::vector<Row>{substitution("s", "https://s3", false, first, Outcome::failed)});
    store.write(std::vector<Row>{substitution("t", "", true, first)});
    store.clear();
    store.write(std::vector<Row>{substitution("u", "https://s17", true, first)});

    std::map<std::pair<std::string, Outcome>, std::uint64_t> expected, found;
    for (std::size_t i = 0; i < max_lifetime_substituters; ++i) expected[{"https://s" + std::to_string(i), Outcome::succeeded}] = 1;
    expected[{"https://s3", Outcome::failed}] = 1;
    expected[{"", Outcome::succeeded}] = 5;  // the fallback, untrusted, s16, no substituter, s17
    for (const auto& s : read_lifetime(store.database()).substituters) found[{s.substituter, s.outcome}] = s.count;
    EXPECT_EQ(found, expected);
}

// A batch that fails leaves nothing in the lifetime totals, neither then nor in the next batch.
TEST_F(LifetimeTest, AFailedBatchAddsNothing) {
    Store store(dir / "nod.db");
    // Refuses the row of "z", which comes after "a" (a batch goes in by name): "a" has been counted by then.
    store.database().exec(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.rows WHEN NEW.name_id = (SELECT id FROM names WHERE "
        "name = 'z') BEGIN SELECT RAISE(ABORT, 'refused'); END");
    EXPECT_THROW(store.write(std::vector<Row>{substitution("a", "https://sneaky", true, first),
                                              substitution("z", "https://sneaky", true, first)}),
                 Error);
    store.database().exec("DROP TRIGGER temp.refuse");
    EXPECT_EQ(read_lifetime(store.database()), Lifetime{});
    store.write(std::vector<Row>{substitution("b", "https://sneaky", false, first)});
    Lifetime lifetime = read_lifetime(store.database());
    ASSERT_EQ(lifetime.activities.size(), 1u);
    EXPECT_EQ(lifetime.activities[0].count, 1u);
    ASSERT_EQ(lifetime.substituters.size(), 1u);
    EXPECT_EQ(lifetime.substituters[0].substituter, "") << "https://sneaky was never named";
}

TEST_F(LifetimeTest, ReadingErrorsNameTheDatabase) {
    Store store(dir / "nod.db");
    store.database().exec("INSERT INTO lifetime_durations (kind, bucket, count) VALUES (0, 20, 1)");
    try {
        read_lifetime(store.database());
        FAIL() << "read a bucket that does not exist";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("reading lifetime totals from database " + (dir / "nod.db").string()),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace nod::store
