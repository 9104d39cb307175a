// Real parts for end-to-end tests: temporary folders, child processes, a private dbus-daemon, the
// sd_notify protocol, Nix streams over a real socket.
#pragma once

#include <netinet/in.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nod::test {

using namespace std::chrono_literals;

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

using Env = std::map<std::string, std::string>;

struct RunAs {
    uid_t uid;
    gid_t gid;
};

// A child process, killed (SIGKILL) and reaped when the object goes.
class Process {
public:
    Process(std::vector<std::string> argv, const Env& env = {}, std::optional<std::filesystem::path> output = {},
            std::optional<RunAs> as = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // Waits for the exit; returns the exit status (128 + signal when killed), or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout = 10s);
    bool running();

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

struct CommandResult {
    int status = -1;
    std::string out;
    std::string err;
};

// Runs a command to completion (at most `timeout`), collecting stdout and stderr.
CommandResult run(std::vector<std::string> argv, const Env& env = {}, std::optional<RunAs> as = {},
                  std::chrono::milliseconds timeout = 30s);

// A dbus-daemon of our own, configured like the system bus (deny by default), with nod's policy from
// `policy_dir` and any extra <policy> XML.
class PrivateBus {
public:
    explicit PrivateBus(const std::filesystem::path& policy_dir, const std::string& extra_policy = "");
    const std::string& address() const { return address_; }
    // The bus goes away (every client loses its connection) ...
    void kill();
    // ... and comes back at the same address.
    void restart();

private:
    void launch();

    TempDir dir_;
    std::optional<Process> daemon_;
    std::string address_;
};

// Receives sd_notify messages: set NOTIFY_SOCKET to path() in the child's environment.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path);
    ~NotifySocket();
    const std::filesystem::path& path() const { return path_; }
    // Waits until a message containing `text` arrives; returns all messages seen so far.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout = 10s);
    const std::vector<std::string>& messages() const { return messages_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::vector<std::string> messages_;
};

// A client of the collector's socket, as Nix is: connect, write lines, close.
class NixConnection {
public:
    explicit NixConnection(const std::filesystem::path& socket);
    ~NixConnection();
    NixConnection(NixConnection&& o) noexcept;
    NixConnection(const NixConnection&) = delete;
    bool write(const std::string& bytes);  // blocking, whole
    void close();

private:
    int fd_ = -1;
};

// A copy of `program` in `folder` that any user may run: the build tree may be where other users cannot
// go (a checkout under /root or in a mode-0700 folder), so a test that runs a program as another user
// runs this copy.
std::filesystem::path copy_for_anyone(const std::filesystem::path& program, const std::filesystem::path& folder);

// Bus policy that gives the user running the tests what the shipped policy gives the collector's user
// ("nod"): to own `name` and to call everything on it.
std::string this_user_may_own(const std::string& name);

// 127.0.0.1:port, for bind() and connect().
sockaddr_in loopback_address(std::uint16_t port);
// A TCP port on 127.0.0.1 that nobody listens on now (the kernel's choice), for a server started next
// (systemd-socket-activate, nod-exporter, Prometheus). Throws std::runtime_error with the reason.
std::uint16_t free_loopback_port();

// Polls `done` every 20 ms until it is true or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s);

// Peak resident set size of a process in KiB (VmHWM), 0 if unknown.
long peak_rss_kib(pid_t pid);

// Runs `f` on a thread of its own that has joined the mount namespace of process `pid` (needs root), so
// that paths resolve as that process sees them, the mounts of its private namespace included; rethrows
// what `f` throws. (/proc/PID/root/... is no substitute for SQLite, which resolves symbolic links itself
// and so would land back in our own namespace.)
void in_mount_namespace_of(pid_t pid, const std::function<void()>& f);

}  // namespace nod::test
