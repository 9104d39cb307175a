// nodctl's command line and error messages, without a bus.
#include <gtest/gtest.h>

#include "ctl/cli.hpp"
#include "ctl/errors.hpp"

namespace nod::ctl {
namespace {

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
    EXPECT_TRUE(inv.filters.group);
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
    EXPECT_TRUE(inv.filters.group);
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
    EXPECT_EQ(say("org.freedesktop.DBus.Error.NoReply", "timeout"),
              "nodctl: nod-collector did not answer in time on the system bus; check 'systemctl status nod-collector'");
    EXPECT_EQ(say("org.freedesktop.DBus.Error.Spawn.ChildExited", "exited with 1"),
              "nodctl: the system bus could not start nod-collector (exited with 1); check 'systemctl status "
              "nod-collector' and 'journalctl -u nod-collector'");
    EXPECT_EQ(say("org.example.Weird", "odd"), "nodctl: the call to nod-collector failed: odd (org.example.Weird)");
}

}  // namespace
}  // namespace nod::ctl
