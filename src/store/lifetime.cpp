#include "store/lifetime.hpp"

#include <algorithm>

#include "store/error.hpp"
#include "store/row_encoding.hpp"
#include "store/totals.hpp"

namespace nod::store {

namespace {

const std::string other_substituter;  // "": past the cap, or no machine

std::int64_t as_int(std::uint64_t value) { return static_cast<std::int64_t>(std::min(value, sum_cap)); }
std::uint64_t as_count(const sql::Statement& statement, int column) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, statement.column_int(column)));
}

}  // namespace

std::size_t lifetime_bucket(Micros duration) {
    return static_cast<std::size_t>(
        std::lower_bound(lifetime_bucket_bounds_us.begin(), lifetime_bucket_bounds_us.end(), duration) -
        lifetime_bucket_bounds_us.begin());
}

LifetimeWriter::LifetimeWriter(sqlite3* db, const std::string& context)
    : upsert_activity_(db,
                       "INSERT INTO lifetime_totals (kind, outcome, direction, count, timed, duration_us, bytes, "
                       "download_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO UPDATE SET "
                       "count = count + excluded.count, timed = timed + excluded.timed, " +
                           capped_sum("duration_us") + ", " + capped_sum("bytes") + ", " +
                           capped_sum("download_bytes"),
                       context),
      upsert_duration_(db,
                       "INSERT INTO lifetime_durations (kind, bucket, count) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT DO UPDATE SET count = count + excluded.count",
                       context),
      upsert_substituter_(db,
                          "INSERT INTO lifetime_substituters (substituter, outcome, count, bytes, download_bytes) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET count = count + excluded.count, " +
                              capped_sum("bytes") + ", " + capped_sum("download_bytes"),
                          context),
      named_substituters_(db, "SELECT DISTINCT substituter FROM lifetime_substituters WHERE substituter <> ''",
                          context) {}

void LifetimeWriter::add(const Row& row) {
    // Trusted and reported by root itself: a fallback row that a user's connection reported for a root
    // activity is trusted too (its outcome is root's), but its substituter is the user's word.
    add(row.kind, row.outcome, row.direction, row.duration, row.bytes, row.download_bytes, row.machine,
        row.trusted && row.uid == 0);
}

void LifetimeWriter::add(Kind kind, Outcome outcome, Direction direction, std::optional<Micros> duration,
                         std::uint64_t bytes, std::uint64_t download_bytes, std::string_view machine,
                         bool root_reported) {
    bytes = std::min(bytes, max_row_bytes);
    download_bytes = std::min(download_bytes, max_row_bytes);
    Figures& activity = activities_[{static_cast<int>(kind), static_cast<int>(outcome), static_cast<int>(direction)}];
    ++activity.count;
    if (duration) {
        ++activity.timed;
        // A negative duration (none is made, but rows are anyone's) must not lower the sum.
        activity.duration_us = add_capped(activity.duration_us, static_cast<std::uint64_t>(std::max<Micros>(0, *duration)));
        ++buckets_[{static_cast<int>(kind), lifetime_bucket(*duration)}];
    }
    activity.bytes = add_capped(activity.bytes, bytes);
    activity.download_bytes = add_capped(activity.download_bytes, download_bytes);
    if (kind != Kind::substitute) return;
    Figures& substituter = substituters_[{substituter_entry(machine, root_reported), static_cast<int>(outcome)}];
    ++substituter.count;
    substituter.bytes = add_capped(substituter.bytes, bytes);
    substituter.download_bytes = add_capped(substituter.download_bytes, download_bytes);
}

// Any local user can report substitutions from made-up substituters: only root-reported trusted rows claim one of the
// few named entries, and a name once given an entry keeps it (its counters, and other's, never drop).
const std::string& LifetimeWriter::substituter_entry(std::string_view machine, bool root_reported) {
    if (machine.empty()) return other_substituter;
    if (!named_) {
        named_.emplace();
        while (named_substituters_.step()) named_->emplace(named_substituters_.column_text(0));
        named_substituters_.reset();
    }
    auto found = named_->find(machine);
    if (found != named_->end()) return *found;
    if (!root_reported || named_->size() >= max_lifetime_substituters) return other_substituter;
    return *named_->emplace(machine).first;
}

void LifetimeWriter::flush() {
    for (const auto& [key, f] : activities_) {
        auto [kind, outcome, direction] = key;
        upsert_activity_.bind(1, std::int64_t{kind}).bind(2, std::int64_t{outcome}).bind(3, std::int64_t{direction});
        upsert_activity_.bind(4, as_int(f.count)).bind(5, as_int(f.timed)).bind(6, as_int(f.duration_us));
        upsert_activity_.bind(7, as_int(f.bytes)).bind(8, as_int(f.download_bytes)).run();
    }
    for (const auto& [key, count] : buckets_) {
        upsert_duration_.bind(1, std::int64_t{key.first}).bind(2, static_cast<std::int64_t>(key.second));
        upsert_duration_.bind(3, as_int(count)).run();
    }
    for (const auto& [key, f] : substituters_) {
        upsert_substituter_.bind(1, key.first).bind(2, std::int64_t{key.second}).bind(3, as_int(f.count));
        upsert_substituter_.bind(4, as_int(f.bytes)).bind(5, as_int(f.download_bytes)).run();
    }
    discard();
}

void LifetimeWriter::discard() noexcept {
    activities_.clear();
    buckets_.clear();
    substituters_.clear();
    named_.reset();  // read again next time: a rolled-back batch may have named some
    upsert_activity_.reset();
    upsert_duration_.reset();
    upsert_substituter_.reset();
    named_substituters_.reset();
}

Lifetime read_lifetime(const Database& db) {
    try {
        // One snapshot for the three tables, unless the caller reads in a transaction already.
        std::optional<sql::Transaction> transaction;
        if (sqlite3_get_autocommit(db.handle()) != 0) transaction.emplace(db.handle(), db.context(), false);
        Lifetime lifetime;
        auto activities = db.prepare(
            "SELECT kind, outcome, direction, count, timed, duration_us, bytes, download_bytes FROM lifetime_totals "
            "ORDER BY kind, outcome, direction");
        while (activities.step())
            lifetime.activities.push_back({static_cast<Kind>(activities.column_int(0)),
                                           static_cast<Outcome>(activities.column_int(1)),
                                           static_cast<Direction>(activities.column_int(2)), as_count(activities, 3),
                                           as_count(activities, 4), as_count(activities, 5), as_count(activities, 6),
                                           as_count(activities, 7)});
        auto durations = db.prepare("SELECT kind, bucket, count FROM lifetime_durations ORDER BY kind, bucket");
        while (durations.step()) {
            auto kind = static_cast<Kind>(durations.column_int(0));
            std::int64_t bucket = durations.column_int(1);
            if (bucket < 0 || bucket >= static_cast<std::int64_t>(lifetime_bucket_bounds_us.size() + 1))
                throw Error(ErrorCode::other, db.context() + ": lifetime_durations has bucket " +
                                                  std::to_string(bucket) + " (0 to " +
                                                  std::to_string(lifetime_bucket_bounds_us.size()) + " exist)");
            if (lifetime.durations.empty() || lifetime.durations.back().kind != kind)
                lifetime.durations.push_back({kind, {}});
            lifetime.durations.back().buckets[static_cast<std::size_t>(bucket)] = as_count(durations, 2);
        }
        auto substituters = db.prepare(
            "SELECT substituter, outcome, count, bytes, download_bytes FROM lifetime_substituters "
            "ORDER BY substituter, outcome");
        while (substituters.step())
            lifetime.substituters.push_back({std::string(substituters.column_text(0)),
                                             static_cast<Outcome>(substituters.column_int(1)),
                                             as_count(substituters, 2), as_count(substituters, 3),
                                             as_count(substituters, 4)});
        if (transaction) transaction->commit();
        return lifetime;
    } catch (const Error& e) {
        throw Error(e.code(), "reading lifetime totals from " + std::string(e.what()));
    }
}

// Runs in the step to version 6 (the rows have every column of version 5).
void fill_lifetime_from_rows(sqlite3* db, const std::string& context) {
    LifetimeWriter writer(db, context);
    sql::Statement rows(db,
                        "SELECT r.kind, r.outcome, r.direction, r.duration, r.bytes, r.download_bytes, r.flags, "
                        "m.machine, r.uid FROM rows AS r LEFT JOIN machines AS m ON m.id = r.machine_id ORDER BY r.id",
                        context);
    while (rows.step()) {
        std::optional<Micros> duration;
        if (!rows.column_is_null(3)) duration = rows.column_int(3);
        writer.add(static_cast<Kind>(rows.column_int(0)), static_cast<Outcome>(rows.column_int(1)),
                   static_cast<Direction>(rows.column_int(2)), duration, static_cast<std::uint64_t>(rows.column_int(4)),
                   static_cast<std::uint64_t>(rows.column_int(5)), rows.column_is_null(7) ? "" : rows.column_text(7),
                   (rows.column_int(6) & flag_trusted) != 0 && rows.column_int(8) == 0);
    }
    writer.flush();
}

}  // namespace nod::store
