// nodctl's command line (Boost.Program_options) into an Invocation, checked completely before any bus
// call: every mistake is a UsageError whose message names the flag.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ctl/model.hpp"

namespace nod::ctl {

enum class Command { stats, bucket, test, clean, estimate, running, top, caches, metrics };
enum class Output { table, csv, json, chart };
enum class Bus { system, session, address };

// The options that travel to the collector (a{sv} keys in parentheses).
struct Filters {
    std::optional<std::uint32_t> days;         // --days (days)
    std::optional<std::uint32_t> months;       // --months (months)
    std::optional<std::string> drv;            // --drv (drv)
    std::optional<std::string> kind;           // --kind (kind)
    std::optional<std::string> user;           // --user as given: a uid in decimal, or a user name
    std::optional<std::uint32_t> uid;          // its uid (uid): the number, or the name's by resolve_user
    bool trusted = false;                      // --trusted (trusted)
    std::optional<std::string> machine;        // --machine (machine): "" is this machine
    std::optional<std::string> substituter;    // --substituter (substituter)
    GroupBy group_by = GroupBy::none;          // --group or --group-by name (group), --group-by user|machine|substituter (group_by)
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
    std::string unit;                // bucket: day, week or month
    std::vector<std::string> names;  // estimate: the derivation names
    bool once = false;               // top --once: one frame, then exit
    bool openmetrics = false;        // metrics --output openmetrics
    std::string file;                // metrics --file: written atomically instead of standard output
    Output output = Output::table;
    Filters filters;
};

// A mistake on the command line; what() is the complete line for stderr, e.g.
// "nodctl: --days must be a positive number, not '0'".
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `args` without the program name. A --user that is a name is kept as text, its uid left empty: resolve_user
// looks it up.
Invocation parse_command_line(const std::vector<std::string>& args);

// A user name's uid on this machine (nodctl: getpwnam_r), or nothing when there is no such user.
using UserLookup = std::function<std::optional<std::uint32_t>(const std::string& name)>;

// Gives a --user name its uid through `lookup`; a UsageError when there is no such user ("nodctl: no user 'x'
// on this machine; give a user name or a uid"). Does nothing without --user, or when it was a number.
void resolve_user(Invocation& invocation, const UserLookup& lookup);

std::string command_name(Command c);

}  // namespace nod::ctl
