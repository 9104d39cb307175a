#include "store/name_deltas.hpp"


#include "store/aggregate_key.hpp"
#include "store/error.hpp"
#include "store/varint.hpp"

namespace nod::store {

namespace {

constexpr const char* deltas_what = "pending name totals";

std::uint64_t zigzag(std::int64_t value) {
    return (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
}

std::int64_t unzigzag(std::uint64_t value) {
    return static_cast<std::int64_t>(value >> 1) ^ -static_cast<std::int64_t>(value & 1);
}

[[noreturn]] void malformed() {
    throw Error(ErrorCode::not_a_database, std::string("malformed ") + deltas_what + " in database");
}

}  // namespace

void check_name_delta_format(std::int64_t format) {
    if (format != name_delta_format_3 && format != name_delta_format)
        throw Error(ErrorCode::not_a_database,
                    std::string(deltas_what) + " in database have format " + std::to_string(format) +
                        ", this nod reads 3 and 4");
}

void encode_name_delta(int kind, std::int64_t name_id, const Totals& t, std::vector<std::uint8_t>& out,
                       int format) {
    put_varint(out, static_cast<std::uint64_t>(kind));
    put_varint(out, static_cast<std::uint64_t>(name_id));
    put_varint(out, t.count);
    put_varint(out, t.failed);
    put_varint(out, t.cancelled);
    put_varint(out, t.unknown_duration);
    put_varint(out, zigzag(t.total_us));
    put_varint(out, t.max_us ? zigzag(*t.max_us) + 1 : 0);  // 0: no row had a duration
    put_varint(out, t.bytes);
    put_varint(out, t.download_bytes);
    thread_local std::vector<std::uint8_t> histogram;  // reused: no allocation per group
    histogram.clear();
    t.histogram.encode_to(histogram);
    put_varint(out, histogram.size());
    out.insert(out.end(), histogram.begin(), histogram.end());
    if (format == name_delta_format_3) return;
    put_varint(out, t.cpu_rows);
    put_varint(out, t.cpu_user_us);
    put_varint(out, t.cpu_system_us);
}

void decode_name_delta(std::span<const std::uint8_t> blob, std::int64_t format, std::size_t& pos, int& kind,
                       std::int64_t& name_id, EncodedTotals& totals) {
    std::uint64_t raw_kind = get_varint(blob, pos, deltas_what);
    std::uint64_t raw_name = get_varint(blob, pos, deltas_what);
    if (raw_kind > max_kind || raw_name > static_cast<std::uint64_t>(max_name_id)) malformed();
    kind = static_cast<int>(raw_kind);
    name_id = static_cast<std::int64_t>(raw_name);
    totals.count = get_varint(blob, pos, deltas_what);
    totals.failed = get_varint(blob, pos, deltas_what);
    totals.cancelled = get_varint(blob, pos, deltas_what);
    totals.unknown_duration = get_varint(blob, pos, deltas_what);
    totals.total_us = unzigzag(get_varint(blob, pos, deltas_what));
    std::uint64_t max = get_varint(blob, pos, deltas_what);
    totals.max_us = max != 0 ? std::optional<Micros>(unzigzag(max - 1)) : std::nullopt;
    totals.bytes = get_varint(blob, pos, deltas_what);
    totals.download_bytes = get_varint(blob, pos, deltas_what);
    std::uint64_t histogram_size = get_varint(blob, pos, deltas_what);
    if (histogram_size > blob.size() - pos) malformed();
    totals.histogram = blob.subspan(pos, histogram_size);
    pos += histogram_size;
    if (format == name_delta_format_3) {
        totals.cpu_rows = totals.cpu_user_us = totals.cpu_system_us = 0;
        return;
    }
    totals.cpu_rows = get_varint(blob, pos, deltas_what);
    totals.cpu_user_us = get_varint(blob, pos, deltas_what);
    totals.cpu_system_us = get_varint(blob, pos, deltas_what);
}

void decode_name_deltas(std::span<const std::uint8_t> blob, std::int64_t format, const NameDeltaVisitor& visit) {
    check_name_delta_format(format);
    std::size_t pos = 0;
    int kind = 0;
    std::int64_t name_id = 0;
    EncodedTotals totals;
    while (pos < blob.size()) {
        decode_name_delta(blob, format, pos, kind, name_id, totals);
        visit(kind, name_id, totals);
    }
}

void for_each_pending_name_delta(const Database& db, const NameDeltaVisitor& visit) {
    auto pending = db.prepare("SELECT format, deltas FROM name_pending ORDER BY seq");
    while (pending.step())
        decode_name_deltas(pending.column_blob(1), pending.column_int(0), visit);
}

}  // namespace nod::store
