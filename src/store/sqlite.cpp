#include "store/sqlite.hpp"

#include "store/error.hpp"

namespace nod::store::sql {

namespace {

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& context) {
    // sqlite3_errmsg describes the most recent failure on this connection, with more detail than errstr.
    throw_sqlite(rc, context, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql, const std::string& context)
    : db_(db), context_(&context) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                                nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) fail(db, rc, context);
}

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_.get(), index, value);
    if (rc != SQLITE_OK) fail(db_, rc, *context_);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text, Lifetime lifetime) {
    int rc = sqlite3_bind_text(stmt_.get(), index, text.data(), static_cast<int>(text.size()),
                               lifetime == Lifetime::copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
    if (rc != SQLITE_OK) fail(db_, rc, *context_);
    return *this;
}

Statement& Statement::bind_blob(int index, std::span<const std::uint8_t> blob, Lifetime lifetime) {
    // A zero-length blob must stay a blob, not NULL: pass a non-null pointer.
    static const std::uint8_t empty = 0;
    const void* data = blob.empty() ? &empty : blob.data();
    int rc = sqlite3_bind_blob(stmt_.get(), index, data, static_cast<int>(blob.size()),
                               lifetime == Lifetime::copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
    if (rc != SQLITE_OK) fail(db_, rc, *context_);
    return *this;
}

Statement& Statement::bind_null(int index) {
    int rc = sqlite3_bind_null(stmt_.get(), index);
    if (rc != SQLITE_OK) fail(db_, rc, *context_);
    return *this;
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
    return value ? bind(index, *value) : bind_null(index);
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_.get());
    fail(db_, rc, *context_);
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() noexcept {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

bool Statement::column_is_null(int index) const {
    return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

bool Statement::column_is_blob(int index) const {
    return sqlite3_column_type(stmt_.get(), index) == SQLITE_BLOB;
}

std::string_view Statement::column_text(int index) const {
    const auto* text = sqlite3_column_text(stmt_.get(), index);
    int size = sqlite3_column_bytes(stmt_.get(), index);
    if (text == nullptr) return {};
    return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

std::span<const std::uint8_t> Statement::column_blob(int index) const {
    const void* blob = sqlite3_column_blob(stmt_.get(), index);
    int size = sqlite3_column_bytes(stmt_.get(), index);
    if (blob == nullptr) return {};
    return {static_cast<const std::uint8_t*>(blob), static_cast<std::size_t>(size)};
}

void exec(sqlite3* db, std::string_view sql, const std::string& context) {
    std::string text(sql);
    int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, context);
}

std::int64_t query_int(sqlite3* db, std::string_view sql, const std::string& context) {
    Statement statement(db, sql, context);
    if (!statement.step()) return 0;
    return statement.column_int(0);
}

Transaction::Transaction(sqlite3* db, const std::string& context, bool immediate) : db_(db), context_(&context) {
    // IMMEDIATE takes the write lock now, so a busy database fails here rather than halfway through.
    exec(db, immediate ? "BEGIN IMMEDIATE" : "BEGIN", context);
}

Transaction::~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    exec(db_, "COMMIT", *context_);
    open_ = false;
}

}  // namespace nod::store::sql
