// The reader's throughput against a baseline that only parses each line into a RapidJSON DOM, in the
// same run on the same machine (these machines are shared: only the ratio is meaningful).
//
//   build/bench/reader/reader_bench            # all workloads, then a ratio table
//
// Workloads: h6 (200 builds, Nix 2.30), h5 (two substitutions with byte progress, two connections),
// and a chatty build (one build printing 50,000 log lines).
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "reader/reader.hpp"
#include "replay/capture.hpp"

namespace {

namespace fs = std::filesystem;

struct Workload {
    std::vector<std::string> streams;  // one per connection, newline-terminated lines
    std::size_t lines = 0;
    std::size_t bytes = 0;
};

Workload from_capture(const fs::path& folder) {
    Workload w;
    for (const auto& c : nod::replay::load_capture_folder(folder)) {
        std::string s;
        for (const auto& l : c.lines) {
            s += l.text;
            s += '\n';
        }
        w.lines += c.lines.size();
        w.bytes += s.size();
        w.streams.push_back(std::move(s));
    }
    return w;
}

// What a big C++ build looks like on the wire: one actBuild and tens of thousands of log lines.
Workload chatty_build() {
    const std::uint64_t base = 4242ULL << 32;
    std::string s = R"({"action":"start","id":)" + std::to_string(base + 1) +
                    R"(,"level":0,"parent":0,"text":"","type":104})" "\n";
    s += R"({"action":"start","fields":["/nix/store/0123456789abcdfghijklmnpqrsvwxyz-chromium-131.0.drv","",1,1],"id":)" +
         std::to_string(base + 2) + R"(,"level":3,"parent":0,"text":"building","type":105})" "\n";
    std::size_t lines = 2;
    for (int i = 0; i < 50'000; ++i) {
        s += R"({"action":"result","fields":["[)" + std::to_string(i) +
             R"(/50000] c++ -O2 -fPIC -Iinclude -c ../src/components/viz/service/display/renderer_)" +
             std::to_string(i % 977) + R"(.cc -o obj/renderer.o"],"id":)" + std::to_string(base + 2) +
             R"(,"type":101})" "\n";
        ++lines;
        if (i % 500 == 0) {
            s += R"({"action":"result","fields":["buildPhase"],"id":)" + std::to_string(base + 2) + R"(,"type":104})" "\n";
            ++lines;
        }
    }
    s += R"({"action":"result","fields":[1,1,0,0],"id":)" + std::to_string(base + 1) + R"(,"type":105})" "\n";
    s += R"({"action":"stop","id":)" + std::to_string(base + 2) + "}\n";
    lines += 2;
    Workload w;
    w.lines = lines;
    w.bytes = s.size();
    w.streams.push_back(std::move(s));
    return w;
}

const std::map<std::string, Workload>& workloads() {
    static const std::map<std::string, Workload> all = [] {
        fs::path corpus = fs::path(NOD_TEST_DATA) / "corpus" / "nix-2.30";
        std::map<std::string, Workload> m;
        m["h6_many_builds"] = from_capture(corpus / "h6-daemon-many");
        m["h5_substitution"] = from_capture(corpus / "h5-daemon-subst");
        m["chatty_build"] = chatty_build();
        return m;
    }();
    return all;
}

constexpr std::size_t read_size = 64 * 1024;  // what the collector reads at a time

void Reader(benchmark::State& state, const std::string& name) {
    const Workload& w = workloads().at(name);
    std::vector<char> buffer(read_size);
    std::size_t rows = 0;
    for (auto _ : state) {
        nod::Reader reader({}, [&](nod::Row&& r) { benchmark::DoNotOptimize(r); ++rows; });
        for (const auto& stream : w.streams) {
            auto conn = reader.open({}, 0);
            for (std::size_t at = 0; at < stream.size(); at += read_size) {
                std::size_t n = std::min(read_size, stream.size() - at);
                std::memcpy(buffer.data(), stream.data() + at, n);  // the read(2) the collector does
                reader.feed(conn, buffer.data(), n, 0);
            }
            reader.close(conn, 0);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * w.lines));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * w.bytes));
    state.counters["rows"] = benchmark::Counter(static_cast<double>(rows) / static_cast<double>(state.iterations()));
    state.counters["lines"] = static_cast<double>(w.lines);  // the workload's size, for scripts/bench
}

// The baseline: frame lines, parse every one into a DOM in situ, do nothing with it.
void DomBaseline(benchmark::State& state, const std::string& name) {
    const Workload& w = workloads().at(name);
    std::vector<char> buffer(read_size + 1);
    std::string carry;
    rapidjson::Document doc;
    for (auto _ : state) {
        for (const auto& stream : w.streams) {
            for (std::size_t at = 0; at < stream.size(); at += read_size) {
                std::size_t n = std::min(read_size, stream.size() - at);
                std::memcpy(buffer.data(), stream.data() + at, n);
                char* p = buffer.data();
                char* end = p + n;
                while (p < end) {
                    char* nl = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
                    if (!nl) {
                        carry.append(p, end);
                        break;
                    }
                    *nl = '\0';
                    if (carry.empty()) {
                        doc.ParseInsitu(p);
                    } else {
                        carry.append(p, nl);
                        doc.ParseInsitu(carry.data());
                        carry.clear();
                    }
                    benchmark::DoNotOptimize(doc.HasParseError());
                    p = nl + 1;
                }
            }
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * w.lines));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * w.bytes));
    state.counters["lines"] = static_cast<double>(w.lines);
}

// Prints, after the usual table, each workload's reader throughput as a ratio of the baseline's.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            auto it = r.counters.find("items_per_second");
            if (it == r.counters.end()) continue;
            // With --benchmark_repetitions the median stands for the workload; without, the one run.
            if (r.run_type == Run::RT_Iteration && r.repetitions <= 1) rates_[r.run_name.str()] = it->second;
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") rates_[r.run_name.str()] = it->second;
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        std::cout << "\nworkload            reader lines/s   baseline lines/s   ratio (reader/baseline)\n";
        for (const auto& [name, w] : workloads()) {
            double reader = rates_["Reader/" + name], base = rates_["DomBaseline/" + name];
            if (reader == 0 || base == 0) continue;
            std::printf("%-18s %16.0f %18.0f   %.2f\n", name.c_str(), reader, base, reader / base);
        }
    }

private:
    std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
    for (const auto& [name, w] : workloads()) {
        benchmark::RegisterBenchmark(("Reader/" + name).c_str(), Reader, name);
        benchmark::RegisterBenchmark(("DomBaseline/" + name).c_str(), DomBaseline, name);
    }
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
