// nod-replay: runs recorded Nix log streams through nod's reader and prints the rows it would record.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "reader/reader.hpp"
#include "replay/capture.hpp"

namespace {

int usage() {
    std::cerr << "usage: nod-replay [--no-peer-pids] CAPTURE...      print the rows nod records for them\n"
                 "       nod-replay --to SOCKET CAPTURE...           send them to a collector at their pace\n"
                 "  CAPTURE is a folder of conn-*.tsv files (Nix >= 2.30 json-log-path captures)\n"
                 "  or a NAME.json / NAME.ts file (Nix --log-format internal-json on stderr).\n";
    return 2;
}

std::string seconds(const std::optional<nod::Micros>& d) {
    if (!d) return "unknown";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(*d) / 1e6);
    return buf;
}

void print(const std::string& capture, const std::vector<nod::Row>& rows, nod::Micros base) {
    std::printf("%s\n", capture.c_str());
    std::printf("  %-16s %-34s %9s %10s %-10s %10s  %s\n", "KIND", "NAME", "START", "DURATION", "OUTCOME", "BYTES",
                "MACHINE");
    for (const auto& r : rows) {
        std::printf("  %-16s %-34s %8.3fs %10s %-10s %10llu  %s\n", std::string(to_string(r.kind)).c_str(),
                    r.name.c_str(), static_cast<double>(r.start - base) / 1e6, seconds(r.duration).c_str(),
                    std::string(to_string(r.outcome)).c_str(), static_cast<unsigned long long>(r.bytes),
                    r.machine.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    nod::replay::ReplayOptions options;
    std::vector<std::string> captures;
    std::string to;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--no-peer-pids") options.peer_pids = false;
        else if (a == "--to" && i + 1 < argc) to = argv[++i];
        else if (a == "-h" || a == "--help") return usage(), 0;
        else if (a.starts_with("-")) return usage();
        else captures.push_back(a);
    }
    if (captures.empty()) return usage();
    auto load = [](const std::filesystem::path& p) {
        return std::filesystem::is_directory(p)
                   ? nod::replay::load_capture_folder(p)
                   : std::vector<nod::replay::CapturedConnection>{nod::replay::load_stderr_capture(p)};
    };
    try {
        if (!to.empty()) {
            // All captures at once, each at its own recorded pace, as several Nix commands would.
            std::vector<nod::replay::CapturedConnection> all;
            for (const auto& c : captures) {
                auto conns = load(c);
                all.insert(all.end(), conns.begin(), conns.end());
            }
            nod::replay::send_to_socket(all, to);
            return 0;
        }
        for (const auto& c : captures) {
            std::vector<nod::Row> rows;
            nod::Reader reader({}, [&](nod::Row&& r) { rows.push_back(std::move(r)); });
            auto conns = load(c);
            nod::replay::replay(conns, reader, options);
            print(c, rows, options.base);
            const auto& k = reader.counters();
            std::printf("  %llu lines on %zu connections, %llu rows, %llu duplicates folded, %llu malformed\n\n",
                        static_cast<unsigned long long>(k.lines), conns.size(),
                        static_cast<unsigned long long>(k.rows), static_cast<unsigned long long>(k.duplicate_rows),
                        static_cast<unsigned long long>(k.malformed_lines));
        }
    } catch (const std::exception& e) {
        std::cerr << "nod-replay: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
