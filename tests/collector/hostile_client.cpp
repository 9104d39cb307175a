// A local user who writes to nod's socket what they like, run by the hostile-user tests as another user
// (nobody) so that the collector sees its uid:
//   hostile_client hold SOCKET N           open N connections and keep them until killed
//   hostile_client send SOCKET FILE        send FILE on one connection, then close it
//   hostile_client flood SOCKET SECONDS    finished builds as fast as the socket takes them, on one
//                                          connection, for SECONDS; prints how many went out
// It prints "ready" (hold: once every connection is open) and exits 0, or exits 1 saying why.
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

int connect_to(const char* path) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const std::string& bytes) {
    for (std::size_t done = 0; done < bytes.size();) {
        ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

int hold(const char* path, long n) {
    rlimit limit{};  // as many files as the hard limit allows: a user can raise their own soft limit
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::vector<int> fds;
    for (long i = 0; i < n; ++i) {
        int fd = connect_to(path);
        if (fd < 0) {
            std::fprintf(stderr, "connection %ld: %s\n", i, std::strerror(errno));
            return 1;
        }
        fds.push_back(fd);
    }
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) pause();
}

int send_file(const char* path, const char* file) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    int fd = connect_to(path);
    if (fd < 0 || !send_all(fd, bytes)) {
        std::fprintf(stderr, "sending %s: %s\n", file, std::strerror(errno));
        return 1;
    }
    close(fd);
    std::printf("ready\n");
    return 0;
}

// Builds of our own pid's ids (so that each is its own activity), each counted done by a Builds progress.
int flood(const char* path, double seconds) {
    int fd = connect_to(path);
    if (fd < 0) return 1;
    const std::uint64_t origin = static_cast<std::uint64_t>(getpid()) << 32;
    const std::uint64_t worker = origin | 0x7fffffff;
    send_all(fd, "{\"action\":\"start\",\"id\":" + std::to_string(worker) + ",\"level\":0,\"parent\":0,\"text\":\"\",\"type\":104}\n");
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::uint64_t sent = 0;
    std::string batch;
    while (std::chrono::steady_clock::now() < end) {
        batch.clear();
        for (int i = 0; i < 100; ++i, ++sent) {
            std::string id = std::to_string(origin | sent);
            std::string done = std::to_string(sent + 1);
            batch += "{\"action\":\"start\",\"fields\":[\"/nix/store/0123456789abcdfghijklmnpqrsvwxyz-flood-" +
                     std::to_string(sent % 1000) + ".drv\",\"\",1,1],\"id\":" + id +
                     ",\"level\":3,\"parent\":0,\"text\":\"\",\"type\":105}\n{\"action\":\"result\",\"fields\":[" + done +
                     "," + done + ",0,0],\"id\":" + std::to_string(worker) + ",\"type\":105}\n{\"action\":\"stop\",\"id\":" +
                     id + "}\n";
        }
        if (!send_all(fd, batch)) break;
    }
    close(fd);
    std::printf("%llu\n", static_cast<unsigned long long>(sent));
    return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "hold" && argc == 4) return hold(argv[2], std::atol(argv[3]));
    if (mode == "send" && argc == 4) return send_file(argv[2], argv[3]);
    if (mode == "flood" && argc == 4) return flood(argv[2], std::atof(argv[3]));
    std::fprintf(stderr, "usage: hostile_client hold|send|flood SOCKET N|FILE|SECONDS\n");
    return 2;
}
