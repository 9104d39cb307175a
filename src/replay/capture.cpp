#include "replay/capture.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
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

}  // namespace nod::replay
