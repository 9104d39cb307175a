#include "support.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "store/calendar.hpp"
#include "store/duration_chunks.hpp"
#include "store/name_deltas.hpp"
#include "store/store.hpp"

namespace nod::store::testing {

Micros utc(int year, unsigned month, unsigned day, int hour, int minute, int second) {
    std::int64_t days = day_of_date({year, month, day});
    return ((days * 24 + hour) * 60 + minute) * 60'000'000LL + second * 1'000'000LL;
}

Row make_row(Kind kind, const std::string& name, Micros start, std::optional<Micros> duration,
             Outcome outcome, std::uint64_t bytes) {
    Row row;
    row.kind = kind;
    row.name = name;
    row.path = "/nix/store/0c3b5pl2s0mv7q9gy5kwa2r0z9m2iwl1-" + name + (kind == Kind::build ? ".drv" : "");
    row.start = start;
    row.duration = duration;
    row.outcome = outcome;
    row.bytes = bytes;
    row.download_bytes = bytes / 3;
    row.uid = 1000;
    row.pid = 4242;
    row.activity_id = (std::uint64_t{4242} << 32) | static_cast<std::uint64_t>(start % 100000);
    return row;
}

std::vector<Row> random_rows(std::mt19937_64& random, std::size_t count, Micros first, Micros span) {
    std::uniform_int_distribution<Micros> start(first, first + span - 1);
    std::uniform_int_distribution<int> name(0, 39), kind(0, kind_count - 1), outcome(0, 19);
    std::lognormal_distribution<double> seconds(2.0, 1.5);
    std::vector<Row> rows;
    rows.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        int o = outcome(random);
        Outcome out = o == 0   ? Outcome::failed
                      : o == 1 ? Outcome::cancelled
                      : o == 2 ? Outcome::unknown
                               : Outcome::succeeded;
        std::optional<Micros> duration;
        if (o != 3) duration = static_cast<Micros>(seconds(random) * 1e6);
        Row row = make_row(static_cast<Kind>(kind(random)), "pkg-" + std::to_string(name(random)) + "-1.0",
                           start(random), duration, out, random() % 5'000'000);
        if (i % 7 == 0) row.machine = "ssh://builder" + std::to_string(i % 3);
        if (row.kind == Kind::copy) row.direction = i % 2 == 0 ? Direction::in : Direction::out;
        if (i % 11 == 0) row.path = "/some/other/store/path-" + std::to_string(i);
        rows.push_back(std::move(row));
    }
    return rows;
}

void write_recent_history(const std::filesystem::path& path, std::size_t count, int days, unsigned seed) {
    Store history(path);
    std::mt19937_64 random(seed);
    Micros now = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    Micros span = Micros{days} * 86'400'000'000LL;
    history.write(random_rows(random, count, now - span, span));
}

AggregateSnapshot read_aggregates(const Database& db) {
    AggregateSnapshot snapshot;
    for (AggregateTable table : aggregate_tables) {
        auto& groups = snapshot[table];
        bool has_name = table != AggregateTable::day;
        bool has_day = table != AggregateTable::name;
        std::string sql = std::string("SELECT kind, ") + (has_name ? "name_id" : "0") + ", " +
                          (has_day ? "day" : "0") + ", " + figure_columns + " FROM " + table_name(table);
        auto statement = db.prepare(sql);
        while (statement.step()) {
            AggregateKey key{static_cast<int>(statement.column_int(0)), statement.column_int(1),
                             static_cast<Day>(statement.column_int(2))};
            groups[key] = read_totals(statement, 3);
        }
    }
    // name_totals holds the folded part of the per-name sums; the pending part counts as much.
    for_each_pending_name_delta(db, [&](int kind, std::int64_t name_id, const EncodedTotals& totals) {
        snapshot[AggregateTable::name][{kind, name_id, 0}].merge(totals.decode());
    });
    auto chunks = db.prepare("SELECT day, kind, durations FROM day_durations");
    while (chunks.step()) {
        auto& durations = snapshot.day_durations[{static_cast<Day>(chunks.column_int(0)),
                                                  static_cast<int>(chunks.column_int(1))}];
        decode_durations(chunks.column_blob(2), durations);
        if (chunks.column_blob(2).empty())
            durations.push_back(-1);  // an empty chunk is a defect: make it differ
    }
    for (auto& [day_kind, durations] : snapshot.day_durations) std::sort(durations.begin(), durations.end());
    return snapshot;
}

void for_each_counted_row(sqlite3* db, const std::string& context,
                          const std::function<void(const CountedRow&)>& visit) {
    sql::Statement statement(
        db, "SELECT kind, name_id, day, duration, outcome, bytes, download_bytes FROM rows", context);
    while (statement.step()) {
        CountedRow row;
        row.kind = static_cast<int>(statement.column_int(0));
        row.name_id = statement.column_int(1);
        row.day = static_cast<Day>(statement.column_int(2));
        if (!statement.column_is_null(3)) row.duration = statement.column_int(3);
        row.outcome = static_cast<Outcome>(statement.column_int(4));
        row.bytes = static_cast<std::uint64_t>(statement.column_int(5));
        row.download_bytes = static_cast<std::uint64_t>(statement.column_int(6));
        visit(row);
    }
}

AggregateSnapshot recount_aggregates(const Database& db) {
    AggregateSnapshot snapshot;
    for (AggregateTable table : aggregate_tables) snapshot[table];
    for_each_counted_row(db.handle(), db.context(), [&](const CountedRow& r) {
        snapshot[AggregateTable::day][{r.kind, 0, r.day}].add(r.duration, r.outcome, r.bytes,
                                                              r.download_bytes);
        snapshot[AggregateTable::name][{r.kind, r.name_id, 0}].add(r.duration, r.outcome, r.bytes,
                                                                   r.download_bytes);
        if (r.duration) snapshot.day_durations[{r.day, r.kind}].push_back(*r.duration);
    });
    for (auto& [day_kind, durations] : snapshot.day_durations) std::sort(durations.begin(), durations.end());
    return snapshot;
}

std::string describe_difference(const AggregateSnapshot& stored, const AggregateSnapshot& recounted) {
    for (AggregateTable table : aggregate_tables) {
        const auto& a = stored.at(table);
        const auto& b = recounted.at(table);
        if (a.size() != b.size())
            return std::string(table_name(table)) + ": " + std::to_string(a.size()) + " groups stored, " +
                   std::to_string(b.size()) + " recounted";
        for (const auto& [key, totals] : a) {
            auto other = b.find(key);
            std::ostringstream where;
            where << table_name(table) << " kind " << key.kind << " name " << key.name_id << " day "
                  << key.day;
            if (other == b.end()) return where.str() + ": stored but not recounted";
            if (!(other->second == totals))
                return where.str() + ": count " + std::to_string(totals.count) + " vs " +
                       std::to_string(other->second.count) + ", total " + std::to_string(totals.total_us) +
                       " vs " + std::to_string(other->second.total_us) + ", max " +
                       std::to_string(totals.max_us.value_or(-1)) + " vs " +
                       std::to_string(other->second.max_us.value_or(-1));
        }
    }
    if (stored.day_durations.size() != recounted.day_durations.size())
        return "day_durations: " + std::to_string(stored.day_durations.size()) + " (day, kind) stored, " +
               std::to_string(recounted.day_durations.size()) + " recounted";
    for (const auto& [day_kind, durations] : stored.day_durations) {
        auto other = recounted.day_durations.find(day_kind);
        std::string where = "day_durations day " + std::to_string(day_kind.first) + " kind " +
                            std::to_string(day_kind.second);
        if (other == recounted.day_durations.end()) return where + ": stored but not recounted";
        if (other->second != durations)
            return where + ": " + std::to_string(durations.size()) + " durations stored, " +
                   std::to_string(other->second.size()) + " recounted";
    }
    return {};
}

int run_shell(const std::string& command, std::string& output) {
    output.clear();
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace nod::store::testing
