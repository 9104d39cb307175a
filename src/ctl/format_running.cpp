#include "ctl/format_running.hpp"

#include <cmath>

#include "ctl/format_csv.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

std::string progress_text(const RunningRow& row) {
    if (row.done == 0 && row.expected == 0) return "";
    if (row.kind == "build")
        return std::to_string(row.done) + "/" + std::to_string(row.expected) + " builds";
    return human_bytes(row.done) + "/" + human_bytes(row.expected);
}

std::string running_table(const RunningResult& result, const ViewOptions& view) {
    Table table({{"KIND", Align::left},
                 {"NAME", Align::left},
                 {"USER", Align::left},
                 {"ELAPSED", Align::right},
                 {"EXPECTED", Align::right},
                 {"PHASE", Align::left},
                 {"PROGRESS", Align::left},
                 {"MACHINE", Align::left}});
    for (const auto& r : result.rows) {
        // Past what the history expects: red, as a failure is elsewhere.
        bool late = !std::isnan(r.expected_seconds) && r.elapsed_seconds > r.expected_seconds;
        table.add_row({{r.kind},
                       {r.name},
                       {r.user},
                       {human_duration(r.elapsed_seconds), late ? Style::red : Style::plain},
                       {human_duration(r.expected_seconds)},
                       {r.phase.empty() ? "-" : r.phase},
                       {progress_text(r).empty() ? "-" : progress_text(r)},
                       {r.machine.empty() ? "-" : r.machine}});
    }
    std::string out = table.empty() ? "" : table.render(view.legend, view.color);
    if (view.legend) {
        std::string count = std::to_string(result.in_flight) + (result.in_flight == 1 ? " activity" : " activities");
        out += (table.empty() ? "" : "\n") + count + " in flight";
        if (result.rows.size() < result.in_flight)
            out += ", the " + std::to_string(result.rows.size()) + " started first shown";
        out += ".";
        if (!table.empty()) out += " EXPECTED: the median of the name's successful runs here.";
        out += "\n";
    }
    return out;
}

std::string running_csv(const RunningResult& result) {
    std::string out = csv_record({"kind", "name", "path", "user", "uid", "trusted", "machine", "phase", "started",
                                  "elapsed_seconds", "expected_seconds", "done", "expected"});
    for (const auto& r : result.rows)
        out += csv_record({r.kind, r.name, r.path, r.user, std::to_string(r.uid), r.trusted ? "true" : "false",
                           r.machine, r.phase, machine_seconds(static_cast<double>(r.started_usec) / 1e6),
                           machine_seconds(r.elapsed_seconds), machine_seconds(r.expected_seconds),
                           std::to_string(r.done), std::to_string(r.expected)});
    return out;
}

}  // namespace nod::ctl
