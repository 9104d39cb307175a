#include "bench_support.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace nod::bench {

namespace {

constexpr const char* service = "net.bergsoe.Nod1";
constexpr const char* object = "/net/bergsoe/Nod1";

test::Env with_notify(test::Env env, const fs::path& notify) {
    env["NOTIFY_SOCKET"] = notify.string();
    return env;
}

[[noreturn]] void fail(const std::string& what, int error) {
    throw std::runtime_error(what + ": " + std::strerror(error));
}

std::string first_line_of(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

SocketServer::SocketServer(std::vector<std::string> argv, const test::Env& env, const fs::path& dir,
                           const std::string& name)
    : log_(dir / (name + ".log")),
      notify_(std::in_place, dir / (name + ".notify")),
      process_(std::move(argv), with_notify(env, dir / (name + ".notify")), log_) {
    // A populated database of 10 M rows is checked and opened before READY=1: allow for it.
    if (!notify_->wait_for("READY=1", std::chrono::minutes(2)))
        throw std::runtime_error(name + " did not become ready; its log:\n" + log());
    notify_.reset();
}

int SocketServer::stop(std::chrono::milliseconds timeout) {
    process_.signal(SIGTERM);
    return process_.wait(timeout).value_or(-1);
}

std::string SocketServer::log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string SocketServer::threads() const {
    std::string text;
    fs::path tasks = fs::path("/proc") / std::to_string(pid()) / "task";
    std::error_code error;
    for (const auto& t : fs::directory_iterator(tasks, error)) {
        text += t.path().filename().string() + " " + first_line_of(t.path() / "comm") + ": wchan " +
                first_line_of(t.path() / "wchan") + ", syscall " + first_line_of(t.path() / "syscall") + "\n";
    }
    if (error) return "reading " + tasks.string() + ": " + error.message() + "\n";
    auto gdb = test::run({"gdb", "-batch", "-p", std::to_string(pid()), "-ex", "thread apply all bt"}, {},
                         std::nullopt, std::chrono::minutes(1));
    if (gdb.status == 0) text += gdb.out;
    return text;
}

std::vector<std::string> collector_argv(const fs::path& binary, const fs::path& socket, const fs::path& db,
                                        std::vector<std::string> extra) {
    std::vector<std::string> argv = {binary.string(), "--socket", socket.string(), "--db", db.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

StreamClient::StreamClient(const fs::path& socket) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) fail("socket", errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        int error = errno;
        ::close(fd_);
        fd_ = -1;
        fail("connecting to " + socket.string(), error);
    }
}

StreamClient::~StreamClient() {
    if (fd_ >= 0) ::close(fd_);
}

StreamClient::StreamClient(StreamClient&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

void StreamClient::write(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("writing to the socket", errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void StreamClient::finish() {
    if (::shutdown(fd_, SHUT_WR) < 0) fail("shutdown", errno);
    char byte;
    for (;;) {  // the server never writes: the first read returns at its close (0) or reset
        ssize_t n = ::read(fd_, &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    ::close(fd_);
    fd_ = -1;
}

Bus::Bus(const std::string& address) {
    if (int r = sd_bus_new(&bus_); r < 0) fail("sd_bus_new", -r);
    if (int r = sd_bus_set_address(bus_, address.c_str()); r < 0) fail("sd_bus_set_address", -r);
    sd_bus_set_bus_client(bus_, 1);
    if (int r = sd_bus_start(bus_); r < 0) fail("connecting to " + address, -r);
}

Bus::~Bus() { sd_bus_flush_close_unref(bus_); }

namespace {

template <typename T>
T property(sd_bus* bus, const char* name, char type) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    T value{};
    int r = sd_bus_get_property_trivial(bus, service, object, service, name, &error, type, &value);
    std::string message = error.message ? error.message : "";
    sd_bus_error_free(&error);
    if (r < 0) throw std::runtime_error(std::string("reading property ") + name + ": " + message);
    return value;
}

}  // namespace

std::uint64_t Bus::rows() { return property<std::uint64_t>(bus_, "Rows", 't'); }
std::uint32_t Bus::connections() { return property<std::uint32_t>(bus_, "Connections", 'u'); }

void Bus::ping() {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r =
        sd_bus_call_method(bus_, service, object, "org.freedesktop.DBus.Peer", "Ping", &error, &reply, "");
    sd_bus_message_unref(reply);
    std::string message = error.message ? error.message : "";
    sd_bus_error_free(&error);
    if (r < 0) throw std::runtime_error("Peer.Ping: " + message);
}

Memory memory_of(pid_t pid) {
    Memory m;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("VmRSS:")) m.rss_kib = std::stol(line.substr(6));
        if (line.starts_with("VmHWM:")) m.hwm_kib = std::stol(line.substr(6));
    }
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(rank, v.size() - 1)];
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void Results::write(const fs::path& file) const {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    for (const auto& [k, v] : numbers_) {
        w.Key(k.c_str());
        w.Double(v);
    }
    for (const auto& [k, v] : texts_) {
        w.Key(k.c_str());
        w.String(v.c_str());
    }
    w.EndObject();
    std::ofstream out(file);
    out << buffer.GetString() << "\n";
    if (!out) throw std::runtime_error("writing " + file.string());
}

void note_exit(Results& results, const std::string& who, int status, const SocketServer& server) {
    if (status == 0) return;
    std::fprintf(stderr, "WARNING: %s exited with status %d at SIGTERM; its log:\n%s\n", who.c_str(), status,
                 server.log().c_str());
    if (!results.has(who + ".exit_status")) results.set(who + ".exit_status", status);
}

fs::path parse_flags(int argc, char** argv, const char* program,
                     boost::program_options::options_description& flags) {
    namespace po = boost::program_options;
    std::string json;
    flags.add_options()("help,h", "show this help")("json", po::value(&json)->value_name("FILE"),
                                                    "also write the results to FILE as JSON");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, flags), vm);
        if (vm.count("help") != 0U) {
            std::cout << flags;
            std::exit(0);
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << program << ": " << e.what() << "\n" << flags;
        std::exit(2);
    }
    return json;
}

}  // namespace nod::bench
