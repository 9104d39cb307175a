// Carries Nix 2.8's log to nod-collector: Nix 2.8 has no json-log-path, it writes its internal-json log
// to stderr as `@nix {…}` lines among plain ones. This reads stdin (a pipe from Nix's stderr), keeps the
// `@nix ` lines without that prefix, and writes them to the collector's socket, one write per read, as
// `sed -un 's/^@nix //p' | socat -u - UNIX-CONNECT:SOCKET` would with one process instead of two.
//
//   nix-build … --log-format internal-json 2> >(nix_log_forward SOCKET)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view prefix = "@nix ";

// Writes everything, retrying short writes; false when the socket is gone.
bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SOCKET < nix-stderr\n", argv[0]);
        return 2;
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        std::fprintf(stderr, "nix_log_forward: connecting to %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    std::vector<char> buffer(64 * 1024);
    std::string line;  // the unfinished line of earlier reads
    std::string out;
    bool connected = true;
    for (;;) {
        ssize_t n = ::read(0, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        // Keep reading stdin even when the collector is gone: Nix must never block on this pipe.
        if (!connected) continue;
        std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
        for (std::size_t nl; (nl = chunk.find('\n')) != std::string_view::npos; chunk.remove_prefix(nl + 1)) {
            line.append(chunk.substr(0, nl + 1));
            if (std::string_view(line).starts_with(prefix)) out.append(line, prefix.size());
            line.clear();
        }
        line.append(chunk);
        if (!out.empty()) connected = write_all(fd, out);
        out.clear();
    }
    ::close(fd);
    return 0;
}
