// The open-file limit: systemd starts services with a soft limit of 1024 (and a far higher hard one), which
// a collector with a connection per Nix process would reach.
#pragma once

#include <cstdint>

namespace nod::collector {

// Raises the soft limit on open files to the hard one; returns the soft limit now in force.
std::uint64_t raise_fd_limit();

// File descriptors kept for everything but Nix connections: the database's connections (file, -wal, -shm
// each), the bus, eventfds, timers, the journal.
inline constexpr std::uint64_t fds_kept = 64;

}  // namespace nod::collector
