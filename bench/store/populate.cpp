// Fills a database with synthetic rows through the real writer (store::Store::write), and reports the
// sustained insert rate and the file size per row.
// Usage: populate --db FILE --rows N --days D [--batch B] [--names K] [--seed S]
#include <boost/program_options.hpp>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "store/error.hpp"
#include "store/store.hpp"
#include "synthetic.hpp"

namespace po = boost::program_options;

namespace {

nod::Micros now_micros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// CPU time of this thread: on a shared machine the wall time of the writer also counts the other
// processes' turns on the cores, its own CPU time much less so.
double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

std::uintmax_t size_of(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : size;
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description options("populate: fill a nod database with synthetic rows");
    std::string db;
    nod::bench::SyntheticOptions synthetic;
    std::size_t batch = 10'000;
    options.add_options()("help,h", "show this help")("db", po::value(&db)->required(), "database file")(
        "rows", po::value(&synthetic.rows)->default_value(1'000'000), "rows to write")(
        "days", po::value(&synthetic.days)->default_value(365), "days the rows span, ending now")(
        "batch", po::value(&batch)->default_value(10'000), "rows per transaction")(
        "names", po::value(&synthetic.names)->default_value(20'000), "distinct derivation names")(
        "seed", po::value(&synthetic.seed)->default_value(1), "random seed");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, options), vm);
        if (vm.count("help") != 0U) {
            std::cout << options;
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "populate: " << e.what() << "\n" << options;
        return 2;
    }
    synthetic.end = now_micros();
    try {
        nod::store::Store store(db);
        nod::bench::SyntheticRows rows(synthetic);
        std::uint64_t written = 0;
        std::chrono::duration<double> writing{};
        double writing_cpu = 0;
        auto wall_start = std::chrono::steady_clock::now();
        for (auto chunk = rows.next(batch); !chunk.empty(); chunk = rows.next(batch)) {
            auto start = std::chrono::steady_clock::now();
            double start_cpu = thread_cpu_seconds();
            store.write(chunk);  // only the writer is timed, not the generator
            writing_cpu += thread_cpu_seconds() - start_cpu;
            writing += std::chrono::steady_clock::now() - start;
            written += chunk.size();
            if (written % 1'000'000 < batch)
                std::fprintf(stderr, "%llu rows, %.0f rows/s\n", static_cast<unsigned long long>(written),
                             static_cast<double>(written) / writing.count());
        }
        store.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;
        auto bytes = size_of(db);
        auto per_second = [&](double seconds) { return seconds > 0 ? static_cast<double>(written) / seconds : 0.0; };
        std::printf("rows %llu  days %d  batch %zu  in Store::write %.1f s = %.0f rows/s  "
                    "(its CPU time %.1f s = %.0f rows/s; wall with row generation %.1f s = %.0f rows/s)  "
                    "file %.1f MB = %.1f bytes/row\n",
                    static_cast<unsigned long long>(written), synthetic.days, batch, writing.count(),
                    per_second(writing.count()), writing_cpu, per_second(writing_cpu), wall.count(),
                    per_second(wall.count()), static_cast<double>(bytes) / 1e6,
                    static_cast<double>(bytes) / static_cast<double>(std::max<std::uint64_t>(written, 1)));
        return 0;
    } catch (const nod::store::Error& e) {
        std::fprintf(stderr, "populate: %s\n", e.what());
        return 1;
    }
}
