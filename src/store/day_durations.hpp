// The table day_durations (schema version 2): every known duration per kind and day, in the chunks of
// duration_chunks.hpp, kept equal to the rows in the writer's transactions like the other aggregates.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

#include "reader/row.hpp"
#include "store/calendar.hpp"
#include "store/sqlite.hpp"

namespace nod::store {

// The writer's side; statements prepared once on the writer's connection.
class DayDurationsWriter {
public:
    DayDurationsWriter(sqlite3* db, const std::string& context);

    // Adds `values` (any order) to the day's last chunk, starting new chunks when it is full.
    void add(Day day, int kind, std::vector<Micros> values);
    // Removes one occurrence of each of `values` (pruning); throws Error when the table lacks one, which
    // means it disagrees with the rows.
    void remove(Day day, int kind, std::vector<Micros> values);

private:
    void put(Day day, int kind, std::int64_t chunk, std::span<const Micros> sorted);

    const std::string& context_;
    sql::Statement last_chunk_, chunks_of_day_, put_, delete_;
};

// Appends the durations of `kind` from day `first` to `last` (inclusive) to `out`, unsorted across chunks.
void read_day_durations(sqlite3* db, const std::string& context, Day first, Day last, int kind,
                        std::vector<Micros>& out);

// Fills day_durations from the rows: the data step of the migration to version 2.
void fill_day_durations_from_rows(sqlite3* db, const std::string& context);

}  // namespace nod::store
