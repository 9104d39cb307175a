// Thin RAII layer over the SQLite C API: connections and statements live in unique_ptr owners, every
// failure becomes a store::Error that names the database and what failed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nod::store::sql {

struct ConnectionCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using ConnectionPtr = std::unique_ptr<sqlite3, ConnectionCloser>;

struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Whether SQLite must copy bound text or blobs (the default), or may use them in place because the caller
// keeps them alive and unchanged until the statement has stepped.
enum class Lifetime { copy, until_step };

// One prepared statement. `context` ("database /x/nod.db") prefixes every error message; it must outlive
// the statement (it is owned by the Database).
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql, const std::string& context);

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text, Lifetime lifetime = Lifetime::copy);
    Statement& bind_blob(int index, std::span<const std::uint8_t> blob, Lifetime lifetime = Lifetime::copy);
    Statement& bind_null(int index);
    Statement& bind(int index, std::optional<std::int64_t> value);

    // Steps once: true when a row is available, false when done. Throws on failure.
    bool step();
    // Steps until done, then resets: for statements that return no rows.
    void run();
    // Makes the statement ready to run again and drops the bindings.
    void reset() noexcept;

    std::int64_t column_int(int index) const;
    bool column_is_null(int index) const;
    bool column_is_blob(int index) const;
    std::string_view column_text(int index) const;
    std::span<const std::uint8_t> column_blob(int index) const;

    sqlite3* db() const noexcept { return db_; }

private:
    sqlite3* db_;
    StatementPtr stmt_;
    const std::string* context_;
};

// Runs one or more statements that return nothing; throws on failure.
void exec(sqlite3* db, std::string_view sql, const std::string& context);

// Returns the single integer an SQL query yields, e.g. a PRAGMA.
std::int64_t query_int(sqlite3* db, std::string_view sql, const std::string& context);

// BEGIN ... COMMIT guard: rolls back on destruction unless committed.
class Transaction {
public:
    Transaction(sqlite3* db, const std::string& context, bool immediate = true);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    sqlite3* db_;
    const std::string* context_;
    bool open_ = true;
};

}  // namespace nod::store::sql
