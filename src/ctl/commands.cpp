#include "ctl/commands.hpp"

#include <chrono>

#include "ctl/atomic_file.hpp"
#include "ctl/bus_client.hpp"
#include "ctl/bus_connection.hpp"
#include "ctl/format_chart.hpp"
#include "ctl/format_comparison.hpp"
#include "ctl/format_caches.hpp"
#include "ctl/format_estimate.hpp"
#include "ctl/format_running.hpp"
#include "ctl/top.hpp"
#include "ctl/format_figures.hpp"
#include "ctl/format_json.hpp"
#include "ctl/terminal.hpp"
#include "ctl/users.hpp"
#include "metrics/collector_source.hpp"
#include "metrics/exposition.hpp"

namespace nod::ctl {

namespace {

ViewOptions view_of(const Invocation& inv) {
    ViewOptions v;
    v.legend = inv.legend;
    v.color = want_color(inv.no_color);
    v.unicode = utf8_locale();
    v.width = terminal_width();
    return v;
}

std::string answer(const Invocation& inv, BusClient& bus, std::ostream& err) {
    const Filters& f = inv.filters;
    switch (inv.command) {
    case Command::stats: {
        auto r = bus.stats(f);
        if (r.group_by == GroupBy::user) {
            UserNames names;
            for (auto& row : r.rows) row.user = names.of(row.uid);
        }
        if (inv.output == Output::csv) return stats_csv(r);
        if (inv.output == Output::json) return stats_json(r);
        return stats_table(r, view_of(inv));
    }
    case Command::bucket: {
        auto r = bus.bucket(inv.unit, f);
        if (inv.output == Output::csv) return bucket_csv(r);
        if (inv.output == Output::json) return bucket_json(r);
        if (inv.output == Output::chart) return bucket_chart(r, view_of(inv));
        return bucket_table(r, view_of(inv));
    }
    case Command::test: {
        auto r = bus.test(f);
        if (inv.output == Output::csv) return comparison_csv(r);
        if (inv.output == Output::json) return comparison_json(r);
        for (const auto& w : comparison_warnings(r)) err << "nodctl: " << w << "\n";
        return comparison_table(r, view_of(inv));
    }
    case Command::running: {
        auto r = bus.running(f);
        UserNames names;
        for (auto& row : r.rows) row.user = names.of(row.uid);
        if (inv.output == Output::csv) return running_csv(r);
        if (inv.output == Output::json) return running_json(r);
        return running_table(r, view_of(inv));
    }
    case Command::estimate: {
        auto r = bus.estimate(inv.names, f);
        if (inv.output == Output::csv) return estimate_csv(r);
        if (inv.output == Output::json) return estimate_json(r);
        return estimate_table(r, view_of(inv));
    }
    case Command::caches: {
        auto r = bus.caches(f);
        if (inv.output == Output::csv) return caches_csv(r);
        if (inv.output == Output::json) return caches_json(r);
        return caches_table(r, view_of(inv));
    }
    case Command::top: break;      // run() hands it to run_top
    case Command::metrics: break;  // and this to run_metrics
    case Command::clean: {
        auto n = bus.clean(f);
        std::string what = f.before_days ? " older than the last " + std::to_string(*f.before_days) + " days" : "";
        return "Deleted " + std::to_string(n) + (n == 1 ? " row" : " rows") + what + ".\n";
    }
    }
    return {};
}

// The exposition is printed (or written) also when the collector did not answer: nod_up 0 is what a
// textfile collector should then show. The exit status says it too.
int run_metrics(const Invocation& inv, std::ostream& out, std::ostream& err) {
    metrics::CollectorSource source([&inv] { return connect_bus(inv.bus, inv.address); }, std::chrono::seconds(25));
    metrics::Snapshot snapshot = source.fetch();
    std::string text = metrics::render(snapshot, inv.openmetrics ? metrics::Format::openmetrics : metrics::Format::text);
    if (inv.file.empty()) {
        out << text << std::flush;
        if (!out) {
            err << "nodctl: cannot write the output\n";
            return 1;
        }
    } else {
        write_file_atomically(inv.file, text);
    }
    if (!snapshot.up) {
        err << "nodctl: nod-collector did not answer, so nod_up is 0: " << snapshot.error << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

int run(const Invocation& inv, std::ostream& out, std::ostream& err) {
    try {
        if (inv.command == Command::metrics) return run_metrics(inv, out, err);
        BusClient bus(inv.bus, inv.address);
        if (inv.command == Command::top) return run_top(inv, bus, view_of(inv), out);
        out << answer(inv, bus, err) << std::flush;
        if (!out) {
            err << "nodctl: cannot write the output\n";
            return 1;
        }
        return 0;
    } catch (const BusError& e) {
        err << describe_failure(e.failure, inv.command, inv.bus, inv.address) << "\n";
    } catch (const std::exception& e) {
        err << "nodctl: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace nod::ctl
