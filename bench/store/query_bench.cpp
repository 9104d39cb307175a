// The queries on a database filled by bench/store/populate, on a read-only connection as the daemon runs
// them. Usage: query_bench --db=FILE [Google Benchmark flags]. "Now" is noon of the newest day stored.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "queries/bucket.hpp"
#include "queries/stats.hpp"
#include "queries/comparison.hpp"
#include "store/database.hpp"

namespace {

using namespace nod;
using namespace nod::queries;

std::unique_ptr<store::Database> db;
Micros now = 0;

template <typename Query>
void run(benchmark::State& state, Query query) {
    for (auto _ : state) benchmark::DoNotOptimize(query());
}

void stats_last_3_months(benchmark::State& state) {
    run(state, [] { return nod::queries::stats(*db, {.window = Window::last_months(3)}, now); });
}
void stats_all_time(benchmark::State& state) {
    run(state, [] { return nod::queries::stats(*db, {.window = Window::all_time()}, now); });
}
void bucket_day_year(benchmark::State& state) {
    run(state, [] { return bucket(*db, {.window = Window::last_days(365), .unit = BucketUnit::day}, now); });
}
void bucket_week_year(benchmark::State& state) {
    run(state, [] { return bucket(*db, {.window = Window::last_days(365), .unit = BucketUnit::week}, now); });
}
void filter_all_time(benchmark::State& state) {  // "python3" matches a tenth of the names
    run(state, [] { return nod::queries::stats(*db, {.window = Window::all_time(), .name_filter = "python3"}, now); });
}
void filter_one_name_all_time(benchmark::State& state) {
    run(state, [] { return nod::queries::stats(*db, {.window = Window::all_time(), .name_filter = "gtk-3.4"}, now); });
}
void group_all_time(benchmark::State& state) {
    run(state, [] {
        return nod::queries::stats(*db, {.window = Window::all_time(), .group_by = nod::queries::GroupBy::name, .sort = SortBy::time, .limit = 20},
                     now);
    });
}
void filter_group_last_30_days(benchmark::State& state) {
    run(state, [] {
        return nod::queries::stats(*db, {.window = Window::last_days(30), .name_filter = "python3", .group_by = nod::queries::GroupBy::name}, now);
    });
}
void group_last_30_days(benchmark::State& state) {
    run(state, [] { return nod::queries::stats(*db, {.window = Window::last_days(30), .group_by = nod::queries::GroupBy::name, .limit = 20}, now); });
}
void test_30_days(benchmark::State& state) {
    run(state, [] { return compare_windows(*db, {.window = Window::last_days(30)}, now); });
}
void test_30_days_grouped(benchmark::State& state) {
    run(state, [] { return compare_windows(*db, {.window = Window::last_days(30), .group_by_name = true}, now); });
}

}  // namespace

BENCHMARK(stats_last_3_months)->Unit(benchmark::kMillisecond);
BENCHMARK(stats_all_time)->Unit(benchmark::kMillisecond);
BENCHMARK(bucket_day_year)->Unit(benchmark::kMillisecond);
BENCHMARK(bucket_week_year)->Unit(benchmark::kMillisecond);
BENCHMARK(filter_all_time)->Unit(benchmark::kMillisecond);
BENCHMARK(filter_one_name_all_time)->Unit(benchmark::kMillisecond);
BENCHMARK(group_all_time)->Unit(benchmark::kMillisecond);
BENCHMARK(filter_group_last_30_days)->Unit(benchmark::kMillisecond);
BENCHMARK(group_last_30_days)->Unit(benchmark::kMillisecond);
BENCHMARK(test_30_days)->Unit(benchmark::kMillisecond);
BENCHMARK(test_30_days_grouped)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    std::string path;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {  // take --db=FILE out before Google Benchmark sees the flags
        if (std::strncmp(argv[i], "--db=", 5) == 0)
            path = argv[i] + 5;
        else
            argv[kept++] = argv[i];
    }
    argc = kept;
    if (path.empty()) {
        std::fprintf(stderr, "usage: %s --db=FILE [benchmark flags]\n", argv[0]);
        return 2;
    }
    db = std::make_unique<store::Database>(path, store::Access::read_only);
    store::Day newest = static_cast<store::Day>(db->query_int("SELECT max(day) FROM day_totals"));
    now = store::local_day_start(newest) + 12 * 3600 * 1'000'000LL;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
