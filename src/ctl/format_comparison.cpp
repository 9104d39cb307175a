#include "ctl/format_comparison.hpp"

#include <cmath>

#include "ctl/format_csv.hpp"
#include "ctl/format_figures.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

namespace {

std::string label_of(const ComparisonRow& r, bool grouped) {
    return grouped ? r.kind + " " + r.name : r.kind;
}

}  // namespace

std::string comparison_table(const ComparisonResult& result, const ViewOptions& view) {
    std::vector<Column> columns = {{"KIND", Align::left}};
    if (result.grouped) columns.push_back({"NAME", Align::left});
    for (const char* h : {"OLD MEDIAN", "NEW MEDIAN", "CHANGE", "P", "N"})
        columns.push_back({h, Align::right});
    Table table(columns);
    for (const auto& r : result.rows) {
        std::vector<Cell> cells = {{r.kind}};
        // Grouped answers also compare each kind as a whole: its row has no name.
        if (result.grouped) cells.push_back({r.name.empty() ? "(all)" : r.name});
        cells.push_back({human_duration(r.median_old_seconds)});
        cells.push_back({human_duration(r.median_new_seconds)});
        if (r.significant && !std::isnan(r.change_percent)) {
            cells.push_back(
                {signed_percent(r.change_percent), r.change_percent > 0 ? Style::red : Style::green});
        } else {
            cells.push_back({"~"});
        }
        cells.push_back({p_value_text(result.grouped ? r.p_adjusted : r.p_value)});
        cells.push_back({std::to_string(r.n_old) + "+" + std::to_string(r.n_new)});
        table.add_row(std::move(cells));
    }
    std::string out = table.render(view.legend, view.color);
    if (view.legend) {
        out +=
            "\nold: " + window_text(result.old_window) + ", new: " + window_text(result.new_window) + ".\n";
        out += std::string("P: two-sided Mann-Whitney U") +
               (result.grouped ? ", Holm-adjusted across names" : "") +
               "; ~: no significant change (P >= 0.05); N: old+new samples.\n";
    }
    return out;
}

std::string comparison_csv(const ComparisonResult& result) {
    std::vector<std::string> header = {"kind"};
    if (result.grouped) header.push_back("name");
    for (const char* f :
         {"n_old", "n_new", "median_old_seconds", "median_new_seconds", "change_percent", "p_value",
          "p_adjusted", "significant", "too_few_samples", "method", "cliffs_delta", "shift_seconds"})
        header.push_back(f);
    std::string out = csv_record(header);
    for (const auto& r : result.rows) {
        std::vector<std::string> f = {r.kind};
        if (result.grouped) f.push_back(r.name);
        f.push_back(std::to_string(r.n_old));
        f.push_back(std::to_string(r.n_new));
        f.push_back(machine_seconds(r.median_old_seconds));
        f.push_back(machine_seconds(r.median_new_seconds));
        for (double v : {r.change_percent, r.p_value, r.p_adjusted}) f.push_back(machine_number(v));
        f.push_back(r.significant ? "true" : "false");
        f.push_back(r.too_few_samples ? "true" : "false");
        f.push_back(r.method);
        f.push_back(machine_number(r.cliffs_delta));
        f.push_back(machine_seconds(r.shift_seconds));
        out += csv_record(f);
    }
    return out;
}

std::vector<std::string> comparison_warnings(const ComparisonResult& result) {
    std::vector<const ComparisonRow*> few;
    for (const auto& r : result.rows)
        if (r.too_few_samples && r.n_old + r.n_new > 0) few.push_back(&r);  // nothing ran: nothing to say
    std::vector<std::string> out;
    const std::string advice = "; compare longer windows with --days or --months";
    if (few.size() > 3) {
        out.push_back("warning: " + std::to_string(few.size()) + " of " + std::to_string(result.rows.size()) +
                      " comparisons have too few samples for any change to be significant" + advice);
    } else {
        for (const ComparisonRow* r : few) {
            out.push_back("warning: " + label_of(*r, result.grouped) + ": too few samples (" +
                          std::to_string(r->n_old) + " old, " + std::to_string(r->n_new) +
                          " new) for any change to be significant" + advice);
        }
    }
    return out;
}

}  // namespace nod::ctl
