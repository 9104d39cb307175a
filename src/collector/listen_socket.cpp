#include "collector/listen_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "collector/log.hpp"

namespace nod::collector {

namespace {

std::runtime_error failure(const std::string& what, const std::filesystem::path& path, int err) {
    return std::runtime_error(what + " " + path.string() + ": " + std::strerror(err));
}

sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& s = path.native();
    if (s.size() >= sizeof addr.sun_path)
        throw std::runtime_error("socket path " + s + " is longer than " + std::to_string(sizeof addr.sun_path - 1) +
                                 " bytes");
    std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
    return addr;
}

std::optional<ListenSocket> from_systemd() {
    char** names = nullptr;
    int n = sd_listen_fds_with_names(1, &names);
    if (n < 0) throw std::runtime_error(std::string("reading LISTEN_FDS from systemd: ") + std::strerror(-n));
    if (n == 0) return std::nullopt;
    int chosen = SD_LISTEN_FDS_START;
    for (int i = 0; i < n; ++i) {
        if (names && names[i] && std::strcmp(names[i], "nod") == 0) chosen = SD_LISTEN_FDS_START + i;
    }
    for (int i = 0; names && i < n; ++i) std::free(names[i]);
    std::free(names);
    for (int i = 0; i < n; ++i) {
        if (SD_LISTEN_FDS_START + i != chosen) ::close(SD_LISTEN_FDS_START + i);
    }
    if (sd_is_socket_unix(chosen, SOCK_STREAM, 1, nullptr, 0) <= 0)
        throw std::runtime_error("the socket systemd passed (fd " + std::to_string(chosen) +
                                 ") is not a listening Unix stream socket");
    int flags = fcntl(chosen, F_GETFL);
    if (flags < 0 || fcntl(chosen, F_SETFL, flags | O_NONBLOCK) < 0)
        throw std::runtime_error(std::string("making systemd's socket non-blocking: ") + std::strerror(errno));
    ListenSocket s;
    s.fd.reset(chosen);
    s.activated = true;
    return s;
}

// Clears the path for bind(): Nix leaves a regular file when it found no socket; a dead collector
// leaves a socket nobody listens on.
void clear_path(const std::filesystem::path& path) {
    struct stat st{};
    if (lstat(path.c_str(), &st) < 0) {
        if (errno == ENOENT) return;
        throw failure("inspecting", path, errno);
    }
    if (S_ISREG(st.st_mode)) {
        log::notice("replacing the regular file at " + path.string() + " (" + std::to_string(st.st_size) +
                    " bytes; Nix writes one when it finds no socket there) with nod's socket");
    } else if (S_ISSOCK(st.st_mode)) {
        UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un addr = address_of(path);
        if (probe && connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
            throw std::runtime_error("another process is already listening on " + path.string());
        log::info("removing the stale socket " + path.string());
    } else {
        throw std::runtime_error(path.string() + " exists and is neither a socket nor a regular file");
    }
    if (unlink(path.c_str()) < 0) throw failure("removing", path, errno);
}

}  // namespace

ListenSocket::~ListenSocket() {
    if (fd && !activated && !path.empty()) ::unlink(path.c_str());
}

ListenSocket acquire_listen_socket(const std::filesystem::path& path) {
    if (auto s = from_systemd()) return std::move(*s);
    clear_path(path);
    sockaddr_un addr = address_of(path);
    ListenSocket s;
    s.fd.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s.fd) throw failure("creating a socket for", path, errno);
    // Every user's nix must be able to connect, as with the daemon's own socket: the socket is made 0666 by
    // bind() itself, under a umask that allows it, rather than by a chmod() afterwards, which would follow a
    // symbolic link planted at the path in between. (The umask is the process's: this runs before any
    // thread exists.)
    mode_t umask_before = umask(0111);
    int bound = bind(s.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_error = errno;
    umask(umask_before);
    if (bound < 0) throw failure("binding", path, bind_error);
    s.path = path;
    if (listen(s.fd.get(), SOMAXCONN) < 0) throw failure("listening on", path, errno);
    return s;
}

}  // namespace nod::collector
