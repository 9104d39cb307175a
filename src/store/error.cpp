#include "store/error.hpp"

#include <sqlite3.h>

namespace nod::store {

std::string_view to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::missing_folder: return "missing_folder";
    case ErrorCode::read_only: return "read_only";
    case ErrorCode::not_a_database: return "not_a_database";
    case ErrorCode::newer_schema: return "newer_schema";
    case ErrorCode::disk_full: return "disk_full";
    case ErrorCode::locked: return "locked";
    case ErrorCode::io: return "io";
    case ErrorCode::timed_out: return "timed_out";
    case ErrorCode::other: return "other";
    }
    return "other";
}

ErrorCode error_code_from_sqlite(int rc) {
    switch (rc & 0xff) {
    case SQLITE_FULL: return ErrorCode::disk_full;
    case SQLITE_READONLY: return ErrorCode::read_only;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return ErrorCode::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorCode::locked;
    case SQLITE_IOERR: return ErrorCode::io;
    case SQLITE_CANTOPEN: return ErrorCode::io;
    case SQLITE_INTERRUPT: return ErrorCode::timed_out;
    default: return ErrorCode::other;
    }
}

void throw_sqlite(int rc, const std::string& what, std::string_view detail) {
    std::string message = what + ": ";
    message += detail.empty() ? std::string_view(sqlite3_errstr(rc)) : detail;
    throw Error(error_code_from_sqlite(rc), message);
}

}  // namespace nod::store
