// The database writer's own thread, so that a slow commit, a WAL checkpoint, a prune or a Clean never
// keeps the event loop from reading Nix. It owns the Store: everything that writes goes through it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "reader/row.hpp"
#include "store/lifetime.hpp"
#include "store/store.hpp"

namespace nod::collector {

class StoreWorker {
public:
    // How a repeated job ended.
    enum class JobEnd { done, stopped, failed };
    // A step of a repeated job: true while there is more to do. Runs on the writer thread.
    using Step = std::function<bool(store::Store&)>;
    // Runs once on the writer thread when the job ends; `failure` is set when a step threw.
    using Finished = std::function<void(JobEnd end, std::exception_ptr failure)>;

    // `committed` runs on the writer thread after each transaction of rows. Rows beyond `max_unwritten_bytes`
    // in memory (while the database refuses them) are dropped, non-root ones first.
    StoreWorker(store::Store& store, std::size_t max_unwritten_bytes, std::function<void()> committed);
    ~StoreWorker();  // stop()
    StoreWorker(const StoreWorker&) = delete;
    StoreWorker& operator=(const StoreWorker&) = delete;

    // Any thread.
    void write(std::vector<Row> rows);
    // Runs `task` on the writer thread after the rows queued before it were written (or kept).
    void run(std::function<void(store::Store&)> task);
    // Work done a step at a time (retention, Clean by age): one step per turn of the writer, with the rows
    // that came meanwhile written between steps, until `step` returns false. stop() ends it after the step
    // at hand, so that a long prune never holds up an exit.
    void repeat(Step step, Finished finished);
    // Rows not yet stored, tasks queued or a repeated job under way: the collector is not idle.
    bool busy() const;
    std::size_t unwritten() const;
    // Memory the rows waiting for the database take (an estimate that counts their strings).
    std::size_t unwritten_bytes() const { return unwritten_bytes_.load(); }
    // The database refuses rows (disk full, locked): they are kept, up to the bound.
    bool failing() const { return failing_now_.load(); }
    // Transactions of rows the database refused since the start (each retry that fails counts).
    std::uint64_t write_errors() const { return write_errors_.load(); }
    // Rows dropped per reporting uid because more than the bound waited.
    std::map<std::uint32_t, std::uint64_t> dropped() const;
    // Rows stored, as of the last commit (the writer counts what it inserts and deletes).
    std::uint64_t rows() const { return rows_.load(); }
    // The lifetime totals as of the last commit of rows: read by the writer after each one (a few dozen
    // rows), so that Totals never waits for a query lane, where any user's slow query may be.
    std::shared_ptr<const store::Lifetime> lifetime() const;

    // Ends repeated jobs after their step at hand, writes what is queued (one last attempt), runs the queued
    // tasks and joins the thread. Idempotent.
    void stop();

    static constexpr std::size_t batch_rows = 10'000;  // rows per transaction

    // What a row takes in memory, roughly.
    static std::size_t row_bytes(const Row& row) {
        return sizeof(Row) + row.path.capacity() + row.name.capacity() + row.machine.capacity();
    }

private:
    struct Job {
        Step step;
        Finished finished;
    };

    void loop();
    bool flush();  // false when the database refused the rows (they stay queued)
    void drop_beyond_bound();
    void give_memory_back();
    void step_jobs(bool stopping);
    void publish_rows() { rows_ = store_.rows(); }
    void publish_lifetime() noexcept;

    store::Store& store_;
    const std::size_t max_unwritten_bytes_;
    std::function<void()> committed_;
    std::atomic<std::uint64_t> rows_{0};
    std::atomic<std::size_t> unwritten_bytes_{0};  // incoming_ + unwritten_
    std::atomic<bool> failing_now_{false};
    std::atomic<std::uint64_t> write_errors_{0};

    mutable std::mutex lifetime_mutex_;
    std::shared_ptr<const store::Lifetime> lifetime_;  // guarded by lifetime_mutex_; written by the writer

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // Guarded by mutex_:
    std::deque<std::function<void(store::Store&)>> tasks_;
    std::vector<Job> new_jobs_;
    std::vector<Row> incoming_;
    std::size_t unwritten_count_ = 0;
    std::size_t job_count_ = 0;  // jobs_ + new_jobs_
    bool stopping_ = false;
    std::map<std::uint32_t, std::uint64_t> dropped_;

    // The writer thread's own:
    std::vector<Row> unwritten_;
    std::list<Job> jobs_;
    bool failing_ = false;
    std::chrono::steady_clock::time_point retry_at_;  // while failing: the next attempt
    std::uint64_t dropped_total_ = 0;
    std::size_t written_since_trim_ = 0;
    static constexpr std::size_t trim_after_rows = batch_rows;  // trim after a flood, not after every batch

    std::thread thread_;  // last: starts when everything above is ready
};

}  // namespace nod::collector
