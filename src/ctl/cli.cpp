#include "ctl/cli.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>

#include <boost/program_options.hpp>

namespace nod::ctl {

namespace po = boost::program_options;

namespace {

constexpr std::array command_names = {"stats",   "bucket", "test",   "clean",  "estimate",
                                      "running", "top",    "caches", "metrics"};
constexpr std::array commands = {Command::stats,   Command::bucket, Command::test,   Command::clean,  Command::estimate,
                                 Command::running, Command::top,    Command::caches, Command::metrics};

po::options_description global_options() {
    po::options_description d("Options");
    d.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("bus", po::value<std::string>()->value_name("system|session"),
         "the bus where nod-collector is (default: system; DBUS_SYSTEM_BUS_ADDRESS is honoured)")
        ("address", po::value<std::string>()->value_name("ADDR"), "connect to the bus at this D-Bus address")
        ("no-legend", "no header line, total row or footer")
        ("no-color", "no colours (also when NO_COLOR is set, or output is not a terminal)");
    return d;
}

po::options_description window_options(Command c) {
    po::options_description d("Options of " + command_name(c));
    d.add_options()
        ("days", po::value<std::string>()->value_name("N"), "the last N local days, today included")
        ("months", po::value<std::string>()->value_name("N"), "this calendar month and the N-1 before it")
        ("drv", po::value<std::string>()->value_name("TEXT"), "only derivation names containing TEXT, literally")
        ("kind", po::value<std::string>()->value_name("KIND"), "build, substitute, copy or post-build-hook only")
        ("user", po::value<std::string>()->value_name("NAME|UID"),
         "only rows for this user (a name or a uid)")
        ("trusted", "only rows that root's connections reported")
        ("machine", po::value<std::string>()->value_name("NAME"),
         "only rows of this remote builder, substituter or copy peer (\"\" for this machine)")
        ("substituter", po::value<std::string>()->value_name("URI"), "only substitutions from this substituter");
    return d;
}

po::options_description command_options(Command c) {
    po::options_description d = window_options(c);
    switch (c) {
    case Command::stats:
        d.add_options()
            ("group", "one row per derivation name (--group-by name)")
            ("group-by", po::value<std::string>()->value_name("name|user|machine|substituter"),
             "one row per derivation name, user, machine or substituter")
            ("sort", po::value<std::string>()->value_name("count|time|name"),
             "order of grouped rows (default count; count and time descending)")
            ("limit", po::value<std::string>()->value_name("N"), "at most N grouped rows per kind (0: no limit)")
            ("output,o", po::value<std::string>()->value_name("FORMAT"),
             "table (default), csv, json, or test: this window against the one before it");
        break;
    case Command::bucket:
        d.add_options()
            ("output,o", po::value<std::string>()->value_name("FORMAT"), "table (default), csv, json or chart");
        break;
    case Command::test:
        d.add_options()
            ("group", "compare each derivation name (Holm-corrected)")
            ("output,o", po::value<std::string>()->value_name("FORMAT"), "table (default), csv or json");
        break;
    case Command::estimate: {
        po::options_description e_opts("Options of estimate");
        e_opts.add_options()
            ("kind", po::value<std::string>()->value_name("KIND"),
             "estimate this kind: build (default), substitute, copy or post-build-hook")
            ("user", po::value<std::string>()->value_name("NAME|UID"), "only runs for this user (a name or a uid)")
            ("trusted", "only runs that root's connections reported")
            ("output,o", po::value<std::string>()->value_name("FORMAT"), "table (default), csv or json");
        return e_opts;
    }
    case Command::running: {
        po::options_description r_opts("Options of running");
        r_opts.add_options()
            ("kind", po::value<std::string>()->value_name("KIND"), "build, substitute, copy or post-build-hook only")
            ("user", po::value<std::string>()->value_name("NAME|UID"), "only what runs for this user (a name or a uid)")
            ("trusted", "only what root's connections reported, and expectations from such history")
            ("limit", po::value<std::string>()->value_name("N"), "at most N rows, the earliest started (1-1000)")
            ("output,o", po::value<std::string>()->value_name("FORMAT"), "table (default), csv or json");
        return r_opts;
    }
    case Command::caches: {
        po::options_description c_opts("Options of caches");
        c_opts.add_options()
            ("days", po::value<std::string>()->value_name("N"), "the last N local days, today included")
            ("months", po::value<std::string>()->value_name("N"), "this calendar month and the N-1 before it")
            ("user", po::value<std::string>()->value_name("NAME|UID"), "only rows for this user (a name or a uid)")
            ("trusted", "only rows that root's connections reported")
            ("output,o", po::value<std::string>()->value_name("FORMAT"), "table (default), csv or json");
        return c_opts;
    }
    case Command::top: {
        po::options_description t_opts("Options of top");
        t_opts.add_options()
            ("kind", po::value<std::string>()->value_name("KIND"), "build, substitute, copy or post-build-hook only")
            ("user", po::value<std::string>()->value_name("NAME|UID"), "only what runs for this user (a name or a uid)")
            ("trusted", "only what root's connections reported, and expectations from such history")
            ("once", "print one frame and exit (for scripts)");
        return t_opts;
    }
    case Command::metrics: {
        po::options_description m_opts("Options of metrics");
        m_opts.add_options()
            ("output,o", po::value<std::string>()->value_name("FORMAT"),
             "text (Prometheus' text format 0.0.4, the default) or openmetrics (OpenMetrics 1.0.0)")
            ("file", po::value<std::string>()->value_name("FILE"),
             "write FILE (mode 0644) through a temporary file and a rename, so that a reader such as "
             "node_exporter's textfile collector never sees half of it");
        return m_opts;
    }
    case Command::clean: {
        po::options_description c_opts("Options of clean");
        c_opts.add_options()
            ("before-days", po::value<std::string>()->value_name("N"),
             "delete only rows older than the last N days (default: delete everything)");
        return c_opts;
    }
    }
    return d;
}

const char* synopsis(Command c) {
    switch (c) {
    case Command::stats:
        return "Usage: nodctl [OPTIONS] stats [--days N | --months N] [--drv TEXT] [--kind KIND] [--group]\n"
               "                           [--group-by name|user|machine|substituter] [--user NAME|UID] [--trusted]\n"
               "                           [--machine NAME | --substituter URI]\n"
               "                           [--sort count|time|name] [--limit N] [--output table|csv|json|test]\n\n"
               "Totals per kind over a window (all time by default), or per derivation name with --group, or per\n"
               "user, machine or substituter with --group-by.\n";
    case Command::bucket:
        return "Usage: nodctl [OPTIONS] bucket day|week|month [--days N | --months N] [--drv TEXT] [--kind KIND]\n"
               "                           [--user NAME|UID] [--trusted] [--output table|csv|json|chart]\n\n"
               "The figures of stats per day, ISO week or calendar month, oldest first, empty buckets included.\n";
    case Command::test:
        return "Usage: nodctl [OPTIONS] test [--days N | --months N] [--drv TEXT] [--kind KIND] [--group]\n"
               "                          [--user NAME|UID] [--trusted] [--output table|csv|json]\n\n"
               "The window's durations (default: the last 30 days) against the prior window of equal length:\n"
               "medians, change, two-sided Mann-Whitney U p-value. Same as 'nodctl stats --output test'.\n";
    case Command::clean:
        return "Usage: nodctl [OPTIONS] clean [--before-days N]\n\n"
               "Delete the recorded rows (root only).\n";
    case Command::caches:
        return "Usage: nodctl [OPTIONS] caches [--days N | --months N] [--user NAME|UID] [--trusted]\n"
               "                            [--output table|csv|json]\n\n"
               "Per substituter, what it delivered and how fast, and the hit rate: of the store paths realised in\n"
               "the window (all time by default), the share substituted rather than built.\n";
    case Command::metrics:
        return "Usage: nodctl [OPTIONS] metrics [--output text|openmetrics] [--file FILE]\n\n"
               "What nod-exporter serves to Prometheus, once: lifetime counters, the duration histogram, what\n"
               "runs now and the collector's health. With --file, for node_exporter's textfile collector.\n";
    case Command::top:
        return "Usage: nodctl [OPTIONS] top [--kind KIND] [--user NAME|UID] [--trusted] [--once]\n\n"
               "A live view of what runs, updated as it starts and finishes: elapsed against expected, for whom,\n"
               "and the last finished. q or Ctrl-C quits.\n";
    case Command::running:
        return "Usage: nodctl [OPTIONS] running [--kind KIND] [--user NAME|UID] [--trusted] [--limit N]\n"
               "                             [--output table|csv|json]\n\n"
               "What is building, substituting and copying right now, for whom, for how long, and how long its\n"
               "history says it takes.\n";
    case Command::estimate:
        return "Usage: nodctl [OPTIONS] estimate NAME... [--kind KIND] [--user NAME|UID] [--trusted]\n"
               "                              [--output table|csv|json]\n\n"
               "How long each derivation (\"hello-2.12\") is expected to take: the median, p90 and last of its\n"
               "successful runs on this machine, or of its package's other versions when it never ran.\n";
    }
    return "";
}

std::string general_help() {
    std::ostringstream out;
    out << "Usage: nodctl [OPTIONS] [COMMAND] [COMMAND OPTIONS]\n\n"
           "Where Nix time goes: the builds, substitutions and copies nod-collector recorded.\n\n"
           "Commands:\n"
           "  stats                 totals per kind, or per derivation name (the default command)\n"
           "  bucket day|week|month the same figures as a time series\n"
           "  test                  the window against the one before it (benchstat-style)\n"
           "  running               what runs now, for whom, and how long it should take\n"
           "  top                   the same, live and full screen\n"
           "  estimate NAME...      how long each derivation is expected to take, from its history\n"
           "  caches                per substituter, and the hit rate\n"
           "  metrics               the Prometheus exposition nod-exporter serves\n"
           "  clean                 delete recorded rows (root only)\n\n"
        << global_options() << "\nSee 'nodctl COMMAND --help' for a command's options, and nodctl(1).\n";
    return out.str();
}

std::string command_help(Command c) {
    std::ostringstream out;
    out << synopsis(c) << "\n" << command_options(c) << "\n" << global_options() << "\nSee nodctl(1).\n";
    return out.str();
}

std::uint32_t number(const std::string& flag, const std::string& text, std::uint32_t min) {
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min) {
        throw UsageError("nodctl: --" + flag + (min > 0 ? " must be a positive number" : " must be a number") +
                         ", not '" + text + "'");
    }
    return v;
}

std::string one_of(const std::string& flag, const std::string& text, std::initializer_list<const char*> allowed) {
    for (const char* a : allowed)
        if (text == a) return text;
    std::string list;
    std::size_t i = 0;
    for (const char* a : allowed) {
        list += (i == 0 ? "" : (i + 1 == allowed.size() ? " or " : ", ")) + std::string(a);
        ++i;
    }
    throw UsageError("nodctl: --" + flag + " must be " + list + ", not '" + text + "'");
}

Command command_of(const std::string& name) {
    for (std::size_t i = 0; i < command_names.size(); ++i)
        if (name == command_names[i]) return static_cast<Command>(i);
    throw UsageError("nodctl: unknown command '" + name + "'; the commands are stats, bucket, test, running, "
                     "top, estimate, caches, metrics and clean (see 'nodctl --help')");
}

// The stats-only options that people may try elsewhere, for a precise message.
std::string misplaced(Command c, const std::string& option) {
    static const std::array stats_only = {"--group", "--group-by", "--sort", "--limit"};
    if (c == Command::clean) {
        return "nodctl clean: " + option + " is not an option of clean (it takes only --before-days)";
    }
    if (c == Command::estimate) {
        return "nodctl estimate: " + option +
               " is not an option of estimate (it takes --kind, --user, --trusted and --output)";
    }
    if (c == Command::caches) {
        return "nodctl caches: " + option +
               " is not an option of caches (it takes --days, --months, --user, --trusted and --output)";
    }
    if (c == Command::metrics) {
        return "nodctl metrics: " + option + " is not an option of metrics (it takes --output and --file)";
    }
    if (c == Command::top) {
        return "nodctl top: " + option + " is not an option of top (it takes --kind, --user, --trusted and --once)";
    }
    if (c == Command::running) {
        return "nodctl running: " + option +
               " is not an option of running (it takes --kind, --user, --trusted, --limit and --output)";
    }
    if (std::find(stats_only.begin(), stats_only.end(), option) != stats_only.end()) {
        return "nodctl " + command_name(c) + ": " + option + " is not an option of " + command_name(c) +
               " (it belongs to stats" + (option == "--group" ? " and test)" : ")");
    }
    return "nodctl " + command_name(c) + ": unknown option '" + option + "' (see 'nodctl " + command_name(c) +
           " --help')";
}

// Whether `word` is an option whose value is the next word (`--days 7`, `-o json`; not `--days=7`, `-ojson`),
// as the descriptions above say: the global options' or any command's, since the command is not known yet.
bool takes_next_word(const std::string& word) {
    const bool long_name = word.size() > 2 && word.starts_with("--");
    const bool short_name = word.size() == 2 && word[0] == '-' && word[1] != '-';
    if (!long_name && !short_name) return false;
    const std::string name = long_name ? word.substr(2) : word;  // Boost looks short names up with their dash
    auto valued = [&name](const po::options_description& d) {
        const po::option_description* o = d.find_nothrow(name, false);
        return o != nullptr && o->semantic()->max_tokens() > 0;
    };
    if (valued(global_options())) return true;
    for (Command c : commands)
        if (valued(command_options(c))) return true;
    return false;
}

// The command, when one is named, and the other words in their order. The command is the first word that
// is neither an option nor an option's value.
struct Words {
    std::optional<Command> command;
    std::vector<std::string> rest;
};

Words split_command(const std::vector<std::string>& args) {
    Words w;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (w.command || args[i].starts_with("-")) {
            w.rest.push_back(args[i]);
            if (!w.command && takes_next_word(args[i]) && i + 1 < args.size()) w.rest.push_back(args[++i]);
        } else {
            w.command = command_of(args[i]);
        }
    }
    return w;
}

// The words other than the command against the global options and those of command `c`; `named`: the
// command was on the command line, so the messages name it.
po::variables_map parse_options(Command c, bool named, const std::vector<std::string>& words) {
    po::options_description all;
    all.add(global_options()).add(command_options(c));
    po::positional_options_description positional;
    if (c == Command::bucket) {
        po::options_description hidden;  // bucket's positional DAY|WEEK|MONTH needs a name
        hidden.add_options()("unit", po::value<std::string>());
        all.add(hidden);
        positional.add("unit", 1);
    }
    if (c == Command::estimate) {
        po::options_description hidden;
        hidden.add_options()("name", po::value<std::vector<std::string>>());
        all.add(hidden);
        positional.add("name", -1);
    }

    const std::string who = named ? "nodctl " + command_name(c) : std::string("nodctl");
    po::variables_map vm;
    try {
        auto style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
        po::store(po::command_line_parser(words).options(all).positional(positional).style(style).run(), vm);
        po::notify(vm);
    } catch (const po::unknown_option& e) {
        throw UsageError(misplaced(c, e.get_option_name()));
    } catch (const po::too_many_positional_options_error&) {
        throw UsageError(who + ": too many arguments (see '" + who + " --help')");
    } catch (const po::error& e) {
        throw UsageError(who + ": " + e.what() + " (see '" + who + " --help')");
    }
    return vm;
}

std::optional<std::string> text_of(const po::variables_map& vm, const char* flag) {
    if (!vm.count(flag)) return std::nullopt;
    return vm[flag].as<std::string>();
}

void read_connection(const po::variables_map& vm, Invocation& inv) {
    if (auto b = text_of(vm, "bus")) {
        inv.bus = one_of("bus", *b, {"system", "session"}) == "system" ? Bus::system : Bus::session;
    }
    if (auto a = text_of(vm, "address")) {
        if (vm.count("bus")) throw UsageError("nodctl: --bus and --address exclude each other");
        if (a->empty()) {
            throw UsageError(
                "nodctl: --address needs a D-Bus address, e.g. unix:path=/run/dbus/system_bus_socket");
        }
        inv.bus = Bus::address;
        inv.address = *a;
    }
    inv.legend = !vm.count("no-legend");
    inv.no_color = vm.count("no-color") > 0;
}

// --user: a number is a uid; anything else is a name that resolve_user looks up (nothing to say here).
std::optional<std::uint32_t> uid_of(const std::string& text) {
    if (text.empty()) throw UsageError("nodctl: --user needs a user name or a uid");
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    std::uint32_t uid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), uid);
    if (ec != std::errc() || end != text.data() + text.size())
        throw UsageError("nodctl: --user must be a user name or a uid (at most 4294967295), not '" + text + "'");
    return uid;
}

Filters filters_of(const po::variables_map& vm) {
    Filters f;
    if (auto v = text_of(vm, "days")) f.days = number("days", *v, 1);
    if (auto v = text_of(vm, "months")) f.months = number("months", *v, 1);
    if (f.days && f.months) throw UsageError("nodctl: --days and --months exclude each other");
    f.drv = text_of(vm, "drv");
    if (auto v = text_of(vm, "kind"))
        f.kind = one_of("kind", *v, {"build", "substitute", "copy", "post-build-hook"});
    if (auto v = text_of(vm, "user")) {
        f.user = v;
        f.uid = uid_of(*v);
    }
    f.trusted = vm.count("trusted") > 0;
    f.machine = text_of(vm, "machine");
    f.substituter = text_of(vm, "substituter");
    if (f.machine && f.substituter) throw UsageError("nodctl: --machine and --substituter exclude each other");
    if (f.substituter && f.substituter->empty())
        throw UsageError("nodctl: --substituter needs a substituter's URI, e.g. https://cache.nixos.org");
    if (vm.count("group")) f.group_by = GroupBy::name;
    if (auto v = text_of(vm, "group-by")) {
        std::string text = one_of("group-by", *v, {"name", "user", "machine", "substituter"});
        GroupBy by = text == "name" ? GroupBy::name : text == "user" ? GroupBy::user
                     : text == "machine"                         ? GroupBy::machine
                                                                 : GroupBy::substituter;
        if (vm.count("group") && by != GroupBy::name)
            throw UsageError("nodctl: --group and --group-by " + *v + " disagree (--group is --group-by name)");
        f.group_by = by;
    }
    if (auto v = text_of(vm, "sort")) f.sort = one_of("sort", *v, {"count", "time", "name"});
    if (auto v = text_of(vm, "limit")) f.limit = number("limit", *v, 0);
    if (auto v = text_of(vm, "before-days")) f.before_days = number("before-days", *v, 0);
    return f;
}

Output format_of(const std::string& o) {
    if (o == "csv") return Output::csv;
    if (o == "json") return Output::json;
    if (o == "chart") return Output::chart;
    return Output::table;
}

// --output: one of the command's formats, or for stats `test`, which makes it the test command.
void read_output(const std::string& o, Invocation& inv) {
    if (inv.command == Command::metrics) {
        inv.openmetrics = one_of("output", o, {"text", "openmetrics"}) == "openmetrics";
        return;
    }
    if (inv.command == Command::stats && one_of("output", o, {"table", "csv", "json", "test"}) == "test") {
        inv.command = Command::test;
        return;
    }
    if (inv.command == Command::bucket) one_of("output", o, {"table", "csv", "json", "chart"});
    if (inv.command == Command::test || inv.command == Command::estimate || inv.command == Command::running ||
        inv.command == Command::caches)
        one_of("output", o, {"table", "csv", "json"});
    inv.output = format_of(o);
}

// --sort and --limit order and cut the grouped rows of stats; the test comparison groups by name only.
void check_grouping(const Invocation& inv) {
    const Filters& f = inv.filters;
    if (inv.command == Command::test && f.group_by != GroupBy::none && f.group_by != GroupBy::name) {
        throw UsageError("nodctl: --group-by " + std::string(f.group_by == GroupBy::user ? "user" : f.group_by == GroupBy::machine ? "machine" : "substituter") +
                         " does not apply to the test comparison (it compares derivation names: --group)");
    }
    if (!f.sort && !f.limit) return;
    const std::string flag = f.sort ? "--sort" : "--limit";
    if (inv.command == Command::test) {
        throw UsageError("nodctl: " + flag +
                         " does not apply to the test comparison (it compares every name)");
    }
    if (inv.command == Command::running) {
        if (f.sort) throw UsageError("nodctl: --sort does not apply to running (the earliest started come first)");
        if (f.limit && (*f.limit < 1 || *f.limit > 1000))
            throw UsageError("nodctl: --limit of running must be between 1 and 1000, not '" + std::to_string(*f.limit) + "'");
        return;
    }
    if (inv.command == Command::stats && f.group_by == GroupBy::none) {
        throw UsageError("nodctl: " + flag + " orders and cuts grouped rows: add --group");
    }
}

std::string unit_of(const po::variables_map& vm) {
    auto unit = text_of(vm, "unit");
    if (!unit) throw UsageError("nodctl bucket: say which buckets: day, week or month");
    if (*unit != "day" && *unit != "week" && *unit != "month") {
        throw UsageError("nodctl bucket: the unit must be day, week or month, not '" + *unit + "'");
    }
    return *unit;
}

// At least one, at most the collector's 1000, none empty: a mistake here is the command line's.
std::vector<std::string> names_of(const po::variables_map& vm) {
    if (!vm.count("name")) throw UsageError("nodctl estimate: name at least one derivation, e.g. hello-2.12");
    auto names = vm["name"].as<std::vector<std::string>>();
    if (names.size() > 1000)
        throw UsageError("nodctl estimate: at most 1000 names at once, not " + std::to_string(names.size()));
    for (const auto& n : names)
        if (n.empty()) throw UsageError("nodctl estimate: a name is empty");
    return names;
}

}  // namespace

std::string command_name(Command c) { return command_names[static_cast<std::size_t>(c)]; }

Invocation parse_command_line(const std::vector<std::string>& args) {
    const Words words = split_command(args);
    Invocation inv;
    inv.command = words.command.value_or(Command::stats);
    const po::variables_map vm = parse_options(inv.command, words.command.has_value(), words.rest);
    if (vm.count("help")) {
        inv.text = words.command ? command_help(inv.command) : general_help();
        return inv;
    }
    if (vm.count("version")) {
        inv.text = std::string("nodctl ") + NOD_VERSION + "\n";
        return inv;
    }
    read_connection(vm, inv);
    inv.filters = filters_of(vm);
    if (auto o = text_of(vm, "output")) read_output(*o, inv);
    check_grouping(inv);
    if (inv.command == Command::bucket) inv.unit = unit_of(vm);
    if (inv.command == Command::estimate) inv.names = names_of(vm);
    inv.once = vm.count("once") > 0;
    if (auto file = text_of(vm, "file")) {
        if (file->empty()) throw UsageError("nodctl metrics: --file needs a path, e.g. /var/lib/prometheus/node-exporter/nod.prom");
        inv.file = *file;
    }
    return inv;
}

void resolve_user(Invocation& inv, const UserLookup& lookup) {
    Filters& f = inv.filters;
    if (!f.user || f.uid) return;
    f.uid = lookup(*f.user);
    if (!f.uid) throw UsageError("nodctl: no user '" + *f.user + "' on this machine; give a user name or a uid");
}

}  // namespace nod::ctl
