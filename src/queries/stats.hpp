// `stats`: totals per kind over a window, optionally only for names containing a substring, optionally
// per derivation name. Reads only aggregates: O(days) per kind, O(matching names) with a filter.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "queries/figures.hpp"
#include "queries/row_filter.hpp"
#include "queries/window.hpp"
#include "reader/row.hpp"
#include "store/database.hpp"

namespace nod::queries {

enum class SortBy { count, time, name };  // count and time descending, name ascending

// What a grouped answer has a row for: a derivation name, the user the rows are for (labelled by uid), the
// machine (a build's remote builder, a substitution's substituter, a copy's peer; "" for this machine), or
// the substituter (substitutions only).
enum class GroupBy { none, name, user, machine, substituter };

struct StatsRequest {
    Window window{};
    std::string name_filter{};  // literal substring of the derivation name; empty = every row
    RowFilter filter{};
    GroupBy group_by = GroupBy::none;
    SortBy sort = SortBy::count;
    std::size_t limit = 0;  // per kind, when grouping; 0 = no limit
};

struct KindFigures {
    Kind kind = Kind::build;
    Figures figures;
};

struct NameFigures {
    Kind kind = Kind::build;
    std::string name;  // the group's label: a derivation name, a uid in decimal, or a machine
    Figures figures;
};

struct StatsResult {
    DayRange days;
    std::vector<KindFigures> kinds;  // every kind, in Kind order, zeros where nothing ran
    std::vector<NameFigures> names;  // when grouping: per kind (in Kind order), sorted, at most `limit` each
};

StatsResult stats(const store::Database& db, const StatsRequest& request, Micros now);

}  // namespace nod::queries
