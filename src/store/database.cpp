#include "store/database.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>

#include "store/error.hpp"
#include "store/schema.hpp"

namespace nod::store {

namespace {

std::string folder_of(const std::filesystem::path& path) {
    auto folder = path.parent_path();
    return folder.empty() ? std::string(".") : folder.string();
}

std::string hex(std::int64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%08llx", static_cast<unsigned long long>(value));
    return text;
}

}  // namespace

Database::Database(const std::filesystem::path& path, Access mode, const OpenOptions& options)
    : path_(path.string()), context_("database " + path.string()), access_(mode) {
    check_file(mode);
    connect(mode, options);
    bool empty = check_identity();
    exec("PRAGMA cache_size = -" + std::to_string(options.cache_mib * 1024));
    if (mode == Access::read_only) {
        if (empty)
            throw Error(ErrorCode::other,
                        "database " + path_ + " is empty: the collector creates its tables");
        check_version_for_reading();
        return;
    }
    // WAL lets queries read while the collector writes; NORMAL sync in WAL can lose the last commits on power
    // loss but never corrupts, and is what makes 200k rows/s possible.
    {
        sql::Statement wal(handle(), "PRAGMA journal_mode = WAL", context_);
        if (!wal.step() || wal.column_text(0) != "wal")
            throw Error(ErrorCode::io,
                        "opening database " + path_ + ": cannot switch it to WAL journal mode");
    }
    exec("PRAGMA synchronous = NORMAL");
    exec("PRAGMA wal_autocheckpoint = " + std::to_string(options.wal_autocheckpoint_pages));
    // A flood of writes can grow the WAL past the checkpoint limit; when SQLite starts it over, it cuts the
    // file back to twice the limit (pages of 4 KiB).
    exec("PRAGMA journal_size_limit = " +
         std::to_string(std::int64_t{options.wal_autocheckpoint_pages} * 2 * 4096));
    migrate(handle(), context_, path_);
}

void Database::check_file(Access mode) const {
    std::string what = "opening database " + path_ + ": ";
    std::string folder = folder_of(path_);
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw Error(ErrorCode::missing_folder, what + "folder " + folder + " does not exist");
    // The file itself is never a symbolic link: one planted at the path would point the collector (and
    // its permissions) at another file. SQLITE_OPEN_NOFOLLOW refuses it too, in case it appears later.
    if (std::filesystem::is_symlink(std::filesystem::symlink_status(path_, ec)))
        throw Error(ErrorCode::other, what + "it is a symbolic link; give the file's own path");
    bool exists = std::filesystem::exists(path_, ec);
    if (exists && std::filesystem::is_directory(path_, ec))
        throw Error(ErrorCode::not_a_database, what + "it is a folder, not a file");
    if (mode == Access::read_only) {
        if (!exists) throw Error(ErrorCode::other, what + "no such file (the collector creates it)");
    }
    if (exists && ::access(path_.c_str(), R_OK) != 0)
        throw Error(ErrorCode::other, what + "the file is not readable (no read permission)");
    if (mode == Access::read_only) return;
    struct statvfs fs {};
    if (statvfs(folder.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0)
        throw Error(ErrorCode::read_only, what + "read-only file system");
    if (exists && ::access(path_.c_str(), W_OK) != 0)
        throw Error(ErrorCode::read_only, what + "the file is read-only (no write permission)");
    if (::access(folder.c_str(), W_OK) != 0)
        throw Error(
            ErrorCode::read_only,
            what + "folder " + folder + " is not writable (SQLite creates its -wal and -shm files there)");
}

void Database::connect(Access mode, const OpenOptions& options) {
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;  // one thread per connection at a time
    flags |= mode == Access::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) throw_sqlite(rc, "opening database " + path_, raw ? sqlite3_errmsg(raw) : "");
    sqlite3_extended_result_codes(handle(), 1);
    sqlite3_busy_timeout(handle(), static_cast<int>(options.busy_timeout.count()));
    if (mode == Access::read_write && sqlite3_db_readonly(handle(), "main") == 1)
        throw Error(ErrorCode::read_only,
                    "opening database " + path_ + ": SQLite could open it only read-only");
}

void Database::set_deadline(Deadline deadline) {
    deadline_ = deadline;
    // SQLite calls the handler every this many virtual machine instructions: well under a millisecond.
    constexpr int instructions = 10'000;
    if (deadline_)
        sqlite3_progress_handler(handle(), instructions, &Database::past_deadline, this);
    else
        sqlite3_progress_handler(handle(), 0, nullptr, nullptr);
}

int Database::past_deadline(void* database) {
    const auto& self = *static_cast<const Database*>(database);
    return self.deadline_ && std::chrono::steady_clock::now() > *self.deadline_ ? 1 : 0;
}

bool Database::check_identity() {
    std::int64_t app_id = 0, version = 0, tables = 0;
    try {
        // The first read of the file: garbage shows up here as SQLITE_NOTADB.
        app_id = query_int("PRAGMA application_id");
        version = query_int("PRAGMA user_version");
        tables = query_int("SELECT count(*) FROM sqlite_schema");
    } catch (const Error& e) {
        if (e.code() == ErrorCode::not_a_database)
            throw Error(ErrorCode::not_a_database,
                        "opening database " + path_ + ": the file is not a database");
        throw Error(e.code(), "opening " + std::string(e.what()));
    }
    if (app_id == application_id) return false;
    if (app_id == 0 && version == 0 && tables == 0) return true;
    throw Error(ErrorCode::not_a_database,
                "opening database " + path_ + ": an SQLite database, but not nod's (application_id " +
                    hex(app_id) + ", " + std::to_string(tables) + " schema objects); refusing to use it");
}

void Database::check_version_for_reading() {
    auto version = static_cast<int>(query_int("PRAGMA user_version"));
    if (version > schema_version) throw Error(ErrorCode::newer_schema, newer_schema_message(path_, version));
    if (version < schema_version)
        throw Error(ErrorCode::other, "database " + path_ + " has schema version " + std::to_string(version) +
                                          ", this nod reads " + std::to_string(schema_version) +
                                          "; the collector upgrades it when it starts");
}

}  // namespace nod::store
