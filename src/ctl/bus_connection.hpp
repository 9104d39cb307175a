// The bus connection nodctl's options name: the system bus, the session bus, or an address.
#pragma once

#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "ctl/cli.hpp"

namespace nod::ctl {

// Throws sdbus::Error when the bus cannot be reached.
std::unique_ptr<sdbus::IConnection> connect_bus(Bus bus, const std::string& address);

}  // namespace nod::ctl
