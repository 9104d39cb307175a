#include "ctl/errors.hpp"

namespace nod::ctl {

namespace {

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    while (!text.empty() && (text.back() == ' ' || text.back() == '.')) text.pop_back();
    return text;
}

std::string how_to_start(Bus bus, const std::string& address) {
    switch (bus) {
    case Bus::system:
        return "start it with 'systemctl start nod-collector.socket' or check 'systemctl status nod-collector'";
    case Bus::session: return "start it with 'nod-collector --bus session'";
    case Bus::address: return "start it with 'nod-collector --bus-address " + address + "'";
    }
    return "";
}

}  // namespace

std::string bus_description(Bus bus, const std::string& address) {
    switch (bus) {
    case Bus::system: return "the system bus";
    case Bus::session: return "the session bus";
    case Bus::address: return "the bus at " + address;
    }
    return "the bus";
}

std::string describe_failure(const BusFailure& f, Command command, Bus bus, const std::string& address) {
    const std::string& n = f.name;
    const std::string msg = one_line(f.message);
    const std::string where = bus_description(bus, address);
    if (n == "org.freedesktop.DBus.Error.ServiceUnknown" || n == "org.freedesktop.DBus.Error.NameHasNoOwner") {
        return "nodctl: nod-collector is not running on " + where + " (net.bergsoe.Nod1 has no owner); " +
               how_to_start(bus, address);
    }
    if (n.starts_with("org.freedesktop.DBus.Error.Spawn.") || n == "org.freedesktop.systemd1.NoSuchUnit" ||
        n == "org.freedesktop.systemd1.UnitMasked") {
        return "nodctl: " + where + " could not start nod-collector (" + msg +
               "); check 'systemctl status nod-collector' and 'journalctl -u nod-collector'";
    }
    if (n == "org.freedesktop.DBus.Error.AccessDenied" || n == "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") {
        if (command == Command::clean) return "nodctl clean: access denied: run as root";
        return "nodctl: access denied by " + where + " (" + msg + "); check the bus policy net.bergsoe.Nod1.conf";
    }
    if (n == "org.freedesktop.DBus.Error.InvalidArgs") return "nodctl: the collector refused the options: " + msg;
    if (n == "net.bergsoe.Nod1.Error.Database") {
        return "nodctl: the collector's database failed: " + msg + "; see 'journalctl -u nod-collector'";
    }
    if (n == "net.bergsoe.Nod1.Error.Busy") return "nodctl: the collector is busy: " + msg;
    if (n == "net.bergsoe.Nod1.Error.Stopped") return "nodctl: " + msg;
    // The collector's messages for these two say how to narrow the query.
    if (n == "net.bergsoe.Nod1.Error.TooLarge") return "nodctl: the answer is too large: " + msg;
    if (n == "net.bergsoe.Nod1.Error.TimedOut") return "nodctl: the query took too long: " + msg;
    if (n == "org.freedesktop.DBus.Error.NoReply" || n == "org.freedesktop.DBus.Error.Timeout" ||
        n == "org.freedesktop.DBus.Error.TimedOut") {
        return "nodctl: nod-collector did not answer in time on " + where +
               "; check 'systemctl status nod-collector'";
    }
    if (n == "org.freedesktop.DBus.Error.UnknownMethod" || n == "org.freedesktop.DBus.Error.UnknownInterface" ||
        n == "org.freedesktop.DBus.Error.UnknownObject" || n == "org.freedesktop.DBus.Error.InvalidSignature") {
        return "nodctl: the collector on " + where + " does not speak this nodctl's interface (" + msg +
               "); install nodctl and nod-collector of the same version";
    }
    if (n == "nodctl.Error.Connect") {
        return "nodctl: cannot connect to " + where + " (" + msg + "); is D-Bus running?";
    }
    return "nodctl: the call to nod-collector failed: " + (msg.empty() ? n : msg) + " (" + n + ")";
}

}  // namespace nod::ctl
