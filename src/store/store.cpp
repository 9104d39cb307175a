#include "store/store.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <vector>

#include "store/batch_deltas.hpp"
#include "store/checkpointer.hpp"
#include "store/day_durations.hpp"
#include "store/error.hpp"
#include "store/lifetime.hpp"
#include "store/name_deltas.hpp"
#include "store/path_codec.hpp"
#include "store/row_encoding.hpp"

namespace nod::store {

namespace {

std::size_t index_of(AggregateTable table) { return static_cast<std::size_t>(table); }

constexpr int columns_per_row = 19;

// SQL function nod_histogram_merge(a, b): the upsert merges histograms inside SQLite, which saves a
// SELECT per aggregate row per batch.
void histogram_merge_function(sqlite3_context* context, int, sqlite3_value** values) {
    try {
        auto blob = [](sqlite3_value* value) {
            const auto* data = static_cast<const std::uint8_t*>(sqlite3_value_blob(value));
            return std::span<const std::uint8_t>(data, static_cast<std::size_t>(sqlite3_value_bytes(value)));
        };
        thread_local std::vector<std::uint8_t> merged;  // reused: no allocation per call
        merge_encoded(blob(values[0]), blob(values[1]), merged);
        if (merged.empty()) {
            sqlite3_result_zeroblob(context, 0);  // an empty blob, not NULL
            return;
        }
        sqlite3_result_blob(context, merged.data(), static_cast<int>(merged.size()), SQLITE_TRANSIENT);
    } catch (const std::exception& e) {
        sqlite3_result_error(context, e.what(), -1);
    }
}

std::optional<std::uint64_t> clamp_cpu(std::optional<std::uint64_t> us) {
    if (us) us = std::min(*us, max_row_cpu_us);
    return us;
}

void bind_cpu(sql::Statement& statement, int index, std::optional<std::uint64_t> us) {
    if (us)
        statement.bind(index, static_cast<std::int64_t>(*us));
    else
        statement.bind_null(index);
}

}  // namespace

std::string insert_rows_sql(std::size_t rows) {
    std::string sql =
        "INSERT INTO rows (kind, day, name_id, duration, outcome, start_offset, bytes, "
        "download_bytes, machine_id, uid, pid, activity_bits, path, direction, user, flags, status, cpu_user_us, "
        "cpu_system_us) VALUES ";
    for (std::size_t r = 0; r < rows; ++r)
        sql += r == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    return sql;
}

struct Store::Statements {
    explicit Statements(const Database& db)
        : insert_row(db.prepare(insert_rows_sql(1))),
          insert_rows(db.prepare(insert_rows_sql(rows_per_insert))),
          find_name(db.prepare("SELECT id FROM names WHERE name = ?1")),
          insert_name(db.prepare("INSERT INTO names (name) VALUES (?1)")),
          find_machine(db.prepare("SELECT id FROM machines WHERE machine = ?1")),
          insert_machine(db.prepare("INSERT INTO machines (machine) VALUES (?1)")),
          // Oldest first in index order (day, kind, name_id): a chunk ends inside at most one group.
          prunable_rows(db.prepare("SELECT r.id, r.day, r.kind, r.name_id, r.duration, r.outcome, r.bytes, "
                                   "r.download_bytes, r.cpu_user_us, r.cpu_system_us FROM rows AS r INDEXED BY "
                                   "rows_by_day "
                                   "WHERE r.day < ?1 ORDER BY r.day, r.kind, r.name_id LIMIT ?2")),
          delete_row(db.prepare("DELETE FROM rows WHERE id = ?1")),
          // Rows of the same (day, kind, name) around a day that no origin confirmed, with what identifies
          // the activity: one index seek per day.
          unconfirmed_rows(db.prepare("SELECT r.id, r.day, r.kind, r.name_id, r.duration, r.outcome, r.bytes, "
                                      "r.download_bytes, r.cpu_user_us, r.cpu_system_us, r.pid, r.activity_bits, "
                                      "r.path FROM rows AS r INDEXED BY "
                                      "rows_by_day WHERE r.day IN (?1, ?2, ?3) AND r.kind = ?4 AND r.name_id = ?5 "
                                      "AND (r.flags & 2) = 0")),
          max_of_day(db.prepare("SELECT max(duration) FROM rows WHERE kind = ?1 AND day = ?2")),
          // One index lookup per day that has rows of the kind (the index is keyed by day before name;
          // CROSS JOIN keeps SQLite from scanning every day's entries instead).
          max_of_name(db.prepare("SELECT max(r.duration) FROM day_totals AS d CROSS JOIN rows AS r "
                                 "INDEXED BY rows_by_day ON r.day = d.day AND r.kind = d.kind "
                                 "AND r.name_id = ?2 WHERE d.kind = ?1")),
          append_pending(db.prepare("INSERT INTO name_pending (rows, deltas, format) VALUES (?1, ?2, " +
                                    std::to_string(name_delta_format) + ")")),
          pending_size(db.prepare("SELECT count(*), coalesce(sum(rows), 0) FROM name_pending")),
          pending_deltas(db.prepare("SELECT format, deltas FROM name_pending ORDER BY seq")),
          delete_pending(db.prepare("DELETE FROM name_pending")) {
        for (AggregateTable table : aggregate_tables) {
            upsert.push_back(db.prepare(aggregate_upsert_sql(table)));
            select.push_back(db.prepare(aggregate_select_sql(table)));
            replace.push_back(db.prepare(aggregate_replace_sql(table)));
            remove.push_back(db.prepare(aggregate_delete_sql(table)));
        }
    }

    sql::Statement insert_row, insert_rows, find_name, insert_name, find_machine, insert_machine;
    sql::Statement prunable_rows, delete_row, unconfirmed_rows, max_of_day, max_of_name;
    sql::Statement append_pending, pending_size, pending_deltas, delete_pending;
    std::vector<sql::Statement> upsert, select, replace, remove;
};

struct Store::PruneBatch {
    std::vector<std::int64_t> row_ids;
    BatchDeltas deltas;
    std::map<std::pair<Day, int>, std::vector<Micros>> durations;  // per (day, kind)

    // A row from columns id, day, kind, name_id, duration, outcome, bytes, download_bytes, cpu_user_us,
    // cpu_system_us.
    void add(const sql::Statement& row) {
        row_ids.push_back(row.column_int(0));
        auto day = static_cast<Day>(row.column_int(1));
        auto kind = static_cast<int>(row.column_int(2));
        std::optional<Micros> duration;
        if (!row.column_is_null(4)) duration = row.column_int(4);
        if (duration) durations[{day, kind}].push_back(*duration);
        auto cpu = [&](int column) {
            return row.column_is_null(column) ? std::nullopt
                                              : std::optional(static_cast<std::uint64_t>(row.column_int(column)));
        };
        deltas.add(kind, row.column_int(3), day, duration, static_cast<Outcome>(row.column_int(5)),
                   static_cast<std::uint64_t>(row.column_int(6)), static_cast<std::uint64_t>(row.column_int(7)),
                   cpu(8), cpu(9));
    }
};

Store::Store(const std::filesystem::path& path, const OpenOptions& options)
    : db_(path, Access::read_write, options), options_(options) {
    int rc = sqlite3_create_function_v2(db_.handle(), "nod_histogram_merge", 2,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                        histogram_merge_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(rc, "opening " + db_.context() + ": registering nod_histogram_merge");
    statements_ = std::make_unique<Statements>(db_);
    durations_ = std::make_unique<DayDurationsWriter>(db_.handle(), db_.context());
    lifetime_ = std::make_unique<LifetimeWriter>(db_.handle(), db_.context());
    if (options.background_checkpoints) {
        checkpointer_ = std::make_unique<Checkpointer>(db_.path(), db_.context());
        sqlite3_wal_hook(db_.handle(), on_wal_commit, this);  // replaces SQLite's autocheckpoint hook
    }
    rows_ = static_cast<std::uint64_t>(db_.query_int("SELECT coalesce(sum(count), 0) FROM day_totals"));
}

Store::~Store() {
    if (checkpointer_) sqlite3_wal_hook(db_.handle(), nullptr, nullptr);
}

// Called by SQLite after each commit with the WAL's size in pages. The checkpointer copies pages from a
// quarter of the limit on; SQLite can start the WAL over only at the start of a write transaction that
// finds every page copied, which a writer that never pauses does not see: at the limit it copies the
// (few) remaining pages itself, as SQLite's own hook would, so the WAL stays as small as before.
int Store::on_wal_commit(void* store, sqlite3* db, const char* schema, int wal_pages) {
    const auto& self = *static_cast<Store*>(store);
    int limit = self.options_.wal_autocheckpoint_pages;
    if (limit <= 0) return SQLITE_OK;
    if (wal_pages >= limit) {
        // A checkpoint on the thread holds SQLite's checkpoint lock, and ours would then do nothing: wait
        // for it (it has copied most pages by then), as SQLite's own hook would wait for its copy.
        self.checkpointer_->wait_idle();
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (wal_pages >= limit / 4)
        self.checkpointer_->request();
    return SQLITE_OK;
}

void Store::write(std::span<const Row> rows) {
    if (rows.empty()) return;
    try {
        sql::Transaction transaction(db_.handle(), db_.context());
        lifetime_->discard();  // sums a failed batch may have left
        std::vector<KeyedRow> keyed = key_and_sort(rows);
        BatchDeltas deltas;
        deltas.reserve(rows.size());
        for (std::size_t first = 0; first < keyed.size();) {
            std::size_t count = keyed.size() - first >= rows_per_insert ? rows_per_insert : 1;
            insert_rows(std::span<const KeyedRow>(keyed).subspan(first, count), deltas);
            first += count;
        }
        add_day_durations(keyed);
        auto& upsert = statements_->upsert[index_of(AggregateTable::day)];
        deltas.for_each(AggregateTable::day, [&](const AggregateKey& key, const Totals& totals) {
            bind_totals(upsert, totals, bind_key(upsert, AggregateTable::day, key));
            upsert.run();
        });
        append_name_deltas(deltas, rows.size());
        lifetime_->flush();
        if (fold_due()) fold_pending();
        std::size_t replaced = replace_unconfirmed(keyed);
        transaction.commit();
        rows_ += rows.size() - replaced;
    } catch (const Error& e) {
        statements_->insert_row.reset();
        statements_->insert_rows.reset();
        forget_interned();  // names inserted by the rolled-back transaction are gone
        throw Error(e.code(), "writing " + std::to_string(rows.size()) + " rows to " + e.what());
    }
}

// Rows go in sorted by (day, kind, name), the order of the index rows_by_day, which then grows at its end
// instead of at random places in each day: fewer pages reach the WAL. The order of rows inside one batch is
// arbitrary anyway (they come from several Nix connections finishing at the same moment); the batch's rows
// stay together, in id order.
std::vector<Store::KeyedRow> Store::key_and_sort(std::span<const Row> rows) {
    std::vector<KeyedRow> keyed;
    keyed.reserve(rows.size());
    for (const Row& row : rows) {
        Day day = local_day_(row.start);
        keyed.push_back({&row, day, intern_name(row.name)});
    }
    std::stable_sort(keyed.begin(), keyed.end(), [](const KeyedRow& a, const KeyedRow& b) {
        return std::tie(a.day, a.row->kind, a.name_id) < std::tie(b.day, b.row->kind, b.name_id);
    });
    return keyed;
}

// The batch is sorted by (day, kind, name): each (day, kind) is one run of rows.
void Store::add_day_durations(std::span<const KeyedRow> rows) {
    std::vector<Micros> durations;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].row->duration) durations.push_back(*rows[i].row->duration);
        bool last_of_run = i + 1 == rows.size() || rows[i + 1].day != rows[i].day ||
                           rows[i + 1].row->kind != rows[i].row->kind;
        if (last_of_run) {
            durations_->add(rows[i].day, static_cast<int>(rows[i].row->kind), std::move(durations));
            durations.clear();
        }
    }
}

// Inserts 1 or rows_per_insert rows with one statement (fewer statement executions per row) and records
// their aggregate changes.
void Store::insert_rows(std::span<const KeyedRow> rows, BatchDeltas& deltas) {
    auto& insert = rows.size() == 1 ? statements_->insert_row : statements_->insert_rows;
    std::array<std::optional<PackedPath>, rows_per_insert>
        packed;  // bound without copying: alive until run()
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const Row& row = *rows[r].row;
        Day day = rows[r].day;
        std::int64_t name_id = rows[r].name_id;
        int base = static_cast<int>(r) * columns_per_row;
        auto kind = static_cast<std::int64_t>(row.kind);
        insert.bind(base + 1, kind).bind(base + 2, std::int64_t{day}).bind(base + 3, name_id);
        insert.bind(base + 4, row.duration).bind(base + 5, static_cast<std::int64_t>(row.outcome));
        std::uint64_t bytes = std::min(row.bytes, max_row_bytes);
        std::uint64_t download_bytes = std::min(row.download_bytes, max_row_bytes);
        insert.bind(base + 6, encode_start(row.start, day)).bind(base + 7, static_cast<std::int64_t>(bytes));
        insert.bind(base + 8, static_cast<std::int64_t>(download_bytes));
        insert.bind(base + 9, intern_machine(row.machine)).bind(base + 10, std::int64_t{row.uid});
        insert.bind(base + 11, std::int64_t{row.pid})
            .bind(base + 12, encode_activity(row.activity_id, row.pid));
        packed[r] = encode_store_path(row.path, row.name);
        if (packed[r])
            insert.bind_blob(base + 13, *packed[r], sql::Lifetime::until_step);
        else
            insert.bind(base + 13, row.path, sql::Lifetime::until_step);
        insert.bind(base + 14, static_cast<std::int64_t>(row.direction));
        insert.bind(base + 15, std::int64_t{row.user}).bind(base + 16, encode_flags(row));
        insert.bind(base + 17, static_cast<std::int64_t>(row.status));
        auto cpu_user = clamp_cpu(row.cpu_user_us), cpu_system = clamp_cpu(row.cpu_system_us);
        bind_cpu(insert, base + 18, cpu_user);
        bind_cpu(insert, base + 19, cpu_system);
        deltas.add(static_cast<int>(kind), name_id, day, row.duration, row.outcome, bytes, download_bytes, cpu_user,
                   cpu_system);
        lifetime_->add(row);  // in id order, as the migration to version 6 counts
    }
    insert.run();
}

void Store::append_name_deltas(const BatchDeltas& deltas, std::size_t rows) {
    std::vector<std::uint8_t> blob;
    blob.reserve(rows * 16);
    deltas.for_each(AggregateTable::name, [&](const AggregateKey& key, const Totals& totals) {
        encode_name_delta(key.kind, key.name_id, totals, blob);
    });
    auto& append = statements_->append_pending;
    append.bind(1, static_cast<std::int64_t>(rows)).bind_blob(2, blob, sql::Lifetime::until_step).run();
}

bool Store::fold_due() {
    auto& size = statements_->pending_size;
    size.step();
    std::int64_t batches = size.column_int(0), rows = size.column_int(1);
    size.reset();
    return batches >= options_.fold_after_batches || rows >= options_.fold_after_rows;
}

// Sums the pending blobs per (kind, name) in memory and upserts each group into name_totals once.
void Store::fold_pending() {
    std::unordered_map<std::uint64_t, Totals> sums;
    auto& pending = statements_->pending_deltas;
    while (pending.step()) {
        decode_name_deltas(pending.column_blob(1), pending.column_int(0),
                           [&](int kind, std::int64_t name_id, const EncodedTotals& totals) {
                               sums[pack_kind_name(kind, name_id)].merge(totals.decode());
                           });
    }
    pending.reset();
    std::vector<std::pair<std::uint64_t, const Totals*>> groups;
    groups.reserve(sums.size());
    for (const auto& [key, totals] : sums) groups.emplace_back(key, &totals);
    std::sort(groups.begin(), groups.end());  // name_totals' key order: the upserts walk the tree once
    auto& upsert = statements_->upsert[index_of(AggregateTable::name)];
    for (const auto& [key, totals] : groups) {
        AggregateKey group = unpack_kind_name(key);
        bind_totals(upsert, *totals, bind_key(upsert, AggregateTable::name, group));
        upsert.run();
    }
    statements_->delete_pending.run();
}

// The id of `text` in a names-like table (id INTEGER PRIMARY KEY, text UNIQUE), inserted on first sight;
// `cache` spares the lookups for the texts a batch repeats.
std::int64_t Store::intern(std::string_view text, InternMap& cache, sql::Statement& find,
                           sql::Statement& insert) {
    auto found = cache.find(text);
    if (found != cache.end()) return found->second;
    find.bind(1, text);
    std::int64_t id = 0;
    if (find.step()) {
        id = find.column_int(0);
        find.reset();
    } else {
        find.reset();
        insert.bind(1, text).run();
        id = sqlite3_last_insert_rowid(db_.handle());
    }
    cache.emplace(text, id);
    return id;
}

std::int64_t Store::intern_name(std::string_view name) {
    return intern(name, names_, statements_->find_name, statements_->insert_name);
}

std::optional<std::int64_t> Store::intern_machine(std::string_view machine) {
    if (machine.empty()) return std::nullopt;  // this machine: NULL costs no bytes
    return intern(machine, machines_, statements_->find_machine, statements_->insert_machine);
}

void Store::forget_interned() noexcept {
    names_.clear();
    machines_.clear();
}

std::size_t Store::prune_before(Day cutoff, std::size_t chunk) {
    if (chunk == 0) return 0;
    try {
        sql::Transaction transaction(db_.handle(), db_.context());
        PruneBatch batch = collect_prunable(cutoff, chunk);
        if (batch.row_ids.empty()) return 0;
        remove(batch);
        transaction.commit();
        rows_ -= std::min<std::uint64_t>(rows_, batch.row_ids.size());
        return batch.row_ids.size();
    } catch (const Error& e) {
        statements_->prunable_rows.reset();
        throw Error(e.code(), "pruning rows before " + day_label(cutoff) + " from " + e.what());
    }
}

Store::PruneBatch Store::collect_prunable(Day cutoff, std::size_t chunk) {
    PruneBatch batch;
    auto& rows = statements_->prunable_rows;
    rows.bind(1, std::int64_t{cutoff}).bind(2, static_cast<std::int64_t>(chunk));
    while (rows.step()) batch.add(rows);
    rows.reset();
    return batch;
}

// Deletes the batch's rows and takes them out of every aggregate but the lifetime totals, inside the
// caller's transaction.
void Store::remove(PruneBatch& batch) {
    fold_pending();  // name_totals must hold the rows it loses
    for (std::int64_t id : batch.row_ids) statements_->delete_row.bind(1, id).run();
    subtract_from_aggregates(batch);
    for (auto& [day_kind, durations] : batch.durations)
        durations_->remove(day_kind.first, day_kind.second, std::move(durations));
}

// A row that supersedes (Row::supersedes: its origin reported it after another connection's row of the
// same activity went out) replaces the rows of the same activity (id, kind, path) that no origin
// confirmed, within a day either side: whoever sent a worker's ids ahead of it. Returns how many went.
std::size_t Store::replace_unconfirmed(std::span<const KeyedRow> rows) {
    PruneBatch batch;
    auto& find = statements_->unconfirmed_rows;
    for (const KeyedRow& keyed : rows) {
        const Row& row = *keyed.row;
        if (!row.supersedes) continue;
        find.bind(1, std::int64_t{keyed.day - 1}).bind(2, std::int64_t{keyed.day}).bind(3, std::int64_t{keyed.day + 1});
        find.bind(4, static_cast<std::int64_t>(row.kind)).bind(5, keyed.name_id);
        while (find.step()) {
            auto pid = static_cast<std::int32_t>(find.column_int(10));
            if (decode_activity(find.column_int(11), pid) != row.activity_id) continue;
            std::string path = find.column_is_blob(12) ? decode_store_path(find.column_blob(12), row.name)
                                                       : std::string(find.column_text(12));
            if (path == row.path) batch.add(find);
        }
        find.reset();
    }
    if (batch.row_ids.empty()) return 0;
    remove(batch);
    return batch.row_ids.size();
}

// Runs after the rows are deleted (a removed maximum is recounted from the remaining rows).
void Store::subtract_from_aggregates(const PruneBatch& batch) {
    for (AggregateTable table : aggregate_tables)
        batch.deltas.for_each(table, [&](const AggregateKey& key, const Totals& removed) {
            subtract_group(table, key, removed);
        });
}

void Store::subtract_group(AggregateTable table, const AggregateKey& key, const Totals& removed) {
    auto& select = statements_->select[index_of(table)];
    bind_key(select, table, key);
    if (!select.step()) {
        select.reset();
        throw Error(ErrorCode::other, db_.context() + ": aggregates in " + table_name(table) +
                                          " disagree with the rows (missing group)");
    }
    Totals totals = read_totals(select, 0);
    select.reset();
    if (!totals.subtract(removed))
        throw Error(ErrorCode::other, db_.context() + ": aggregates in " + table_name(table) +
                                          " disagree with the rows (too small)");
    if (totals.count == 0) {
        auto& remove = statements_->remove[index_of(table)];
        bind_key(remove, table, key);
        remove.run();
        return;
    }
    // Only a removed maximum can change the maximum; recounting is then a short index range.
    if (removed.max_us && totals.max_us && *removed.max_us >= *totals.max_us)
        totals.max_us = recount_max(table, key);
    auto& replace = statements_->replace[index_of(table)];
    bind_totals(replace, totals, bind_key(replace, table, key));
    replace.run();
}

std::optional<Micros> Store::recount_max(AggregateTable table, const AggregateKey& key) {
    sql::Statement* statement = nullptr;
    switch (table) {
        case AggregateTable::day: statement = &statements_->max_of_day; break;
        case AggregateTable::name: statement = &statements_->max_of_name; break;
    }
    statement->bind(1, std::int64_t{key.kind});
    if (table == AggregateTable::name)
        statement->bind(2, key.name_id);
    else
        statement->bind(2, std::int64_t{key.day});
    std::optional<Micros> max;
    if (statement->step() && !statement->column_is_null(0)) max = statement->column_int(0);
    statement->reset();
    return max;
}

std::uint64_t Store::clear() {
    try {
        sql::Transaction transaction(db_.handle(), db_.context());
        auto count = static_cast<std::uint64_t>(db_.query_int("SELECT count(*) FROM rows"));
        db_.exec(
            "DELETE FROM rows; DELETE FROM day_totals; DELETE FROM name_totals; DELETE FROM name_pending; "
            "DELETE FROM day_durations; DELETE FROM names; DELETE FROM machines;");
        transaction.commit();
        forget_interned();
        rows_ = 0;
        return count;
    } catch (const Error& e) {
        forget_interned();
        throw Error(e.code(), "clearing " + std::string(e.what()));
    }
}

}  // namespace nod::store
