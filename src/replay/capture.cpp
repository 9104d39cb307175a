#include "replay/capture.hpp"

#include <algorithm>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <exception>
#include <mutex>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <thread>
#include <random>
#include <sstream>
#include <stdexcept>

namespace nod::replay {

namespace {

std::ifstream open_or_throw(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("opening " + file.string() + ": " + std::strerror(errno));
    return in;
}

double parse_seconds(std::string_view text, const std::filesystem::path& file, std::size_t line) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size())
        throw std::runtime_error(file.string() + ":" + std::to_string(line) + ": bad time '" + std::string(text) + "'");
    return v;
}

// Value of `key=` in a "# a=1 b=2" header line.
std::string header_value(const std::string& line, const std::string& key) {
    std::istringstream words(line);
    std::string w;
    while (words >> w) {
        if (w.starts_with(key + "=")) return w.substr(key.size() + 1);
    }
    return {};
}

}  // namespace

CapturedConnection load_tsv(const std::filesystem::path& file) {
    auto in = open_or_throw(file);
    CapturedConnection c;
    c.name = file.parent_path().filename().string() + "/" + file.filename().string();
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.starts_with("# peer")) {
            c.peer.pid = std::stoi(header_value(line, "pid"));
            c.peer.uid = static_cast<std::uint32_t>(std::stoul(header_value(line, "uid")));
            c.peer.gid = static_cast<std::uint32_t>(std::stoul(header_value(line, "gid")));
            c.opened = std::stod(header_value(line, "opened"));
            continue;
        }
        if (line.starts_with("# closed=")) {
            c.closed = std::stod(header_value(line, "closed"));
            continue;
        }
        auto tab = line.find('\t');
        if (tab == std::string::npos) throw std::runtime_error(file.string() + ":" + std::to_string(n) + ": no tab");
        c.lines.push_back({parse_seconds(std::string_view(line).substr(0, tab), file, n), line.substr(tab + 1)});
    }
    if (c.closed == 0 && !c.lines.empty()) c.closed = c.lines.back().seconds;
    return c;
}

std::vector<CapturedConnection> load_capture_folder(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        auto name = entry.path().filename().string();
        if (name.starts_with("conn-") && name.ends_with(".tsv")) files.push_back(entry.path());
    }
    if (files.empty()) throw std::runtime_error(folder.string() + ": no conn-*.tsv files");
    std::sort(files.begin(), files.end());
    std::vector<CapturedConnection> conns;
    for (const auto& f : files) conns.push_back(load_tsv(f));
    return conns;
}

CapturedConnection load_stderr_capture(const std::filesystem::path& file) {
    auto ts = std::filesystem::path(file).replace_extension(".ts");
    bool timed = std::filesystem::exists(ts);
    auto in = open_or_throw(timed ? ts : file);
    CapturedConnection c;
    c.name = file.stem().string();
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!timed) {
            c.lines.push_back({0, line});
            continue;
        }
        auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        std::string_view rest = std::string_view(line).substr(tab + 1);
        if (!rest.starts_with("@nix ")) continue;  // the human part of stderr
        c.lines.push_back({parse_seconds(std::string_view(line).substr(0, tab), ts, n), std::string(rest.substr(5))});
    }
    c.closed = c.lines.empty() ? 0 : c.lines.back().seconds;
    return c;
}

std::vector<TruthEntry> load_truth(const std::filesystem::path& file) {
    auto in = open_or_throw(file);
    std::vector<TruthEntry> out;
    std::string name, what, rc;
    double when = 0;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        if (!(words >> name >> what >> when)) continue;
        auto it = std::find_if(out.begin(), out.end(), [&](const TruthEntry& t) { return t.name == name; });
        if (it == out.end()) {
            out.push_back({name, 0, false, 0, 0});
            it = out.end() - 1;
        }
        if (what == "start") it->start = when;
        if (what == "end") {
            it->ended = true;
            it->end = when;
            if (words >> rc && rc.starts_with("rc=")) it->rc = std::stoi(rc.substr(3));
        }
    }
    return out;
}

void replay(const std::vector<CapturedConnection>& conns, Reader& reader, const ReplayOptions& options) {
    struct Event {
        double seconds;
        int order;  // opens before lines before closes at the same instant
        std::size_t conn;
        std::size_t line;
    };
    std::vector<Event> events;
    for (std::size_t c = 0; c < conns.size(); ++c) {
        events.push_back({conns[c].opened, 0, c, 0});
        for (std::size_t l = 0; l < conns[c].lines.size(); ++l) events.push_back({conns[c].lines[l].seconds, 1, c, l});
        events.push_back({conns[c].closed, 2, c, 0});
    }
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        return a.seconds != b.seconds ? a.seconds < b.seconds : a.order < b.order;
    });
    auto at = [&](double s) { return options.base + static_cast<Micros>(std::llround(s * 1e6)); };
    std::vector<ConnectionId> ids(conns.size());
    std::string buffer;
    std::mt19937_64 rng(options.split_seed);
    for (const Event& e : events) {
        const CapturedConnection& c = conns[e.conn];
        if (e.order == 0) {
            Peer peer = c.peer;
            if (!options.peer_pids) peer.pid = 1;  // a pid that created none of the ids
            ids[e.conn] = reader.open(peer, at(e.seconds));
        } else if (e.order == 1) {
            buffer = c.lines[e.line].text;
            buffer.push_back('\n');
            std::size_t cut = options.split_seed ? rng() % (buffer.size() + 1) : buffer.size();
            reader.feed(ids[e.conn], buffer.data(), cut, at(e.seconds));
            if (cut < buffer.size()) reader.feed(ids[e.conn], buffer.data() + cut, buffer.size() - cut, at(e.seconds));
        } else {
            reader.close(ids[e.conn], at(e.seconds));
        }
    }
}

namespace {

class SocketWriter {
public:
    explicit SocketWriter(const std::filesystem::path& path) : fd_(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (fd_ < 0 || path.native().size() >= sizeof addr.sun_path)
            throw std::runtime_error("cannot make a socket for " + path.string());
        std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);
        if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
            int err = errno;
            ::close(fd_);
            throw std::runtime_error("connecting to " + path.string() + ": " + std::strerror(err));
        }
    }
    ~SocketWriter() { ::close(fd_); }
    SocketWriter(const SocketWriter&) = delete;
    SocketWriter& operator=(const SocketWriter&) = delete;

    void write(const std::string& text) {
        std::size_t done = 0;
        while (done < text.size()) {
            ssize_t n = send(fd_, text.data() + done, text.size() - done, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::runtime_error(std::string("writing to the socket: ") + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
    }

private:
    int fd_;
};

}  // namespace

void send_to_socket(const std::vector<CapturedConnection>& conns, const std::filesystem::path& socket) {
    auto start = std::chrono::steady_clock::now();
    auto at = [&](double s) { return start + std::chrono::microseconds(static_cast<long long>(s * 1e6)); };
    std::mutex mutex;
    std::exception_ptr failure;
    std::vector<std::thread> threads;
    for (const auto& c : conns) {
        threads.emplace_back([&, &c = c] {
            try {
                std::this_thread::sleep_until(at(c.opened));
                SocketWriter out(socket);
                for (const auto& l : c.lines) {
                    std::this_thread::sleep_until(at(l.seconds));
                    out.write(l.text + "\n");
                }
                std::this_thread::sleep_until(at(c.closed));
            } catch (...) {
                std::lock_guard lock(mutex);
                if (!failure) failure = std::current_exception();
            }
        });
    }
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace nod::replay
