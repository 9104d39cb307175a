// Runs the read-only queries on threads of their own, with connections of their own, so that a query over a
// year of history never delays reading Nix (WAL lets it read while the writer writes). Any local user may
// call, so the queries are shared fairly: root's run on a thread of their own (root's `nodctl stats` never
// waits behind anyone's), everyone else's on another, the users taking turns, each with a bounded share of
// the queue; and every query has a deadline.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "store/database.hpp"

namespace nod::collector {

class QueryWorker {
public:
    // Gives a job its lane's read-only connection, opening it on first use; throws store::Error when it
    // cannot (the job reports that to its caller like any other failure). Past the query's deadline every
    // read on it throws store::Error(timed_out).
    using OpenDatabase = std::function<const store::Database&()>;
    using Job = std::function<void(const OpenDatabase&)>;

    enum class Queued { yes, user_full, full };

    QueryWorker(std::filesystem::path db, std::chrono::milliseconds timeout);
    ~QueryWorker();  // stop()
    QueryWorker(const QueryWorker&) = delete;
    QueryWorker& operator=(const QueryWorker&) = delete;

    // Any thread. `uid` is the caller's (0: root, whose lane is its own). Not queued: the caller's own
    // share is taken (user_full), or its lane's queue is (full).
    Queued submit(std::uint32_t uid, Job job);
    std::size_t queued() const;  // waiting or running, both lanes
    // Finishes the jobs at hand, drops the rest (their callers get no answer: we exit), joins. Idempotent.
    void stop();

    static constexpr std::size_t max_queued = 64;          // per lane, waiting or running
    static constexpr std::size_t max_queued_per_user = 8;  // of one non-root uid, waiting or running

private:
    enum class Lane { root, users };
    struct Thread;

    void loop(Lane lane);
    bool has_work(Lane lane) const;
    Job take(Lane lane, std::uint32_t& uid);

    const std::filesystem::path path_;
    const std::chrono::milliseconds timeout_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // Guarded by mutex_:
    std::deque<Job> root_jobs_;
    std::map<std::uint32_t, std::deque<Job>> user_jobs_;  // by uid
    std::deque<std::uint32_t> turns_;                     // uids with jobs waiting, whose turn is next first
    std::map<std::uint32_t, std::size_t> running_;        // by uid
    std::size_t root_queued_ = 0, users_queued_ = 0;      // waiting or running, per lane
    bool stopping_ = false;

    std::thread root_thread_, users_thread_;  // last: started when everything above is ready
};

}  // namespace nod::collector
