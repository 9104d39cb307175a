#include "store/totals.hpp"

#include <algorithm>

namespace nod::store {

std::uint64_t add_capped(std::uint64_t a, std::uint64_t b) { return a >= sum_cap - std::min(b, sum_cap) ? sum_cap : a + b; }

namespace {

std::int64_t add_capped(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

}  // namespace

void Totals::add(std::optional<Micros> duration, Outcome outcome, std::uint64_t row_bytes,
                 std::uint64_t row_download_bytes) {
    add(duration, duration ? histogram_bucket(*duration) : 0, outcome, row_bytes, row_download_bytes);
}

void Totals::clear() noexcept {
    Histogram kept = std::move(histogram);
    kept.clear();
    *this = Totals{};
    histogram = std::move(kept);
}

bool Counts::add(std::optional<Micros> duration, Outcome outcome, std::uint64_t row_bytes,
                 std::uint64_t row_download_bytes) {
    ++count;
    if (outcome == Outcome::failed) ++failed;
    if (outcome == Outcome::cancelled) ++cancelled;
    bytes = add_capped(bytes, row_bytes);
    download_bytes = add_capped(download_bytes, row_download_bytes);
    if (!duration) {
        ++unknown_duration;
        return false;
    }
    total_us = add_capped(total_us, *duration);
    max_us = max_us ? std::max(*max_us, *duration) : *duration;
    return true;
}

void Counts::add_cpu(std::optional<std::uint64_t> user_us, std::optional<std::uint64_t> system_us) {
    if (!user_us && !system_us) return;
    ++cpu_rows;
    cpu_user_us = add_capped(cpu_user_us, std::min(user_us.value_or(0), max_row_cpu_us));
    cpu_system_us = add_capped(cpu_system_us, std::min(system_us.value_or(0), max_row_cpu_us));
}

void Counts::merge(const Counts& other) {
    count += other.count;
    failed += other.failed;
    cancelled += other.cancelled;
    unknown_duration += other.unknown_duration;
    total_us = add_capped(total_us, other.total_us);
    if (other.max_us) max_us = max_us ? std::max(*max_us, *other.max_us) : *other.max_us;
    bytes = add_capped(bytes, other.bytes);
    download_bytes = add_capped(download_bytes, other.download_bytes);
    cpu_rows += other.cpu_rows;
    cpu_user_us = add_capped(cpu_user_us, other.cpu_user_us);
    cpu_system_us = add_capped(cpu_system_us, other.cpu_system_us);
}

void Totals::add(std::optional<Micros> duration, int bucket, Outcome outcome, std::uint64_t row_bytes,
                 std::uint64_t row_download_bytes) {
    if (Counts::add(duration, outcome, row_bytes, row_download_bytes)) histogram.add_bucket(bucket, 1);
}

void Totals::merge(const Totals& other) {
    Counts::merge(other);
    histogram.merge(other.histogram);
}

// A sum held at the cap no longer says how much it holds: it stays there until its group is gone.
bool Totals::subtract(const Totals& other) {
    auto fits = [](std::uint64_t sum, std::uint64_t part) { return sum == sum_cap || part <= sum; };
    if (other.count > count || other.failed > failed || other.cancelled > cancelled ||
        other.unknown_duration > unknown_duration || !fits(bytes, other.bytes) ||
        !fits(download_bytes, other.download_bytes) || other.cpu_rows > cpu_rows ||
        !fits(cpu_user_us, other.cpu_user_us) || !fits(cpu_system_us, other.cpu_system_us))
        return false;
    Histogram remaining = histogram;
    if (!remaining.subtract(other.histogram)) return false;
    count -= other.count;
    failed -= other.failed;
    cancelled -= other.cancelled;
    unknown_duration -= other.unknown_duration;
    if (total_us != INT64_MAX) total_us -= other.total_us;
    if (bytes != sum_cap) bytes -= other.bytes;
    if (download_bytes != sum_cap) download_bytes -= other.download_bytes;
    cpu_rows -= other.cpu_rows;
    if (cpu_user_us != sum_cap) cpu_user_us -= other.cpu_user_us;
    if (cpu_system_us != sum_cap) cpu_system_us -= other.cpu_system_us;
    histogram = std::move(remaining);
    return true;
}

std::string figure_columns_of(const std::string& alias) {
    std::string columns;
    std::string_view all = figure_columns;
    while (!all.empty()) {
        auto comma = all.find(", ");
        columns += (columns.empty() ? "" : ", ") + alias + "." + std::string(all.substr(0, comma));
        all = comma == std::string_view::npos ? std::string_view() : all.substr(comma + 2);
    }
    return columns;
}

const char* table_name(AggregateTable table) {
    switch (table) {
        case AggregateTable::day: return "day_totals";
        case AggregateTable::name: return "name_totals";
    }
    return "";
}

const char* key_columns(AggregateTable table) {
    switch (table) {
        case AggregateTable::day: return "day, kind";
        case AggregateTable::name: return "kind, name_id";
    }
    return "";
}

int bind_key(sql::Statement& statement, AggregateTable table, const AggregateKey& key, int first) {
    switch (table) {
        case AggregateTable::day:
            statement.bind(first, std::int64_t{key.day}).bind(first + 1, std::int64_t{key.kind});
            return first + 2;
        case AggregateTable::name:
            statement.bind(first, std::int64_t{key.kind}).bind(first + 1, key.name_id);
            return first + 2;
    }
    return first;
}

int bind_totals(sql::Statement& statement, const Totals& totals, int first) {
    // SQLite integers are signed 64-bit: unsigned counters are stored bit for bit.
    statement.bind(first, static_cast<std::int64_t>(totals.count));
    statement.bind(first + 1, static_cast<std::int64_t>(totals.failed));
    statement.bind(first + 2, static_cast<std::int64_t>(totals.cancelled));
    statement.bind(first + 3, static_cast<std::int64_t>(totals.unknown_duration));
    statement.bind(first + 4, totals.total_us);
    statement.bind(first + 5, totals.max_us);
    statement.bind(first + 6, static_cast<std::int64_t>(std::min(totals.bytes, sum_cap)));
    statement.bind(first + 7, static_cast<std::int64_t>(std::min(totals.download_bytes, sum_cap)));
    statement.bind_blob(first + 8, totals.histogram.encode());
    statement.bind(first + 9, static_cast<std::int64_t>(totals.cpu_rows));
    statement.bind(first + 10, static_cast<std::int64_t>(std::min(totals.cpu_user_us, sum_cap)));
    statement.bind(first + 11, static_cast<std::int64_t>(std::min(totals.cpu_system_us, sum_cap)));
    return first + figure_column_count;
}

Totals EncodedTotals::decode() const {
    Totals totals;
    static_cast<Counts&>(totals) = *this;
    totals.histogram = Histogram::decode(histogram);
    return totals;
}

EncodedTotals read_encoded_totals(const sql::Statement& statement, int first) {
    EncodedTotals totals;
    totals.count = static_cast<std::uint64_t>(statement.column_int(first));
    totals.failed = static_cast<std::uint64_t>(statement.column_int(first + 1));
    totals.cancelled = static_cast<std::uint64_t>(statement.column_int(first + 2));
    totals.unknown_duration = static_cast<std::uint64_t>(statement.column_int(first + 3));
    totals.total_us = statement.column_int(first + 4);
    if (!statement.column_is_null(first + 5)) totals.max_us = statement.column_int(first + 5);
    totals.bytes = static_cast<std::uint64_t>(statement.column_int(first + 6));
    totals.download_bytes = static_cast<std::uint64_t>(statement.column_int(first + 7));
    totals.histogram = statement.column_blob(first + 8);
    totals.cpu_rows = static_cast<std::uint64_t>(statement.column_int(first + 9));
    totals.cpu_user_us = static_cast<std::uint64_t>(statement.column_int(first + 10));
    totals.cpu_system_us = static_cast<std::uint64_t>(statement.column_int(first + 11));
    return totals;
}

Totals read_totals(const sql::Statement& statement, int first) {
    return read_encoded_totals(statement, first).decode();
}

namespace {

std::string placeholders(int count) {
    std::string text;
    for (int i = 0; i < count; ++i) text += i == 0 ? "?" : ", ?";
    return text;
}

constexpr int key_count = 2;

std::string key_condition(AggregateTable table) {
    switch (table) {
        case AggregateTable::day: return "day = ?1 AND kind = ?2";
        case AggregateTable::name: return "kind = ?1 AND name_id = ?2";
    }
    return "";
}

}  // namespace

std::string capped_sum(const std::string& column) {
    return column + " = CASE WHEN excluded." + column + " > 0 AND " + column + " > 9223372036854775807 - excluded." +
           column + " THEN 9223372036854775807 ELSE " + column + " + excluded." + column + " END";
}

std::string aggregate_upsert_sql(AggregateTable table) {
    return std::string("INSERT INTO ") + table_name(table) + " (" + key_columns(table) + ", " +
           figure_columns + ") VALUES (" + placeholders(key_count + figure_column_count) +
           ") ON CONFLICT DO UPDATE SET count = count + excluded.count, failed = failed + excluded.failed, "
           "cancelled = cancelled + excluded.cancelled, "
           "unknown_duration = unknown_duration + excluded.unknown_duration, " +
           capped_sum("total_us") + ", " +
           // two-argument max() is NULL if either side is: coalesce keeps the known one
           "max_us = max(coalesce(max_us, excluded.max_us), coalesce(excluded.max_us, max_us)), " +
           capped_sum("bytes") + ", " + capped_sum("download_bytes") + ", " +
           "histogram = nod_histogram_merge(histogram, excluded.histogram), cpu_rows = cpu_rows + excluded.cpu_rows, " +
           capped_sum("cpu_user_us") + ", " + capped_sum("cpu_system_us");
}

std::string aggregate_select_sql(AggregateTable table) {
    return std::string("SELECT ") + figure_columns + " FROM " + table_name(table) + " WHERE " +
           key_condition(table);
}

std::string aggregate_replace_sql(AggregateTable table) {
    return std::string("INSERT OR REPLACE INTO ") + table_name(table) + " (" + key_columns(table) + ", " +
           figure_columns + ") VALUES (" + placeholders(key_count + figure_column_count) + ")";
}

std::string aggregate_delete_sql(AggregateTable table) {
    return std::string("DELETE FROM ") + table_name(table) + " WHERE " + key_condition(table);
}

}  // namespace nod::store
