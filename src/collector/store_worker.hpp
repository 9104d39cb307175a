// The database writer's own thread, so that a slow commit, a WAL checkpoint, a prune or a Clean never
// keeps the event loop from reading Nix.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "reader/row.hpp"
#include "store/store.hpp"

namespace nod::collector {

class StoreWorker {
public:
    struct Events {
        std::function<void(std::size_t rows)> committed;  // called on the writer thread
    };

    StoreWorker(store::Store& store, Events events);
    ~StoreWorker();  // writes what is queued (one last attempt), then joins
    StoreWorker(const StoreWorker&) = delete;
    StoreWorker& operator=(const StoreWorker&) = delete;

    void write(std::vector<Row> rows);
    // Runs `task` on the writer thread after the rows queued before it were written (or kept).
    void run(std::function<void(store::Store&)> task);
    std::size_t unwritten() const;

    static constexpr std::size_t max_unwritten = 500'000;  // rows kept in memory while the disk is full
    static constexpr std::size_t batch_rows =
        10'000;  // rows per transaction (what bench/store/populate measures)

private:
    void loop();
    bool flush();  // false when the database refused the rows (they stay queued)

    store::Store& store_;
    Events events_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void(store::Store&)>> tasks_;
    std::vector<Row> incoming_;        // guarded by mutex_
    std::vector<Row> unwritten_;       // writer thread only
    std::size_t unwritten_count_ = 0;  // guarded by mutex_, for unwritten()
    bool stopping_ = false;
    bool failing_ = false;
    std::chrono::steady_clock::time_point retry_at_;  // while failing: the next attempt
    std::uint64_t dropped_ = 0;
    std::thread thread_;
};

}  // namespace nod::collector
