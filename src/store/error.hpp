// The one exception type the store and the queries throw, with a code the daemon can map to a D-Bus error
// and a message that names the file and what failed.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace nod::store {

enum class ErrorCode {
    missing_folder,   // the folder that should hold the database does not exist
    read_only,        // the file or the file system cannot be written
    not_a_database,   // the file is not SQLite, or SQLite but not nod's
    newer_schema,     // written by a newer nod
    disk_full,        // SQLITE_FULL: the transaction was rolled back, retry the same rows later
    locked,           // another process holds the write lock longer than the busy timeout
    io,               // SQLITE_IOERR and friends
    timed_out,        // a read ran past its connection's deadline (Database::set_deadline)
    other,
};

std::string_view to_string(ErrorCode code);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
    ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

// Maps an SQLite primary or extended result code to our code.
ErrorCode error_code_from_sqlite(int rc);

// Throws Error with message "<what>: <sqlite's explanation>", e.g. "writing rows to database /x.db: database
// or disk is full". `detail` may be empty, then sqlite3_errstr(rc) is used.
[[noreturn]] void throw_sqlite(int rc, const std::string& what, std::string_view detail = {});

}  // namespace nod::store
