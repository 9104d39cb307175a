// One SQLite connection to a nod database, opened with checks that turn every way the file can be wrong
// into a specific store::Error. The writer (Store) opens it read-write and migrates it; queries open their
// own read-only connections, which WAL lets run while the writer writes.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "store/sqlite.hpp"

namespace nod::store {

enum class Access { read_write, read_only };

struct OpenOptions {
    std::chrono::milliseconds busy_timeout{5000};  // how long to wait for another process's lock
    int cache_mib = 64;                            // page cache of this connection
    // Writer only: WAL pages before they are copied back into the database (and fsynced). Larger than
    // SQLite's 1000 so that big batches do not checkpoint on every commit.
    int wal_autocheckpoint_pages = 8192;
    // Writer only: copy them on a thread of its own (checkpointer.hpp); the writer then checkpoints itself
    // only past 4 × wal_autocheckpoint_pages. false: SQLite's own checkpoints after the commits.
    bool background_checkpoints = true;
    // Writer only: pending per-name sums (name_deltas.hpp) are folded into name_totals once they hold this
    // many rows or batches. More rows make the fold cheaper per row; readers merge up to this much.
    std::int64_t fold_after_rows = 250'000;
    std::int64_t fold_after_batches = 256;
};

class Database {
public:
    Database(const std::filesystem::path& path, Access mode, const OpenOptions& options = {});
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    sqlite3* handle() const noexcept { return db_.get(); }
    const std::string& path() const noexcept { return path_; }
    // "database /x/nod.db": the prefix of every error message about this connection.
    const std::string& context() const noexcept { return context_; }
    Access access() const noexcept { return access_; }

    sql::Statement prepare(std::string_view sql) const { return {db_.get(), sql, context_}; }
    void exec(std::string_view sql) const { sql::exec(db_.get(), sql, context_); }
    std::int64_t query_int(std::string_view sql) const { return sql::query_int(db_.get(), sql, context_); }

    // Past `deadline` every statement on this connection fails with Error(timed_out); none: no deadline.
    // A query that opens a second connection gives it the same deadline.
    using Deadline = std::optional<std::chrono::steady_clock::time_point>;
    void set_deadline(Deadline deadline);
    Deadline deadline() const noexcept { return deadline_; }

private:
    static int past_deadline(void* database);

    void check_file(Access mode) const;
    void connect(Access mode, const OpenOptions& options);
    // Returns true when the file is empty (a new database), throws when it is not nod's.
    bool check_identity();
    void check_version_for_reading();

    std::string path_;
    std::string context_;
    Access access_;
    sql::ConnectionPtr db_;
    Deadline deadline_;
};

}  // namespace nod::store
