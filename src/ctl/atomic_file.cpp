#include "ctl/atomic_file.hpp"

#include <fcntl.h>
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

}  // namespace

void write_file_atomically(const std::string& path, std::string_view content, unsigned mode) {
    auto slash = path.rfind('/');
    std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty()) throw std::runtime_error("writing " + path + ": not a file name");
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
