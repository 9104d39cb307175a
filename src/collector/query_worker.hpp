// Runs the read-only queries on a thread of their own, with a connection of their own, so that a query
// over a year of history never delays reading Nix (WAL lets it read while the writer writes).
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "store/database.hpp"

namespace nod::collector {

class QueryWorker {
public:
    // Gives a job the worker's read-only connection, opening it on first use; throws store::Error when it
    // cannot (the job reports that to its caller like any other failure).
    using OpenDatabase = std::function<const store::Database&()>;
    using Job = std::function<void(const OpenDatabase&)>;

    explicit QueryWorker(std::filesystem::path db);
    ~QueryWorker();  // stop()
    QueryWorker(const QueryWorker&) = delete;
    QueryWorker& operator=(const QueryWorker&) = delete;

    // False when `max_queued` jobs already wait: the caller answers "busy" instead.
    bool submit(Job job);
    std::size_t queued() const;
    // Finishes the job at hand, drops the rest (their callers get no answer: we exit), joins. Idempotent.
    void stop();

    static constexpr std::size_t max_queued = 64;

private:
    void loop();

    std::filesystem::path path_;
    std::unique_ptr<store::Database> db_;  // the worker thread's: opened on first use
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;    // guarded by mutex_
    std::size_t running_ = 0; // guarded by mutex_
    bool stopping_ = false;   // guarded by mutex_
    std::thread thread_;      // last: starts when everything above is ready
};

}  // namespace nod::collector
