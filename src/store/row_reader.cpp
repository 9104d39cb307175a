#include "store/row_reader.hpp"

#include <vector>

#include "store/path_codec.hpp"
#include "store/row_encoding.hpp"

namespace nod::store {

void for_each_row(const Database& db, const std::function<void(const StoredRow&)>& visit, Day first_day,
                  Day last_day) {
    auto statement = db.prepare(
        "SELECT r.id, r.day, r.kind, n.name, r.duration, r.outcome, r.start_offset, r.bytes, r.download_bytes, "
        "coalesce(m.machine, ''), r.uid, r.pid, r.activity_bits, r.path, typeof(r.path) = 'blob', r.direction, "
        "r.user, r.flags, r.status, r.cpu_user_us, r.cpu_system_us FROM rows AS r JOIN names AS n ON n.id = r.name_id LEFT JOIN machines AS m ON m.id = r.machine_id "
        "WHERE r.day BETWEEN ?1 AND ?2 ORDER BY r.id");
    statement.bind(1, std::int64_t{first_day}).bind(2, std::int64_t{last_day});
    StoredRow stored;
    while (statement.step()) {
        stored.id = statement.column_int(0);
        stored.day = static_cast<Day>(statement.column_int(1));
        Row& row = stored.row;
        row.kind = static_cast<Kind>(statement.column_int(2));
        row.name = statement.column_text(3);
        row.duration.reset();
        if (!statement.column_is_null(4)) row.duration = statement.column_int(4);
        row.outcome = static_cast<Outcome>(statement.column_int(5));
        row.start = decode_start(statement.column_int(6), stored.day);
        row.bytes = static_cast<std::uint64_t>(statement.column_int(7));
        row.download_bytes = static_cast<std::uint64_t>(statement.column_int(8));
        row.machine = statement.column_text(9);
        row.uid = static_cast<std::uint32_t>(statement.column_int(10));
        row.pid = static_cast<std::int32_t>(statement.column_int(11));
        row.activity_id = decode_activity(statement.column_int(12), row.pid);
        row.direction = static_cast<Direction>(statement.column_int(15));
        row.user = static_cast<std::uint32_t>(statement.column_int(16));
        decode_flags(statement.column_int(17), row);
        row.status = static_cast<BuildStatus>(statement.column_int(18));
        row.cpu_user_us.reset();
        row.cpu_system_us.reset();
        if (!statement.column_is_null(19)) row.cpu_user_us = static_cast<std::uint64_t>(statement.column_int(19));
        if (!statement.column_is_null(20)) row.cpu_system_us = static_cast<std::uint64_t>(statement.column_int(20));
        if (statement.column_int(14) != 0) {
            row.path = decode_store_path(statement.column_blob(13), row.name);
        } else {
            row.path = statement.column_text(13);
        }
        visit(stored);
    }
}

}  // namespace nod::store
