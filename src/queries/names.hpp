// Derivation names matching the user's --drv filter. The filter is a literal substring: it is passed to
// SQLite's instr() as a bound parameter, so %, _, quotes and backslashes are plain characters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.hpp"

namespace nod::queries {

using NameMap = std::unordered_map<std::int64_t, std::string>;

// id -> name of every name that contains `needle` (every name when `needle` is empty). Case-sensitive,
// as store paths are.
NameMap matching_names(const store::Database& db, std::string_view needle);

// Every machine's name by id (remote builders, substituters, copy peers), and "" under
// this_machine_id for rows of this machine (machine_id NULL).
inline constexpr std::int64_t this_machine_id = -1;
NameMap machine_names(const store::Database& db);

}  // namespace nod::queries
