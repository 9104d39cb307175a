#include "ctl/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace nod::ctl {

namespace {

std::runtime_error failure(const std::string& what, const std::string& path) {
    return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// Only a regular file (or nothing) is replaced: a rename over /dev/null, a FIFO or a link to one would
// swap the node itself. A symbolic link to a regular file is replaced, not written through, so a link
// planted in a shared folder leads nowhere.
void check_target(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return;  // not there (yet): the rename makes it
    if (S_ISLNK(st.st_mode) && ::stat(path.c_str(), &st) != 0) return;  // a dangling link: replaced
    if (!S_ISREG(st.st_mode))
        throw std::runtime_error("writing " + path + ": it is " + std::string(kind_of(st.st_mode)) +
                                 ", not a regular file; nodctl replaces only files");
}

// Blocks the signals that stop nodctl while the temporary file exists, so that it is renamed or removed
// before a stop takes effect (at the unblocking).
class StopSignalsHeld {
public:
    StopSignalsHeld() {
        sigset_t stop;
        sigemptyset(&stop);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaddset(&stop, sig);
        ::sigprocmask(SIG_BLOCK, &stop, &previous_);
    }
    ~StopSignalsHeld() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
    StopSignalsHeld(const StopSignalsHeld&) = delete;
    StopSignalsHeld& operator=(const StopSignalsHeld&) = delete;

private:
    sigset_t previous_;
};

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content, unsigned mode) {
    auto slash = path.rfind('/');
    std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty()) throw std::runtime_error("writing " + path + ": not a file name");
    check_target(path);
    StopSignalsHeld held;
    // A dot name: node_exporter reads only *.prom, and ls hides it.
    std::string temporary = folder + "/." + base + ".XXXXXX";
    std::vector<char> name(temporary.begin(), temporary.end());
    name.push_back('\0');
    int fd = mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) throw failure("creating a temporary file beside", path);
    temporary.assign(name.data());
    auto give_up = [&](const std::string& what) {
        auto error = failure(what, temporary);
        ::close(fd);
        ::unlink(temporary.c_str());
        return error;
    };
    for (std::size_t written = 0; written < content.size();) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw give_up("writing");
        written += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, mode) < 0) throw give_up("setting the mode of");
    if (::fsync(fd) < 0) throw give_up("syncing");
    if (::close(fd) < 0) {
        auto error = failure("closing", temporary);
        ::unlink(temporary.c_str());
        throw error;
    }
    if (::rename(temporary.c_str(), path.c_str()) < 0) {
        auto error = failure("renaming " + temporary + " to", path);
        ::unlink(temporary.c_str());
        throw error;
    }
}

}  // namespace nod::ctl
