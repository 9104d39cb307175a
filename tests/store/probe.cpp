// Runs one store operation in its own process, for tests that need a private mount namespace
// (a read-only or tiny file system). Prints "ok ..." or "error CODE: MESSAGE".
// Usage: store-probe create DB | store-probe open DB | store-probe disk-full FOLDER
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "store/error.hpp"
#include "store/store.hpp"
#include "support.hpp"

namespace {

using namespace nod::store;

std::vector<nod::Row> batch(std::mt19937_64& random) {
    return testing::random_rows(random, 200, testing::utc(2026, 1, 1), 30LL * 86'400'000'000LL);
}

// Fills the file system until a write fails with disk_full, frees space, then writes the failed batch again.
int disk_full(const std::string& folder) {
    std::string ballast = folder + "/ballast";
    std::ofstream(ballast) << std::string(512 * 1024, 'x');
    Store store(folder + "/nod.db");
    std::mt19937_64 random(1);
    std::vector<nod::Row> rows;
    std::int64_t committed = 0;
    for (int i = 0;; ++i) {
        rows = batch(random);
        try {
            store.write(rows);
            committed += static_cast<std::int64_t>(rows.size());
        } catch (const Error& e) {
            if (e.code() != ErrorCode::disk_full) throw;
            std::printf("full after %lld rows: %s\n", static_cast<long long>(committed), e.what());
            break;
        }
        if (i > 100000) {
            std::printf("error other: the file system never filled up\n");
            return 1;
        }
    }
    auto after_failure = store.database().query_int("SELECT count(*) FROM rows");
    if (after_failure != committed) {
        std::printf("error other: %lld rows committed but %lld found\n", static_cast<long long>(committed),
                    static_cast<long long>(after_failure));
        return 1;
    }
    std::remove(ballast.c_str());
    store.write(rows);  // the same batch, now that there is room
    auto after_retry = store.database().query_int("SELECT count(*) FROM rows");
    auto difference =
        testing::describe_difference(testing::read_aggregates(store.database()), testing::recount_aggregates(store.database()));
    if (after_retry != committed + static_cast<std::int64_t>(rows.size()) || !difference.empty()) {
        std::printf("error other: after retry %lld rows; %s\n", static_cast<long long>(after_retry), difference.c_str());
        return 1;
    }
    std::printf("ok committed=%lld retried=%zu\n", static_cast<long long>(committed), rows.size());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s create|open|disk-full PATH\n", argv[0]);
        return 2;
    }
    std::string command = argv[1];
    try {
        if (command == "disk-full") return disk_full(argv[2]);
        Store store(argv[2]);
        if (command == "create") {
            std::mt19937_64 random(2);
            store.write(batch(random));
        }
        std::printf("ok\n");
        return 0;
    } catch (const Error& e) {
        std::printf("error %s: %s\n", std::string(to_string(e.code())).c_str(), e.what());
        return 3;
    }
}
