// nodctl's command line and error messages, without a bus.
#include <gtest/gtest.h>

#include "ctl/cli.hpp"
#include "ctl/errors.hpp"

namespace nod::ctl {
namespace {

// The message of the UsageError that `args` cause; "accepted" when they parse.
std::string usage_error(const std::vector<std::string>& args) {
    try {
        parse_command_line(args);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "accepted";
}

TEST(CommandLine, NoCommandIsStats) {
    auto inv = parse_command_line({});
    EXPECT_EQ(inv.command, Command::stats);
    EXPECT_EQ(inv.output, Output::table);
    EXPECT_EQ(inv.bus, Bus::system);
    EXPECT_TRUE(inv.legend);
    EXPECT_FALSE(inv.filters.days);
}

TEST(CommandLine, OptionsAnywhereAndTheirValuesAreNotCommands) {
    auto inv = parse_command_line({"--drv", "bucket", "--no-legend", "stats", "--group", "--sort", "time", "--limit",
                                   "5", "--bus", "session", "-o", "json"});
    EXPECT_EQ(inv.command, Command::stats);
    EXPECT_EQ(inv.filters.drv, "bucket");
    EXPECT_EQ(inv.filters.group_by, GroupBy::name);
    EXPECT_EQ(inv.filters.sort, "time");
    EXPECT_EQ(inv.filters.limit, 5u);
    EXPECT_EQ(inv.bus, Bus::session);
    EXPECT_FALSE(inv.legend);
    EXPECT_EQ(inv.output, Output::json);
}

TEST(CommandLine, BucketTakesItsUnit) {
    auto inv = parse_command_line({"bucket", "week", "--months", "3", "--kind", "build", "--output", "chart"});
    EXPECT_EQ(inv.command, Command::bucket);
    EXPECT_EQ(inv.unit, "week");
    EXPECT_EQ(inv.filters.months, 3u);
    EXPECT_EQ(inv.filters.kind, "build");
    EXPECT_EQ(inv.output, Output::chart);
}

TEST(CommandLine, OutputTestIsTheTestCommand) {
    auto inv = parse_command_line({"stats", "--output=test", "--days=14", "--group"});
    EXPECT_EQ(inv.command, Command::test);
    EXPECT_EQ(inv.output, Output::table);
    EXPECT_EQ(inv.filters.days, 14u);
    EXPECT_EQ(inv.filters.group_by, GroupBy::name);
}

TEST(CommandLine, EstimateTakesNames) {
    auto inv = parse_command_line({"estimate", "hello-2.12", "--trusted", "gcc-13.2.0", "--kind", "substitute", "-o",
                                   "json", "stats"});
    EXPECT_EQ(inv.command, Command::estimate);
    EXPECT_EQ(inv.names, (std::vector<std::string>{"hello-2.12", "gcc-13.2.0", "stats"}))
        << "after the command, a word is a name, even one that is a command's";
    EXPECT_TRUE(inv.filters.trusted);
    EXPECT_EQ(inv.filters.kind, "substitute");
    EXPECT_EQ(inv.output, Output::json);
    EXPECT_TRUE(parse_command_line({"estimate", "--help"}).text->starts_with("Usage: nodctl [OPTIONS] estimate NAME..."));
    EXPECT_EQ(usage_error({"estimate"}), "nodctl estimate: name at least one derivation, e.g. hello-2.12");
    EXPECT_EQ(usage_error({"estimate", ""}), "nodctl estimate: a name is empty");
    EXPECT_EQ(usage_error({"estimate", "x", "--days", "3"}),
              "nodctl estimate: --days is not an option of estimate (it takes --kind, --user, --trusted and --output)");
    EXPECT_EQ(usage_error({"estimate", "x", "-o", "chart"}), "nodctl: --output must be table, csv or json, not 'chart'");
    EXPECT_EQ(usage_error(std::vector<std::string>(1002, "estimate")),
              "nodctl estimate: at most 1000 names at once, not 1001");
}

TEST(CommandLine, RunningTakesFiltersAndALimit) {
    auto inv = parse_command_line({"running", "--kind", "build", "--user", "alice", "--trusted", "--limit", "20", "-o", "csv"});
    EXPECT_EQ(inv.command, Command::running);
    EXPECT_EQ(inv.filters.kind, "build");
    EXPECT_EQ(inv.filters.user, "alice");
    EXPECT_TRUE(inv.filters.trusted);
    EXPECT_EQ(inv.filters.limit, 20u);
    EXPECT_EQ(inv.output, Output::csv);
    EXPECT_EQ(usage_error({"running", "--limit", "0"}), "nodctl: --limit of running must be between 1 and 1000, not '0'");
    EXPECT_EQ(usage_error({"running", "--limit", "1001"}), "nodctl: --limit of running must be between 1 and 1000, not '1001'");
    EXPECT_EQ(usage_error({"running", "--days", "3"}),
              "nodctl running: --days is not an option of running (it takes --kind, --user, --trusted, --limit and --output)");
    EXPECT_EQ(usage_error({"running", "hello"}), "nodctl running: too many arguments (see 'nodctl running --help')");
}

TEST(CommandLine, TopTakesFiltersAndOnce) {
    auto inv = parse_command_line({"top", "--kind", "build", "--once"});
    EXPECT_EQ(inv.command, Command::top);
    EXPECT_TRUE(inv.once);
    EXPECT_EQ(inv.filters.kind, "build");
    EXPECT_FALSE(parse_command_line({"top"}).once);
    EXPECT_EQ(usage_error({"top", "-o", "json"}),
              "nodctl top: -o is not an option of top (it takes --kind, --user, --trusted and --once)");
}

TEST(CommandLine, MachinesAndSubstituters) {
    auto inv = parse_command_line({"stats", "--group-by", "substituter", "--substituter", "https://cache.nixos.org"});
    EXPECT_EQ(inv.filters.group_by, GroupBy::substituter);
    EXPECT_EQ(inv.filters.substituter, "https://cache.nixos.org");
    inv = parse_command_line({"bucket", "day", "--machine", ""});
    EXPECT_EQ(inv.filters.machine, "") << "this machine";
    EXPECT_EQ(parse_command_line({"stats", "--group-by", "machine"}).filters.group_by, GroupBy::machine);
    EXPECT_EQ(usage_error({"stats", "--machine", "a", "--substituter", "b"}), "nodctl: --machine and --substituter exclude each other");
    EXPECT_EQ(usage_error({"stats", "-o", "test", "--group-by", "machine"}),
              "nodctl: --group-by machine does not apply to the test comparison (it compares derivation names: --group)");
}

TEST(CommandLine, CachesTakesAWindowAndWhoseRows) {
    auto inv = parse_command_line({"caches", "--days", "7", "--trusted", "-o", "json"});
    EXPECT_EQ(inv.command, Command::caches);
    EXPECT_EQ(inv.filters.days, 7u);
    EXPECT_TRUE(inv.filters.trusted);
    EXPECT_EQ(inv.output, Output::json);
    EXPECT_EQ(usage_error({"caches", "--group"}),
              "nodctl caches: --group is not an option of caches (it takes --days, --months, --user, --trusted and "
              "--output)");
}

TEST(CommandLine, MetricsTakesAFormatAndAFile) {
    auto inv = parse_command_line({"metrics"});
    EXPECT_EQ(inv.command, Command::metrics);
    EXPECT_FALSE(inv.openmetrics);
    EXPECT_EQ(inv.file, "");
    inv = parse_command_line({"metrics", "-o", "openmetrics", "--file", "/var/lib/x/nod.prom"});
    EXPECT_TRUE(inv.openmetrics);
    EXPECT_EQ(inv.file, "/var/lib/x/nod.prom");
    EXPECT_FALSE(parse_command_line({"metrics", "--output=text"}).openmetrics);
    EXPECT_EQ(usage_error({"metrics", "-o", "json"}), "nodctl: --output must be text or openmetrics, not 'json'");
    EXPECT_EQ(usage_error({"metrics", "--file", ""}),
              "nodctl metrics: --file needs a path, e.g. /var/lib/prometheus/node-exporter/nod.prom");
    EXPECT_EQ(usage_error({"metrics", "--days", "3"}),
              "nodctl metrics: --days is not an option of metrics (it takes --output and --file)");
    EXPECT_EQ(usage_error({"stats", "--file", "x"}).find("accepted"), std::string::npos) << "--file is metrics' own";
}

TEST(CommandLine, CleanAndAddress) {
    auto inv = parse_command_line({"--address", "unix:path=/tmp/bus", "clean", "--before-days", "0"});
    EXPECT_EQ(inv.command, Command::clean);
    EXPECT_EQ(inv.filters.before_days, 0u);
    EXPECT_EQ(inv.bus, Bus::address);
    EXPECT_EQ(inv.address, "unix:path=/tmp/bus");
}

TEST(CommandLine, HelpAndVersionNeedNothingElse) {
    EXPECT_TRUE(parse_command_line({"--version"}).text->starts_with("nodctl "));
    EXPECT_TRUE(parse_command_line({"bucket", "--help"}).text->starts_with("Usage: nodctl [OPTIONS] bucket"));
    EXPECT_TRUE(parse_command_line({"--help"}).text->starts_with("Usage: nodctl [OPTIONS] [COMMAND]"));
}

TEST(CommandLine, NoAbbreviations) {
    EXPECT_THROW(parse_command_line({"stats", "--gro"}), UsageError);
    EXPECT_THROW(parse_command_line({"stats", "--day", "3"}), UsageError);
}

TEST(CommandLine, BadValuesNameTheFlag) {
    auto message = [](std::vector<std::string> args) {
        try {
            parse_command_line(args);
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({"--days", "4294967296"}), "nodctl: --days must be a positive number, not '4294967296'");
    EXPECT_EQ(message({"--days", "+3"}), "nodctl: --days must be a positive number, not '+3'");
    EXPECT_EQ(message({"--days", "3", "--days", "4"}),
              "nodctl: option '--days' cannot be specified more than once (see 'nodctl --help')");
    EXPECT_EQ(message({"--address", ""}), "nodctl: --address needs a D-Bus address, e.g. unix:path=/run/dbus/system_bus_socket");
    EXPECT_EQ(message({"test", "--sort", "time"}),
              "nodctl test: --sort is not an option of test (it belongs to stats)");
}

// What parse_command_line makes of `args`, in one line: the command and every field that is not its
// default, the first line of --help or --version, or the error.
std::string outcome(const std::vector<std::string>& args) {
    Invocation inv;
    try {
        inv = parse_command_line(args);
    } catch (const UsageError& e) {
        return e.what();
    }
    if (inv.text) return "text: " + inv.text->substr(0, inv.text->find('\n'));
    const Filters& f = inv.filters;
    std::string out = command_name(inv.command);
    auto add = [&](bool present, const std::string& field) {
        if (present) out += " " + field;
    };
    const char* outputs[] = {"table", "csv", "json", "chart"};
    add(!inv.unit.empty(), "unit=" + inv.unit);
    add(inv.output != Output::table, std::string("output=") + outputs[static_cast<int>(inv.output)]);
    add(inv.bus == Bus::session, "bus=session");
    add(inv.bus == Bus::address, "address=" + inv.address);
    add(!inv.legend, "no-legend");
    add(inv.no_color, "no-color");
    add(f.days.has_value(), "days=" + std::to_string(f.days.value_or(0)));
    add(f.months.has_value(), "months=" + std::to_string(f.months.value_or(0)));
    add(f.drv.has_value(), "drv=[" + f.drv.value_or("") + "]");
    add(f.kind.has_value(), "kind=" + f.kind.value_or(""));
    add(f.user.has_value(), "user=[" + f.user.value_or("") + "]");
    add(f.uid.has_value(), "uid=" + std::to_string(f.uid.value_or(0)));
    add(f.trusted, "trusted");
    add(f.group_by == GroupBy::name, "group");
    add(f.group_by == GroupBy::user, "group-by=user");
    add(f.sort.has_value(), "sort=" + f.sort.value_or(""));
    add(f.limit.has_value(), "limit=" + std::to_string(f.limit.value_or(0)));
    add(f.before_days.has_value(), "before-days=" + std::to_string(f.before_days.value_or(0)));
    return out;
}

TEST(CommandLine, OptionsBeforeTheCommandKeepTheirValues) {
    EXPECT_EQ(outcome({"--days", "7", "stats"}), "stats days=7");
    EXPECT_EQ(outcome({"--days", "7"}), "stats days=7");
    EXPECT_EQ(outcome({"--days=7", "bucket", "week"}), "bucket unit=week days=7");
    EXPECT_EQ(outcome({"-o", "json", "bucket", "day"}), "bucket unit=day output=json");
    EXPECT_EQ(outcome({"--no-color", "bucket", "month", "--no-legend"}),
              "bucket unit=month no-legend no-color");
    EXPECT_EQ(outcome({"--before-days", "3", "clean"}), "clean before-days=3");
    EXPECT_EQ(outcome({"--address", "unix:path=/x", "--bus=session"}),
              "nodctl: --bus and --address exclude each other");
}

// Every option that takes a value takes the next word, also when that word is a command's name; were it
// taken for the command, each of these would say something else.
TEST(CommandLine, AValueThatLooksLikeACommandIsAValue) {
    EXPECT_EQ(outcome({"--drv", "test"}), "stats drv=[test]");
    EXPECT_EQ(outcome({"--drv", "test", "bucket", "day"}), "bucket unit=day drv=[test]");
    EXPECT_EQ(outcome({"--drv=stats", "bucket", "day"}), "bucket unit=day drv=[stats]");
    EXPECT_EQ(outcome({"--address", "stats", "clean"}), "clean address=stats");
    EXPECT_EQ(outcome({"--bus", "stats"}), "nodctl: --bus must be system or session, not 'stats'");
    EXPECT_EQ(outcome({"--days", "test"}), "nodctl: --days must be a positive number, not 'test'");
    EXPECT_EQ(outcome({"--months", "bucket"}), "nodctl: --months must be a positive number, not 'bucket'");
    EXPECT_EQ(outcome({"--kind", "clean"}),
              "nodctl: --kind must be build, substitute, copy or post-build-hook, not 'clean'");
    EXPECT_EQ(outcome({"--sort", "stats", "--group"}),
              "nodctl: --sort must be count, time or name, not 'stats'");
    EXPECT_EQ(outcome({"--limit", "test", "--group"}), "nodctl: --limit must be a number, not 'test'");
    EXPECT_EQ(outcome({"--output", "bucket"}),
              "nodctl: --output must be table, csv, json or test, not 'bucket'");
    EXPECT_EQ(outcome({"-o", "clean"}), "nodctl: --output must be table, csv, json or test, not 'clean'");
    // Only clean knows --before-days: before a command it still takes its value, and stats refuses it.
    EXPECT_EQ(outcome({"--before-days", "clean"}),
              "nodctl stats: unknown option '--before-days' (see 'nodctl stats --help')");
    // Abbreviations are not options, so their next word is the command.
    EXPECT_TRUE(outcome({"--out", "json"}).starts_with("nodctl: unknown command 'json';"));
}

TEST(CommandLine, AValueMayLookLikeAnOption) {
    EXPECT_EQ(outcome({"--drv", "--frob", "stats"}), "stats drv=[--frob]");
    EXPECT_EQ(outcome({"--drv", "--group", "stats"}), "stats drv=[--group]");
    EXPECT_EQ(outcome({"--drv", "--", "stats"}), "stats drv=[--]");
    EXPECT_EQ(outcome({"--drv", ""}), "stats drv=[]");
    EXPECT_EQ(outcome({"stats", "--days", "--group"}),
              "nodctl: --days must be a positive number, not '--group'");
}

TEST(CommandLine, OutputSpellings) {
    for (std::vector<std::string> args : {std::vector<std::string>{"-o", "json"},
                                          {"-ojson"},
                                          {"--output", "json"},
                                          {"--output=json"},
                                          {"stats", "-o", "json"},
                                          {"-o", "json", "stats"}})
        EXPECT_EQ(outcome(args), "stats output=json") << args[0];
    EXPECT_EQ(outcome({"-o=json"}), "nodctl: --output must be table, csv, json or test, not '=json'");
    EXPECT_EQ(outcome({"test", "-o", "csv", "--group", "--months", "2"}), "test output=csv months=2 group");
    EXPECT_EQ(outcome({"test", "--output", "test"}),
              "nodctl: --output must be table, csv or json, not 'test'");
    EXPECT_EQ(outcome({"-o", "json", "clean"}),
              "nodctl clean: -o is not an option of clean (it takes only --before-days)");
}

TEST(CommandLine, DoubleDashEndsTheOptions) {
    EXPECT_EQ(outcome({"--", "stats"}), "stats");
    EXPECT_EQ(outcome({"stats", "--"}), "stats");
    EXPECT_EQ(outcome({"--", "bucket", "week"}), "bucket unit=week");
    EXPECT_EQ(outcome({"bucket", "--", "week"}), "bucket unit=week");
    EXPECT_EQ(outcome({"bucket", "week", "--"}), "bucket unit=week");
    EXPECT_EQ(outcome({"stats", "--", "--group"}),
              "nodctl stats: too many arguments (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"--", "--days", "3"}), "nodctl: too many arguments (see 'nodctl --help')");
}

TEST(CommandLine, UnknownCommand) {
    const std::string rest = "; the commands are stats, bucket, test, running, top, estimate, caches, metrics and clean (see 'nodctl --help')";
    EXPECT_EQ(outcome({"frob"}), "nodctl: unknown command 'frob'" + rest);
    EXPECT_EQ(outcome({"Stats"}), "nodctl: unknown command 'Stats'" + rest);
    EXPECT_EQ(outcome({"help"}), "nodctl: unknown command 'help'" + rest);
    EXPECT_EQ(outcome({"frob", "--help"}), "nodctl: unknown command 'frob'" + rest);
    EXPECT_EQ(outcome({"--days", "7", "frob"}), "nodctl: unknown command 'frob'" + rest);
    // Without a command, an unknown option is one that stats does not know.
    EXPECT_EQ(outcome({"--frob"}), "nodctl stats: unknown option '--frob' (see 'nodctl stats --help')");
    // bucket's unit is a positional word; no other command takes one (it was accepted silently once).
    EXPECT_EQ(outcome({"stats", "--unit", "week"}), "nodctl stats: unknown option '--unit' (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"test", "--unit=day"}), "nodctl test: unknown option '--unit=day' (see 'nodctl test --help')");
}

TEST(CommandLine, CommandGivenTwice) {
    EXPECT_EQ(outcome({"stats", "stats"}), "nodctl stats: too many arguments (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"stats", "bucket"}), "nodctl stats: too many arguments (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"test", "stats"}), "nodctl test: too many arguments (see 'nodctl test --help')");
    EXPECT_EQ(outcome({"bucket", "day", "bucket"}),
              "nodctl bucket: too many arguments (see 'nodctl bucket --help')");
    EXPECT_EQ(outcome({"bucket", "stats"}),
              "nodctl bucket: the unit must be day, week or month, not 'stats'");
}

TEST(CommandLine, HelpOfEachCommand) {
    const std::string general = "text: Usage: nodctl [OPTIONS] [COMMAND] [COMMAND OPTIONS]";
    EXPECT_EQ(outcome({"-h"}), general);
    EXPECT_EQ(outcome({"--version", "--help"}), general);
    EXPECT_EQ(outcome({"--help", "--days", "0"}), general) << "help before the values are checked";
    EXPECT_EQ(outcome({"--version", "stats", "--days", "0"}), std::string("text: nodctl ") + NOD_VERSION);
    EXPECT_EQ(outcome({"--help", "test"}),
              "text: Usage: nodctl [OPTIONS] test [--days N | --months N] [--drv TEXT] "
              "[--kind KIND] [--group]");
    EXPECT_EQ(outcome({"stats", "-h"}),
              "text: Usage: nodctl [OPTIONS] stats [--days N | --months N] [--drv TEXT] "
              "[--kind KIND] [--group]");
    const std::string bucket =
        "text: Usage: nodctl [OPTIONS] bucket day|week|month [--days N | --months N] "
        "[--drv TEXT] [--kind KIND]";
    EXPECT_EQ(outcome({"bucket", "--help"}), bucket) << "no unit needed";
    EXPECT_EQ(outcome({"bucket", "year", "--help"}), bucket);
    EXPECT_EQ(outcome({"clean", "--help"}), "text: Usage: nodctl [OPTIONS] clean [--before-days N]");
    // An option the command does not know is a mistake even next to --help.
    EXPECT_EQ(outcome({"clean", "--help", "--days", "3"}),
              "nodctl clean: --days is not an option of clean (it takes only --before-days)");
    // Each command's help lists its own options and the global ones, not another command's.
    auto help = [](const char* command) { return *parse_command_line({command, "--help"}).text; };
    for (const char* flag : {"--before-days", "--group", "--sort", "--limit", "--output", "--days"}) {
        EXPECT_EQ(help("clean").find(flag) != std::string::npos, std::string(flag) == "--before-days")
            << flag;
    }
    for (const char* flag : {"--group", "--sort", "--limit"}) {
        EXPECT_NE(help("stats").find(flag), std::string::npos) << flag;
        EXPECT_EQ(help("bucket").find(flag), std::string::npos) << flag;
    }
    EXPECT_NE(help("test").find("--group"), std::string::npos);
    EXPECT_EQ(help("test").find("--sort"), std::string::npos);
    for (const char* command : {"stats", "bucket", "test", "clean"})
        EXPECT_NE(help(command).find("--no-legend"), std::string::npos) << command;
}

TEST(CommandLine, NumbersOutOfRange) {
    EXPECT_EQ(outcome({"--days", "4294967295"}), "stats days=4294967295");
    EXPECT_EQ(outcome({"--months", "007"}), "stats months=7");
    for (const char* text : {"0", "-1", "4294967296", "0x10", " 3", "3 ", ""}) {
        EXPECT_EQ(outcome({"--days", text}),
                  "nodctl: --days must be a positive number, not '" + std::string(text) + "'");
        EXPECT_EQ(outcome({"--months", text}),
                  "nodctl: --months must be a positive number, not '" + std::string(text) + "'");
    }
    EXPECT_EQ(outcome({"stats", "--group", "--limit", "0"}), "stats group limit=0");
    EXPECT_EQ(outcome({"stats", "--group", "--limit", "4294967295"}), "stats group limit=4294967295");
    EXPECT_EQ(outcome({"stats", "--group", "--limit", "4294967296"}),
              "nodctl: --limit must be a number, not '4294967296'");
    EXPECT_EQ(outcome({"stats", "--group", "--limit", "-1"}), "nodctl: --limit must be a number, not '-1'");
    EXPECT_EQ(outcome({"clean", "--before-days", "0"}), "clean before-days=0");
    EXPECT_EQ(outcome({"clean", "--before-days", "-1"}), "nodctl: --before-days must be a number, not '-1'");
}

TEST(CommandLine, SyntaxErrorsNameTheCommandWhenThereIsOne) {
    EXPECT_EQ(
        outcome({"stats", "--days"}),
        "nodctl stats: the required argument for option '--days' is missing (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"--drv"}),
              "nodctl: the required argument for option '--drv' is missing (see 'nodctl --help')");
    EXPECT_EQ(outcome({"--days="}),
              "nodctl: the argument for option '--days' should follow immediately after the "
              "equal sign (see 'nodctl --help')");
    EXPECT_EQ(outcome({"--group=1"}),
              "nodctl: option '--group' does not take any arguments (see 'nodctl --help')");
    EXPECT_EQ(outcome({"--help=1"}),
              "nodctl: option '--help' does not take any arguments (see 'nodctl --help')");
    EXPECT_EQ(
        outcome({"stats", "--output", "test", "--output", "csv"}),
        "nodctl stats: option '--output' cannot be specified more than once (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"-o", "json", "--output", "csv"}),
              "nodctl: option '--output' cannot be specified more than once (see 'nodctl --help')");
    // Another command's option, even without its value: the command's own message.
    EXPECT_EQ(outcome({"bucket", "day", "--limit"}),
              "nodctl bucket: --limit is not an option of bucket (it belongs to stats)");
}

TEST(CommandLine, TheFirstMistakeIsTheOneReported) {
    EXPECT_EQ(outcome({"--bus", "user", "--days", "0"}),
              "nodctl: --bus must be system or session, not 'user'");
    EXPECT_EQ(outcome({"--address", "x", "--bus", "nope"}),
              "nodctl: --bus must be system or session, not 'nope'");
    EXPECT_EQ(outcome({"bucket", "year", "--days", "0"}),
              "nodctl: --days must be a positive number, not '0'");
    EXPECT_EQ(outcome({"bucket", "--days", "3"}), "nodctl bucket: say which buckets: day, week or month");
    EXPECT_EQ(outcome({"bucket", "day", "--group", "--limit"}),
              "nodctl bucket: --group is not an option of bucket (it belongs to stats and test)");
    EXPECT_EQ(outcome({"stats", "-o", "test", "--sort", "time"}),
              "nodctl: --sort does not apply to the test comparison (it compares every name)");
    EXPECT_EQ(outcome({"--limit", "0"}), "nodctl: --limit orders and cuts grouped rows: add --group");
}

TEST(CommandLine, UserAndTrustedForStatsBucketAndTest) {
    EXPECT_EQ(outcome({"stats", "--user", "1000"}), "stats user=[1000] uid=1000");
    EXPECT_EQ(outcome({"--user", "007", "--trusted"}), "stats user=[007] uid=7 trusted");
    EXPECT_EQ(outcome({"--user", "4294967295"}), "stats user=[4294967295] uid=4294967295");
    EXPECT_EQ(outcome({"bucket", "day", "--user", "root"}), "bucket unit=day user=[root]") << "a name: resolved later";
    EXPECT_EQ(outcome({"test", "--trusted", "--user", "alice"}), "test user=[alice] trusted");
    EXPECT_EQ(outcome({"stats", "-o", "test", "--user=0", "--trusted"}), "test user=[0] uid=0 trusted");
    // --user takes the next word, also when it is a command's name or looks like an option.
    EXPECT_EQ(outcome({"--user", "test", "bucket", "week"}), "bucket unit=week user=[test]");
    EXPECT_EQ(outcome({"--user", "-1"}), "stats user=[-1]");
    EXPECT_EQ(outcome({"--user", "4294967296"}),
              "nodctl: --user must be a user name or a uid (at most 4294967295), not '4294967296'");
    EXPECT_EQ(outcome({"--user", ""}), "nodctl: --user needs a user name or a uid");
    EXPECT_EQ(outcome({"stats", "--user"}),
              "nodctl stats: the required argument for option '--user' is missing (see 'nodctl stats --help')");
    EXPECT_EQ(outcome({"--trusted=yes"}),
              "nodctl: option '--trusted' does not take any arguments (see 'nodctl --help')");
    EXPECT_EQ(outcome({"clean", "--user", "0"}),
              "nodctl clean: --user is not an option of clean (it takes only --before-days)");
    EXPECT_EQ(outcome({"clean", "--trusted"}),
              "nodctl clean: --trusted is not an option of clean (it takes only --before-days)");
}

TEST(CommandLine, GroupByNameOrUser) {
    EXPECT_EQ(outcome({"stats", "--group-by", "user"}), "stats group-by=user");
    EXPECT_EQ(outcome({"--group-by=name"}), "stats group") << "--group-by name is --group";
    EXPECT_EQ(outcome({"--group", "--group-by", "name"}), "stats group");
    EXPECT_EQ(outcome({"--group-by", "user", "--group"}),
              "nodctl: --group and --group-by user disagree (--group is --group-by name)");
    EXPECT_EQ(outcome({"--group-by", "size"}), "nodctl: --group-by must be name, user, machine or substituter, not 'size'");
    EXPECT_EQ(outcome({"--group-by", "bucket", "stats"}), "nodctl: --group-by must be name, user, machine or substituter, not 'bucket'");
    EXPECT_EQ(outcome({"--group-by", "user", "--sort", "time", "--limit", "2"}),
              "stats group-by=user sort=time limit=2");
    EXPECT_EQ(outcome({"--user", "0", "--group-by", "user"}), "stats user=[0] uid=0 group-by=user");
    EXPECT_EQ(outcome({"stats", "-o", "test", "--group-by", "name"}), "test group");
    EXPECT_EQ(outcome({"stats", "-o", "test", "--group-by", "user"}),
              "nodctl: --group-by user does not apply to the test comparison (it compares derivation names: "
              "--group)");
    EXPECT_EQ(outcome({"test", "--group-by", "name"}),
              "nodctl test: --group-by is not an option of test (it belongs to stats)");
    EXPECT_EQ(outcome({"bucket", "day", "--group-by", "user"}),
              "nodctl bucket: --group-by is not an option of bucket (it belongs to stats)");
    EXPECT_EQ(outcome({"--group-by", "name", "--group-by", "user"}),
              "nodctl: option '--group-by' cannot be specified more than once (see 'nodctl --help')");
}

TEST(CommandLine, HelpListsTheUserOptions) {
    auto help = [](const char* command) { return *parse_command_line({command, "--help"}).text; };
    for (const char* command : {"stats", "bucket", "test"}) {
        EXPECT_NE(help(command).find("--user NAME|UID"), std::string::npos) << command;
        EXPECT_NE(help(command).find("--trusted"), std::string::npos) << command;
    }
    EXPECT_NE(help("stats").find("--group-by name|user"), std::string::npos);
    EXPECT_EQ(help("bucket").find("--group-by"), std::string::npos);
    EXPECT_EQ(help("test").find("--group-by"), std::string::npos);
    EXPECT_EQ(help("clean").find("--user"), std::string::npos);
}

TEST(CommandLine, UserNamesAreResolvedThroughTheLookup) {
    std::vector<std::string> asked;
    UserLookup lookup = [&asked](const std::string& name) -> std::optional<std::uint32_t> {
        asked.push_back(name);
        if (name == "alice") return 1000;
        return std::nullopt;
    };
    auto inv = parse_command_line({"stats", "--user", "alice"});
    resolve_user(inv, lookup);
    EXPECT_EQ(inv.filters.uid, 1000u);
    EXPECT_EQ(inv.filters.user, "alice");

    inv = parse_command_line({"--user", "1001"});
    resolve_user(inv, lookup);
    EXPECT_EQ(inv.filters.uid, 1001u) << "a number is a uid, never looked up as a name";

    inv = parse_command_line({});
    resolve_user(inv, lookup);
    EXPECT_FALSE(inv.filters.uid);
    EXPECT_EQ(asked, std::vector<std::string>{"alice"});

    inv = parse_command_line({"bucket", "week", "--user", "nosuchuser"});
    try {
        resolve_user(inv, lookup);
        ADD_FAILURE() << "no error";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()), "nodctl: no user 'nosuchuser' on this machine; give a user name or a uid");
    }
}

TEST(FailureMessages, OneLineThatSaysWhatToDo) {
    auto say = [](std::string name, std::string message, Command c = Command::stats, Bus b = Bus::system) {
        return describe_failure({std::move(name), std::move(message)}, c, b, "unix:path=/x");
    };
    const std::string not_running =
        "nodctl: nod-collector is not running on the system bus (net.bergsoe.Nod1 has no owner); start it with "
        "'systemctl start nod-collector.socket' or check 'systemctl status nod-collector'";
    EXPECT_EQ(say("org.freedesktop.DBus.Error.ServiceUnknown", "The name net.bergsoe.Nod1 was not provided"), not_running);
    EXPECT_EQ(say("org.freedesktop.DBus.Error.NameHasNoOwner", ""), not_running);
    EXPECT_EQ(say("org.freedesktop.DBus.Error.ServiceUnknown", "", Command::stats, Bus::session),
              "nodctl: nod-collector is not running on the session bus (net.bergsoe.Nod1 has no owner); start it "
              "with 'nod-collector --bus session'");
    EXPECT_EQ(say("org.freedesktop.DBus.Error.AccessDenied", "Rejected send message", Command::clean),
              "nodctl clean: access denied: run as root");
    EXPECT_EQ(say("org.freedesktop.DBus.Error.AccessDenied", "Rejected\nsend message"),
              "nodctl: access denied by the system bus (Rejected send message); check the bus policy "
              "net.bergsoe.Nod1.conf");
    EXPECT_EQ(say("org.freedesktop.DBus.Error.InvalidArgs", "option 'days' must be between 1 and 100000"),
              "nodctl: the collector refused the options: option 'days' must be between 1 and 100000");
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.Database", "database disk image is malformed."),
              "nodctl: the collector's database failed: database disk image is malformed; see 'journalctl -u "
              "nod-collector'");
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.Busy", "too many queries are waiting; try again in a moment"),
              "nodctl: the collector is busy: too many queries are waiting; try again in a moment");
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.Stopped",
                  "the collector stopped after deleting 3000 rows; call Clean again to delete the rest"),
              "nodctl: the collector stopped after deleting 3000 rows; call Clean again to delete the rest");
    // The collector's own messages for these say how to narrow the query (src/collector/wire.cpp, service.cpp).
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.TooLarge",
                  "the answer would take about 12 MiB, more than the 8 MiB nod sends in one reply: ask for fewer "
                  "groups (a limit), a drv filter, a kind or fewer days"),
              "nodctl: the answer is too large: the answer would take about 12 MiB, more than the 8 MiB nod sends "
              "in one reply: ask for fewer groups (a limit), a drv filter, a kind or fewer days");
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.TooLarge",
                  "Bucket day over 40000 days gives about 40000 buckets, more than the 10000 of one answer: use "
                  "week or month, or fewer days"),
              "nodctl: the answer is too large: Bucket day over 40000 days gives about 40000 buckets, more than "
              "the 10000 of one answer: use week or month, or fewer days");
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.TimedOut",
                  "the query read the database for longer than nod allows one (--query-timeout-sec); narrow it: "
                  "fewer days, a drv filter, a kind or a limit"),
              "nodctl: the query took too long: the query read the database for longer than nod allows one "
              "(--query-timeout-sec); narrow it: fewer days, a drv filter, a kind or a limit");
    // Not the bus's own timeout, which means the collector did not answer at all.
    EXPECT_NE(say("net.bergsoe.Nod1.Error.TimedOut", "x"), say("org.freedesktop.DBus.Error.TimedOut", "x"));
    EXPECT_EQ(say("net.bergsoe.Nod1.Error.Busy", "you have 8 queries waiting or running; wait for their answers"),
              "nodctl: the collector is busy: you have 8 queries waiting or running; wait for their answers");
    EXPECT_EQ(say("org.freedesktop.DBus.Error.NoReply", "timeout"),
              "nodctl: nod-collector did not answer in time on the system bus; check 'systemctl status nod-collector'");
    EXPECT_EQ(say("org.freedesktop.DBus.Error.Spawn.ChildExited", "exited with 1"),
              "nodctl: the system bus could not start nod-collector (exited with 1); check 'systemctl status "
              "nod-collector' and 'journalctl -u nod-collector'");
    EXPECT_EQ(say("org.example.Weird", "odd"), "nodctl: the call to nod-collector failed: odd (org.example.Weird)");
}

}  // namespace
}  // namespace nod::ctl
