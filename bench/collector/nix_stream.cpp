#include "nix_stream.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "store/database.hpp"
#include "store/row_reader.hpp"
#include "support/processes.hpp"

namespace nod::bench {

Micros now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double Latencies::max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }

double Latencies::quantile(double q) const {
    if (ms.empty()) return 0;
    auto v = ms;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

std::map<std::uint64_t, Micros> send_builds(const std::filesystem::path& socket, std::uint64_t first_id,
                                            double seconds, const std::atomic<bool>* done) {
    using namespace std::chrono_literals;
    std::map<std::uint64_t, Micros> sent;
    test::NixConnection nix(socket);
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    auto more = [&] { return std::chrono::steady_clock::now() < end || (done && !*done); };
    for (std::uint64_t id = first_id; more(); ++id) {
        std::string drv = "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-stall-" + std::to_string(id) + ".drv";
        std::string lines = R"({"action":"start","fields":[")" + drv + R"(","",1,1],"id":)" + std::to_string(id) +
                            R"(,"level":3,"parent":0,"text":"","type":105})" "\n" R"({"action":"stop","id":)" +
                            std::to_string(id) + "}\n";
        sent[id] = now_micros();
        nix.write(lines);
        std::this_thread::sleep_for(2ms);
    }
    return sent;
}

Latencies read_latencies(const std::filesystem::path& db, const std::map<std::uint64_t, Micros>& sent) {
    Latencies l;
    store::Database database(db, store::Access::read_only);
    store::for_each_row(database, [&](const store::StoredRow& r) {
        auto it = sent.find(r.row.activity_id);
        if (it != sent.end() && r.row.name.starts_with("stall-"))
            l.ms.push_back(static_cast<double>(r.row.start - it->second) / 1000.0);
    });
    return l;
}

}  // namespace nod::bench
