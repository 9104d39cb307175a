// A failed D-Bus call as one line that says what happened and what to do.
#pragma once

#include <string>

#include "ctl/cli.hpp"

namespace nod::ctl {

struct BusFailure {
    std::string name;     // the D-Bus error name, e.g. org.freedesktop.DBus.Error.ServiceUnknown
    std::string message;  // its message
};

// "the system bus", "the session bus", "the bus at unix:path=…".
std::string bus_description(Bus bus, const std::string& address);

// The line for stderr, "nodctl: …" (or "nodctl clean: …"), without a newline.
std::string describe_failure(const BusFailure& failure, Command command, Bus bus, const std::string& address);

}  // namespace nod::ctl
