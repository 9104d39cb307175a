// The baseline of bench/collector/ingest_bench and collector_memory: a plain reader that accepts
// connections on a Unix socket and read()s them into one 64 KiB buffer, as nod-collector's reading loop
// does, and does nothing else (no framing, no parsing, no database). Whatever nod-collector sustains is
// compared with what this sustains in the same run: the difference is what nod's own work costs.
//
//   drain_socket --socket PATH      says READY=1 over $NOTIFY_SOCKET once listening; SIGTERM ends it
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr std::size_t read_size = 64 * 1024;  // what nod-collector reads at a time
constexpr int reads_per_turn = 16;            // then the other connections get their turn, as there

// An owned file descriptor.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {
        if (fd_ < 0) throw std::runtime_error(std::strerror(errno));
    }
    ~Fd() { ::close(fd_); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

int listen_on(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(fd, SOMAXCONN) < 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    std::string path;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--socket") == 0) path = argv[i + 1];
    if (path.empty()) {
        std::fprintf(stderr, "usage: %s --socket PATH\n", argv[0]);
        return 2;
    }
    try {
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, nullptr);
        Fd signals(signalfd(-1, &mask, SFD_CLOEXEC));
        Fd listener(listen_on(path));
        Fd epoll(epoll_create1(EPOLL_CLOEXEC));
        auto watch = [&](int fd) {
            epoll_event e{};
            e.events = EPOLLIN;
            e.data.fd = fd;
            if (epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &e) < 0)
                throw std::runtime_error(std::strerror(errno));
        };
        watch(signals.get());
        watch(listener.get());
        sd_notify(0, "READY=1");

        std::vector<char> buffer(read_size);
        unsigned long long bytes = 0, connections = 0;
        std::vector<epoll_event> events(64);
        for (bool running = true; running;) {
            int n = epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), -1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::runtime_error(std::strerror(errno));
            for (int i = 0; i < n; ++i) {
                int fd = events[static_cast<std::size_t>(i)].data.fd;
                if (fd == signals.get()) {
                    running = false;
                } else if (fd == listener.get()) {
                    for (int c; (c = accept4(listener.get(), nullptr, nullptr,
                                             SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) {
                        watch(c);
                        ++connections;
                    }
                } else {
                    for (int r = 0; r < reads_per_turn; ++r) {
                        ssize_t got = ::read(fd, buffer.data(), buffer.size());
                        if (got > 0) {
                            bytes += static_cast<unsigned long long>(got);
                            continue;
                        }
                        if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
                        ::close(fd);  // EOF or error: closing also removes it from the epoll set
                        break;
                    }
                }
            }
        }
        ::unlink(path.c_str());
        std::printf("drain_socket: %llu bytes on %llu connections\n", bytes, connections);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "drain_socket: %s\n", e.what());
        return 1;
    }
}
