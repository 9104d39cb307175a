#include "support.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "store/calendar.hpp"
#include "store/day_durations.hpp"
#include "store/error.hpp"
#include "store/duration_chunks.hpp"
#include "store/name_deltas.hpp"
#include "store/schema.hpp"
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
        // Determinate Nix's build results give most builds CPU times, now and then only one of them (derived
        // from the index, so that the random draws stay as they were).
        if (row.kind == Kind::build && i % 4 != 0) {
            row.status = row.outcome == Outcome::succeeded ? BuildStatus::built : BuildStatus::permanent_failure;
            row.cpu_user_us = (i * 7919 % 5000) * 1'000'003ULL;
            if (i % 13 != 0) row.cpu_system_us = (i * 104729 % 700) * 100'003ULL;
        }
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
    // Schema 4 has the CPU times; older files count none.
    bool cpu = sql::query_int(db, "SELECT count(*) FROM pragma_table_info('rows') WHERE name = 'cpu_user_us'",
                              context) != 0;
    sql::Statement statement(db,
                             std::string("SELECT kind, name_id, day, duration, outcome, bytes, download_bytes, ") +
                                 (cpu ? "cpu_user_us, cpu_system_us" : "NULL, NULL") + " FROM rows",
                             context);
    while (statement.step()) {
        CountedRow row;
        row.kind = static_cast<int>(statement.column_int(0));
        row.name_id = statement.column_int(1);
        row.day = static_cast<Day>(statement.column_int(2));
        if (!statement.column_is_null(3)) row.duration = statement.column_int(3);
        row.outcome = static_cast<Outcome>(statement.column_int(4));
        row.bytes = static_cast<std::uint64_t>(statement.column_int(5));
        row.download_bytes = static_cast<std::uint64_t>(statement.column_int(6));
        if (!statement.column_is_null(7)) row.cpu_user_us = static_cast<std::uint64_t>(statement.column_int(7));
        if (!statement.column_is_null(8)) row.cpu_system_us = static_cast<std::uint64_t>(statement.column_int(8));
        visit(row);
    }
}

AggregateSnapshot recount_aggregates(const Database& db) {
    AggregateSnapshot snapshot;
    for (AggregateTable table : aggregate_tables) snapshot[table];
    for_each_counted_row(db.handle(), db.context(), [&](const CountedRow& r) {
        Totals& day = snapshot[AggregateTable::day][{r.kind, 0, r.day}];
        Totals& name = snapshot[AggregateTable::name][{r.kind, r.name_id, 0}];
        for (Totals* totals : {&day, &name}) {
            totals->add(r.duration, r.outcome, r.bytes, r.download_bytes);
            // Counted here by hand rather than with add_cpu: the recount must not share the store's code.
            if (r.cpu_user_us || r.cpu_system_us) {
                ++totals->cpu_rows;
                totals->cpu_user_us += r.cpu_user_us.value_or(0);
                totals->cpu_system_us += r.cpu_system_us.value_or(0);
            }
        }
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
                       std::to_string(other->second.max_us.value_or(-1)) + ", cpu rows " +
                       std::to_string(totals.cpu_rows) + " vs " + std::to_string(other->second.cpu_rows) +
                       ", cpu user " + std::to_string(totals.cpu_user_us) + " vs " +
                       std::to_string(other->second.cpu_user_us) + ", cpu system " +
                       std::to_string(totals.cpu_system_us) + " vs " + std::to_string(other->second.cpu_system_us);
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

void make_version_3_history(const std::filesystem::path& path, int rows) {
    const std::string context = "version 3 database";
    sqlite3* raw = nullptr;
    int rc = sqlite3_open(path.c_str(), &raw);
    sql::ConnectionPtr db(raw);
    if (rc != SQLITE_OK) throw_sqlite(rc, "opening " + path.string());
    migrate(db.get(), context, path.string(), 3);
    sql::Transaction transaction(db.get(), context);
    sql::exec(db.get(), "INSERT INTO names (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')",
              context);
    std::string insert = "INSERT INTO rows (id, kind, day, name_id, duration, outcome, start_offset, bytes, "
                         "download_bytes, uid, pid, activity_bits, path, direction) VALUES ";
    for (int i = 1; i <= rows; ++i) {
        std::string duration = i % 9 == 0 ? "NULL" : std::to_string(1000 + i * 7919 % 100000);
        insert += (i == 1 ? "(" : ",(") + std::to_string(i) + "," + std::to_string(i % kind_count) + "," +
                  std::to_string(20000 + i % 4) + "," + std::to_string(1 + i % 5) + "," + duration + "," +
                  std::to_string(i % 5 == 0 ? 1 : i % 7 == 0 ? 2 : 0) + ",0," + std::to_string(i * 100) + "," +
                  std::to_string(i) + ",0,1," + std::to_string(i) + ",'/x',0)";
    }
    sql::exec(db.get(), insert, context);
    // The nine figures of schema 3, counted here from the rows.
    std::map<AggregateKey, Totals> per_day, folded, pending_first, pending_second;
    std::map<std::pair<Day, int>, std::vector<Micros>> durations;
    sql::Statement all(db.get(), "SELECT id, kind, name_id, day, duration, outcome, bytes, download_bytes FROM rows",
                       context);
    while (all.step()) {
        std::int64_t id = all.column_int(0);
        int kind = static_cast<int>(all.column_int(1));
        std::int64_t name_id = all.column_int(2);
        auto day = static_cast<Day>(all.column_int(3));
        std::optional<Micros> duration;
        if (!all.column_is_null(4)) duration = all.column_int(4);
        auto outcome = static_cast<Outcome>(all.column_int(5));
        auto bytes = static_cast<std::uint64_t>(all.column_int(6));
        auto download = static_cast<std::uint64_t>(all.column_int(7));
        per_day[{kind, 0, day}].add(duration, outcome, bytes, download);
        if (duration) durations[{day, kind}].push_back(*duration);
        auto& per_name = id <= rows / 2 ? folded : id <= rows * 3 / 4 ? pending_first : pending_second;
        per_name[{kind, name_id, 0}].add(duration, outcome, bytes, download);
    }
    const char* figures_3 = "count, failed, cancelled, unknown_duration, total_us, max_us, bytes, download_bytes, "
                            "histogram";
    auto write_groups = [&](const char* table, const char* keys, const std::map<AggregateKey, Totals>& groups,
                            bool by_day) {
        sql::Statement statement(db.get(),
                                 std::string("INSERT INTO ") + table + " (" + keys + ", " + figures_3 +
                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 context);
        for (const auto& [key, t] : groups) {
            statement.bind(1, std::int64_t{by_day ? key.day : key.kind})
                .bind(2, by_day ? std::int64_t{key.kind} : key.name_id);
            statement.bind(3, static_cast<std::int64_t>(t.count)).bind(4, static_cast<std::int64_t>(t.failed));
            statement.bind(5, static_cast<std::int64_t>(t.cancelled));
            statement.bind(6, static_cast<std::int64_t>(t.unknown_duration)).bind(7, t.total_us).bind(8, t.max_us);
            statement.bind(9, static_cast<std::int64_t>(t.bytes)).bind(10, static_cast<std::int64_t>(t.download_bytes));
            statement.bind_blob(11, t.histogram.encode());
            statement.run();
        }
    };
    write_groups("day_totals", "day, kind", per_day, true);
    write_groups("name_totals", "kind, name_id", folded, false);
    sql::Statement append(db.get(), "INSERT INTO name_pending (rows, deltas) VALUES (?1, ?2)", context);
    for (const auto* groups : {&pending_first, &pending_second}) {
        std::vector<std::uint8_t> blob;
        std::int64_t count = 0;
        for (const auto& [key, t] : *groups) {
            encode_name_delta(key.kind, key.name_id, t, blob, name_delta_format_3);
            count += static_cast<std::int64_t>(t.count);
        }
        append.bind(1, count).bind_blob(2, blob).run();
    }
    {
        DayDurationsWriter writer(db.get(), context);
        for (auto& [day_kind, values] : durations) writer.add(day_kind.first, day_kind.second, std::move(values));
    }
    transaction.commit();
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
