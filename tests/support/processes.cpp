#include "support/processes.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace nod::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "nod-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    path_ = tmpl;
    fs::permissions(path_, fs::perms::all);  // other test users (nobody) must reach sockets inside
}

fs::path copy_for_anyone(const fs::path& program, const fs::path& folder) {
    fs::path copy = folder / program.filename();
    fs::copy_file(program, copy, fs::copy_options::overwrite_existing);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    return copy;
}

std::string this_user_may_own(const std::string& name) {
    return "<policy user=\"" + std::to_string(getuid()) + "\"><allow own=\"" + name +
           "\"/><allow send_destination=\"" + name + "\"/></policy>";
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

namespace {

std::vector<std::string> merged_env(const Env& extra) {
    Env all;
    for (char** e = environ; *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : extra) {
        if (v.empty()) all.erase(k);  // an empty value unsets
        else all[k] = v;
    }
    std::vector<std::string> out;
    for (const auto& [k, v] : all) out.push_back(k + "=" + v);
    return out;
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                             std::optional<RunAs> as) {
    if (as) {
        if (setgroups(0, nullptr) < 0 || setgid(as->gid) < 0 || setuid(as->uid) < 0) _exit(126);
    }
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    execvpe(a[0], a.data(), e.data());
    _exit(127);
}

std::optional<int> decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return std::nullopt;
}

}  // namespace

Process::Process(std::vector<std::string> argv, const Env& env, std::optional<fs::path> output,
                 std::optional<RunAs> as) {
    auto e = merged_env(env);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid_ == 0) {
        setpgid(0, 0);
        if (output) {
            int fd = open(output->c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        exec_child(argv, e, as);
    }
}

Process::~Process() {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        wait(5s);
    }
}

void Process::signal(int sig) const { ::kill(pid_, sig); }

bool Process::running() {
    if (status_) return false;
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) status_ = decode_status(st);
    return !status_;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!status_) {
        int st = 0;
        pid_t r = waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = decode_status(st);
            break;
        }
        if (std::chrono::steady_clock::now() > until) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    return status_;
}

CommandResult run(std::vector<std::string> argv, const Env& env, std::optional<RunAs> as,
                  std::chrono::milliseconds timeout) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) throw std::runtime_error("pipe");
    auto e = merged_env(env);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        exec_child(argv, e, as);
    }
    close(out[1]);
    close(err[1]);
    CommandResult r;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    auto until = std::chrono::steady_clock::now() + timeout;
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0 && std::chrono::steady_clock::now() < until) {
        if (poll(fds, 2, 100) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) close(f.fd);
    if (open_fds > 0) kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    r.status = decode_status(st).value_or(-1);
    return r;
}

PrivateBus::PrivateBus(const fs::path& policy_dir, const std::string& extra_policy) {
    fs::path conf = dir_ / "bus.conf";
    std::ofstream(conf) << R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=)" << (dir_ / "bus.sock").string() << R"(</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <!-- Tests may watch the bus (dbus-monitor): the bus lets its own user become a monitor. -->
  <policy user=")" << getuid() << R"(">
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <includedir>)" << policy_dir.string() << R"(</includedir>
)" << extra_policy << R"(
</busconfig>
)";
    launch();
}

void PrivateBus::kill() {
    daemon_.reset();  // SIGKILL and reap
    fs::remove(dir_ / "bus.sock");
}

void PrivateBus::restart() {
    kill();
    launch();
}

void PrivateBus::launch() {
    fs::path conf = dir_ / "bus.conf";
    fs::path out = dir_ / "address";
    fs::remove(out);
    address_.clear();
    daemon_.emplace(std::vector<std::string>{"dbus-daemon", "--config-file=" + conf.string(), "--nofork",
                                             "--nopidfile", "--print-address=1"},
                    Env{}, out);
    if (!eventually([&] {
            std::ifstream in(out);  // stderr goes there too: warnings may come first
            std::string line;
            while (std::getline(in, line)) {
                // Without ",guid=…": sd-bus refuses a bus whose guid differs, and a restarted bus has a new one.
                if (line.starts_with("unix:")) address_ = line.substr(0, line.find(",guid="));
            }
            return !address_.empty();
        })) {
        std::ifstream in(out);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        throw std::runtime_error("dbus-daemon did not start: " + text);
    }
    fs::permissions(dir_ / "bus.sock", fs::perms::all);
}

NotifySocket::NotifySocket(const fs::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
        throw std::runtime_error("binding " + path.string() + ": " + std::strerror(errno));
}

NotifySocket::~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    unlink(path_.c_str());
}

bool NotifySocket::wait_for(const std::string& text, std::chrono::milliseconds timeout) {
    return eventually(
        [&] {
            char buf[4096];
            ssize_t n;
            while ((n = recv(fd_, buf, sizeof buf, 0)) > 0) messages_.emplace_back(buf, static_cast<std::size_t>(n));
            for (const auto& m : messages_)
                if (m.find(text) != std::string::npos) return true;
            return false;
        },
        timeout);
}

NixConnection::NixConnection(const fs::path& socket_path) {
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        int err = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connecting to " + socket_path.string() + ": " + std::strerror(err));
    }
}

NixConnection::~NixConnection() { close(); }
NixConnection::NixConnection(NixConnection&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

bool NixConnection::write(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void NixConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

sockaddr_in loopback_address(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

std::uint16_t free_loopback_port() {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback_address(0);
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        std::string why = std::strerror(errno);
        if (s >= 0) ::close(s);
        throw std::runtime_error("finding a free port on 127.0.0.1: " + why);
    }
    ::close(s);
    return ntohs(a.sin_port);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return done();
}

long peak_rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    }
    return 0;
}

void in_mount_namespace_of(pid_t pid, const std::function<void()>& f) {
    std::exception_ptr failure;
    std::thread([&] {
        try {
            std::string path = "/proc/" + std::to_string(pid) + "/ns/mnt";
            int ns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (ns < 0) throw std::runtime_error("opening " + path + ": " + std::strerror(errno));
            // Threads share their root and working folder; setns refuses to move one that still shares them.
            int r = unshare(CLONE_FS);
            if (r == 0) r = setns(ns, CLONE_NEWNS);
            int err = errno;
            close(ns);
            if (r < 0)
                throw std::runtime_error("joining the mount namespace of pid " + std::to_string(pid) + ": " +
                                         std::strerror(err));
            f();
        } catch (...) {
            failure = std::current_exception();
        }
    }).join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace nod::test
