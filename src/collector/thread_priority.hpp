// Worker threads yield to the event loop: on a busy 2-core machine a query and a Clean running at once
// would otherwise leave the thread that reads Nix waiting for a core for tens of milliseconds.
#pragma once

namespace nod::collector {

// Lowers the calling thread's priority (nice +10, SCHED_BATCH); logs and goes on if it cannot.
void run_in_background(const char* what);

}  // namespace nod::collector
