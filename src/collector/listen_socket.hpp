// The socket Nix writes to: handed over by systemd (socket activation) or made here.
#pragma once

#include <filesystem>
#include <optional>

#include "collector/unique_fd.hpp"

namespace nod::collector {

struct ListenSocket {
    UniqueFd fd;
    std::filesystem::path path;  // what we bound; empty when systemd owns the socket
    bool activated = false;

    ListenSocket() = default;
    ListenSocket(ListenSocket&&) = default;
    ListenSocket& operator=(ListenSocket&&) = default;
    ~ListenSocket();  // removes a socket file we made ourselves
};

// Takes systemd's socket when LISTEN_FDS names one (the fd named "nod", else the first), else binds
// `path` itself: a regular file there (what Nix leaves when no socket exists) or a stale socket is
// replaced, with a log line; a socket with a live listener is an error. Throws std::runtime_error
// naming the path and what failed.
ListenSocket acquire_listen_socket(const std::filesystem::path& path);

}  // namespace nod::collector
