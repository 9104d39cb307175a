#include "queries/names.hpp"

namespace nod::queries {

NameMap matching_names(const store::Database& db, std::string_view needle) {
    auto statement = db.prepare("SELECT id, name FROM names WHERE ?1 = '' OR instr(name, ?1) > 0");
    statement.bind(1, needle);
    NameMap names;
    while (statement.step()) names.emplace(statement.column_int(0), std::string(statement.column_text(1)));
    return names;
}

NameMap machine_names(const store::Database& db) {
    NameMap names{{this_machine_id, ""}};
    auto all = db.prepare("SELECT id, machine FROM machines");
    while (all.step()) names.emplace(all.column_int(0), std::string(all.column_text(1)));
    return names;
}

}  // namespace nod::queries
