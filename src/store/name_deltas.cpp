#include "store/name_deltas.hpp"

#include <limits>

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

void encode_name_delta(const NameDelta& delta, std::vector<std::uint8_t>& out) {
    const Totals& t = delta.totals;
    put_varint(out, static_cast<std::uint64_t>(delta.kind));
    put_varint(out, static_cast<std::uint64_t>(delta.name_id));
    put_varint(out, t.count);
    put_varint(out, t.failed);
    put_varint(out, t.cancelled);
    put_varint(out, t.unknown_duration);
    put_varint(out, zigzag(t.total_us));
    put_varint(out, t.max_us ? zigzag(*t.max_us) + 1 : 0);  // 0: no row had a duration
    put_varint(out, t.bytes);
    put_varint(out, t.download_bytes);
    std::vector<std::uint8_t> histogram = t.histogram.encode();
    put_varint(out, histogram.size());
    out.insert(out.end(), histogram.begin(), histogram.end());
}

void decode_name_deltas(std::span<const std::uint8_t> blob, const NameDeltaVisitor& visit) {
    std::size_t pos = 0;
    while (pos < blob.size()) {
        std::uint64_t kind = get_varint(blob, pos, deltas_what);
        std::uint64_t name_id = get_varint(blob, pos, deltas_what);
        if (kind > 255 || name_id > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            malformed();
        Totals totals;
        totals.count = get_varint(blob, pos, deltas_what);
        totals.failed = get_varint(blob, pos, deltas_what);
        totals.cancelled = get_varint(blob, pos, deltas_what);
        totals.unknown_duration = get_varint(blob, pos, deltas_what);
        totals.total_us = unzigzag(get_varint(blob, pos, deltas_what));
        std::uint64_t max = get_varint(blob, pos, deltas_what);
        if (max != 0) totals.max_us = unzigzag(max - 1);
        totals.bytes = get_varint(blob, pos, deltas_what);
        totals.download_bytes = get_varint(blob, pos, deltas_what);
        std::uint64_t histogram_size = get_varint(blob, pos, deltas_what);
        if (histogram_size > blob.size() - pos) malformed();
        totals.histogram = Histogram::decode(blob.subspan(pos, histogram_size));
        pos += histogram_size;
        visit(static_cast<int>(kind), static_cast<std::int64_t>(name_id), totals);
    }
}

void for_each_pending_name_delta(const Database& db, const NameDeltaVisitor& visit) {
    auto pending = db.prepare("SELECT deltas FROM name_pending ORDER BY seq");
    while (pending.step()) decode_name_deltas(pending.column_blob(0), visit);
}

}  // namespace nod::store
