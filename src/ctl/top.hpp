// nodctl top: a live full-screen view in the spirit of systemd-cgtop. Running once at start and again (at
// most once a second) when the Started or Finished signals say something changed; the elapsed times tick
// locally every second. `q` or Ctrl-C quits and restores the terminal; --once prints one frame and exits.
#pragma once

#include <ostream>

#include "ctl/bus_client.hpp"
#include "ctl/cli.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

// Throws BusError as the other commands do; returns the exit status.
int run_top(const Invocation& inv, BusClient& bus, const ViewOptions& view, std::ostream& out);

}  // namespace nod::ctl
