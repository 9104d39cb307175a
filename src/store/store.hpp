// The writer: the collector's one connection to the database. It writes finished rows in batches and
// keeps the aggregates (day_totals, day_durations, name_totals with name_pending) equal to what the rows
// say, and adds them to the lifetime totals, in the same transaction, so that no crash can leave them apart. Not thread-safe: one thread (the
// collector's) owns it; queries use their own read-only Database connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reader/row.hpp"
#include "store/batch_deltas.hpp"
#include "store/calendar.hpp"
#include "store/database.hpp"
#include "store/totals.hpp"

namespace nod::store {

class Checkpointer;
class DayDurationsWriter;
class LifetimeWriter;

class Store {
public:
    // Opens or creates the database and migrates it to the current schema; throws store::Error.
    explicit Store(const std::filesystem::path& path, const OpenOptions& options = {});
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Stores every row and its aggregates in one transaction: all or nothing. On an Error (disk_full,
    // locked, io) nothing of the batch is stored and everything committed before is intact; the caller
    // keeps the rows and writes the same batch again later. A row's day is its local day in the current TZ.
    // A row that supersedes (Row::supersedes) replaces the rows of the same activity id, kind and path that
    // no origin confirmed, within a day either side. Byte counts are clamped to max_row_bytes, CPU times to
    // max_row_cpu_us. The lifetime totals (lifetime.hpp) count every row written, a superseding one and
    // the rows it replaces alike.
    void write(std::span<const Row> rows);

    // Deletes at most `chunk` rows whose day is before `cutoff`, oldest first, and takes them out of the
    // aggregates in the same transaction. Returns how many rows went; 0 means nothing older is left.
    // Call it repeatedly between other work: each call holds the write lock only briefly. The lifetime totals
    // keep counting what it deletes.
    std::size_t prune_before(Day cutoff, std::size_t chunk);

    // Deletes every row, aggregate and name, but not the lifetime totals (counters must not drop); returns
    // how many rows went.
    std::uint64_t clear();

    // Rows stored, as of the last commit: counted at open, then kept by write, prune_before and clear.
    std::uint64_t rows() const noexcept { return rows_; }

    const Database& database() const noexcept { return db_; }

    // Frees the page cache's unused pages (after a flood; the next writes read them again).
    void release_memory() noexcept { sqlite3_db_release_memory(db_.handle()); }

private:
    struct Statements;
    struct PruneBatch;
    // Rows per multi-row INSERT: one statement execution per 32 rows instead of per row.
    static constexpr std::size_t rows_per_insert = 32;

    // A row with the parts of its keys that cost a lookup, computed once per batch.
    struct KeyedRow {
        const Row* row;
        Day day;
        std::int64_t name_id;
    };
    std::vector<KeyedRow> key_and_sort(std::span<const Row> rows);
    void insert_rows(std::span<const KeyedRow> rows, BatchDeltas& deltas);
    void add_day_durations(std::span<const KeyedRow> rows);
    void append_name_deltas(const BatchDeltas& deltas, std::size_t rows);
    bool fold_due();
    void fold_pending();
    std::int64_t intern_name(std::string_view name);
    std::optional<std::int64_t> intern_machine(std::string_view machine);
    void forget_interned() noexcept;
    static int on_wal_commit(void* store, sqlite3* db, const char* schema, int wal_pages);
    PruneBatch collect_prunable(Day cutoff, std::size_t chunk);
    void remove(PruneBatch& batch);
    std::size_t replace_unconfirmed(std::span<const KeyedRow> rows);
    void subtract_from_aggregates(const PruneBatch& batch);
    void subtract_group(AggregateTable table, const AggregateKey& key, const Totals& removed);
    std::optional<Micros> recount_max(AggregateTable table, const AggregateKey& key);

    Database db_;
    OpenOptions options_;
    std::unique_ptr<Statements> statements_;
    std::unique_ptr<DayDurationsWriter> durations_;
    std::unique_ptr<LifetimeWriter> lifetime_;
    std::unique_ptr<Checkpointer> checkpointer_;
    // Lookup by string_view without building a std::string per row.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept {
            return std::hash<std::string_view>{}(text);
        }
    };
    using InternMap = std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>>;
    std::int64_t intern(std::string_view text, InternMap& cache, sql::Statement& find,
                        sql::Statement& insert);

    InternMap names_;
    InternMap machines_;
    LocalDayCache local_day_;
    std::uint64_t rows_ = 0;
};

}  // namespace nod::store
