#include "ctl/format_estimate.hpp"

#include "ctl/format_csv.hpp"
#include "ctl/format_figures.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

std::string estimate_table(const EstimateResult& result, const ViewOptions& view) {
    Table table({{"NAME", Align::left},
                 {"MEDIAN", Align::right},
                 {"P90", Align::right},
                 {"LAST", Align::right},
                 {"RUNS", Align::right},
                 {"FROM", Align::left}});
    bool from_package = false;
    for (const auto& r : result.rows) {
        std::string from = r.basis == "name" ? "this name" : r.basis == "package" ? "other versions" : "no history";
        from_package = from_package || r.basis == "package";
        table.add_row({{r.name},
                       {human_duration(r.median_seconds)},
                       {human_duration(r.p90_seconds)},
                       {human_duration(r.last_seconds)},
                       {std::to_string(r.count)},
                       {from}});
    }
    std::string out = table.render(view.legend, view.color);
    if (view.legend) {
        out += "\nSuccessful " + result.kind + "s on this machine, all stored days";
        out += from_package ? "; other versions: the name never ran, other versions of its package did.\n" : ".\n";
    }
    return out;
}

std::string estimate_csv(const EstimateResult& result) {
    std::string out = csv_record({"name", "basis", "count", "median_seconds", "p90_seconds", "last_seconds"});
    for (const auto& r : result.rows)
        out += csv_record({r.name, r.basis, std::to_string(r.count), machine_seconds(r.median_seconds),
                           machine_seconds(r.p90_seconds), machine_seconds(r.last_seconds)});
    return out;
}

}  // namespace nod::ctl
