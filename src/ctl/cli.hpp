// nodctl's command line (Boost.Program_options) into an Invocation, checked completely before any bus
// call: every mistake is a UsageError whose message names the flag.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nod::ctl {

enum class Command { stats, bucket, test, clean };
enum class Output { table, csv, json, chart };
enum class Bus { system, session, address };

// The options that travel to the collector (a{sv} keys in parentheses).
struct Filters {
    std::optional<std::uint32_t> days;         // --days (days)
    std::optional<std::uint32_t> months;       // --months (months)
    std::optional<std::string> drv;            // --drv (drv)
    std::optional<std::string> kind;           // --kind (kind)
    bool group = false;                        // --group (group)
    std::optional<std::string> sort;           // --sort (sort)
    std::optional<std::uint32_t> limit;        // --limit (limit)
    std::optional<std::uint32_t> before_days;  // clean --before-days (before_days)
};

struct Invocation {
    std::optional<std::string> text;  // --help or --version: print this, exit 0, no bus
    Bus bus = Bus::system;
    std::string address;
    bool legend = true;
    bool no_color = false;
    Command command = Command::stats;
    std::string unit;  // bucket: day, week or month
    Output output = Output::table;
    Filters filters;
};

// A mistake on the command line; what() is the complete line for stderr, e.g.
// "nodctl: --days must be a positive number, not '0'".
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `args` without the program name.
Invocation parse_command_line(const std::vector<std::string>& args);

std::string command_name(Command c);

}  // namespace nod::ctl
