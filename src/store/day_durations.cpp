#include "store/day_durations.hpp"

#include <algorithm>
#include <utility>

#include "store/duration_chunks.hpp"
#include "store/error.hpp"

namespace nod::store {

DayDurationsWriter::DayDurationsWriter(sqlite3* db, const std::string& context)
    : context_(context),
      last_chunk_(db,
                  "SELECT chunk, durations FROM day_durations WHERE kind = ?1 AND day = ?2 "
                  "ORDER BY chunk DESC LIMIT 1",
                  context),
      chunks_of_day_(db, "SELECT chunk, durations FROM day_durations WHERE kind = ?1 AND day = ?2", context),
      put_(db, "INSERT OR REPLACE INTO day_durations (kind, day, chunk, durations) VALUES (?1, ?2, ?3, ?4)",
           context),
      delete_(db, "DELETE FROM day_durations WHERE kind = ?1 AND day = ?2 AND chunk = ?3", context) {}

void DayDurationsWriter::add(Day day, int kind, std::vector<Micros> values) {
    if (values.empty()) return;
    std::sort(values.begin(), values.end());
    std::int64_t chunk = 0;
    std::vector<Micros> merged;
    last_chunk_.bind(1, std::int64_t{kind}).bind(2, std::int64_t{day});
    if (last_chunk_.step()) {
        chunk = last_chunk_.column_int(0);
        decode_durations(last_chunk_.column_blob(1), merged);
        if (merged.size() >= durations_per_chunk) {  // full: leave it, start the next
            ++chunk;
            merged.clear();
        }
    }
    last_chunk_.reset();
    std::size_t old_size = merged.size();
    merged.insert(merged.end(), values.begin(), values.end());
    std::inplace_merge(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(old_size), merged.end());
    for (std::size_t first = 0; first < merged.size(); first += durations_per_chunk, ++chunk) {
        std::size_t count = std::min(durations_per_chunk, merged.size() - first);
        put(day, kind, chunk, std::span<const Micros>(merged).subspan(first, count));
    }
}

void DayDurationsWriter::remove(Day day, int kind, std::vector<Micros> values) {
    if (values.empty()) return;
    std::sort(values.begin(), values.end());
    // Read the day first: changing a table while a statement walks it is allowed but visits rows unreliably.
    std::vector<std::pair<std::int64_t, std::vector<Micros>>> chunks;
    chunks_of_day_.bind(1, std::int64_t{kind}).bind(2, std::int64_t{day});
    while (chunks_of_day_.step()) {
        chunks.emplace_back(chunks_of_day_.column_int(0), std::vector<Micros>{});
        decode_durations(chunks_of_day_.column_blob(1), chunks.back().second);
    }
    chunks_of_day_.reset();
    for (auto& [chunk, durations] : chunks) {
        if (values.empty()) break;
        if (!remove_durations(durations, values)) continue;
        if (durations.empty()) {
            delete_.bind(1, std::int64_t{kind}).bind(2, std::int64_t{day}).bind(3, chunk).run();
        } else {
            put(day, kind, chunk, durations);
        }
    }
    if (!values.empty())
        throw Error(ErrorCode::other, context_ + ": day_durations of " + day_label(day) + " kind " +
                                          std::to_string(kind) + " disagree with the rows (" +
                                          std::to_string(values.size()) + " durations missing)");
}

void DayDurationsWriter::put(Day day, int kind, std::int64_t chunk, std::span<const Micros> sorted) {
    std::vector<std::uint8_t> blob = encode_durations(sorted);
    put_.bind(1, std::int64_t{kind}).bind(2, std::int64_t{day}).bind(3, chunk);
    put_.bind_blob(4, blob, sql::Lifetime::until_step).run();
}

void read_day_durations(sqlite3* db, const std::string& context, Day first, Day last, int kind,
                        std::vector<Micros>& out) {
    sql::Statement statement(
        db, "SELECT durations FROM day_durations WHERE kind = ?1 AND day BETWEEN ?2 AND ?3", context);
    statement.bind(1, std::int64_t{kind}).bind(2, std::int64_t{first}).bind(3, std::int64_t{last});
    while (statement.step()) decode_durations(statement.column_blob(0), out);
}

// Runs in the step to version 2, when the index of version 1 (kind, day, name_id, duration) exists.
void fill_day_durations_from_rows(sqlite3* db, const std::string& context) {
    DayDurationsWriter writer(db, context);
    sql::Statement rows(db,
                        "SELECT kind, day, duration FROM rows INDEXED BY rows_by_kind_day "
                        "WHERE duration IS NOT NULL ORDER BY kind, day",
                        context);
    std::vector<Micros> group;
    int kind = -1;
    Day day = 0;
    while (rows.step()) {
        auto row_kind = static_cast<int>(rows.column_int(0));
        auto row_day = static_cast<Day>(rows.column_int(1));
        if (row_kind != kind || row_day != day) {
            writer.add(day, kind, std::move(group));
            group.clear();
            kind = row_kind;
            day = row_day;
        }
        group.push_back(rows.column_int(2));
    }
    writer.add(day, kind, std::move(group));
}

}  // namespace nod::store
