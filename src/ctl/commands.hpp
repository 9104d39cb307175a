// Runs a parsed command: one call to the collector, its answer printed in the chosen format.
#pragma once

#include <ostream>

#include "ctl/cli.hpp"

namespace nod::ctl {

// 0 on success; 1 with one line on `err` on any failure.
int run(const Invocation& invocation, std::ostream& out, std::ostream& err);

}  // namespace nod::ctl
