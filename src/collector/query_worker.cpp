#include "collector/query_worker.hpp"

#include "collector/thread_priority.hpp"

namespace nod::collector {

QueryWorker::QueryWorker(std::filesystem::path db, std::chrono::milliseconds timeout)
    : path_(std::move(db)),
      timeout_(timeout),
      root_thread_([this] { loop(Lane::root); }),
      users_thread_([this] { loop(Lane::users); }) {}

QueryWorker::~QueryWorker() { stop(); }

void QueryWorker::stop() {
    std::deque<Job> dropped_root;
    std::map<std::uint32_t, std::deque<Job>> dropped_users;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        dropped_root.swap(root_jobs_);
        dropped_users.swap(user_jobs_);
        turns_.clear();
    }
    wake_.notify_all();
    if (root_thread_.joinable()) root_thread_.join();
    if (users_thread_.joinable()) users_thread_.join();
}

QueryWorker::Queued QueryWorker::submit(std::uint32_t uid, Job job) {
    {
        std::lock_guard lock(mutex_);
        if (uid == 0) {
            if (root_queued_ >= max_queued) return Queued::full;
            root_jobs_.push_back(std::move(job));
            ++root_queued_;
        } else {
            auto& waiting = user_jobs_[uid];
            auto running = running_.find(uid);
            std::size_t mine = waiting.size() + (running == running_.end() ? 0 : running->second);
            if (mine >= max_queued_per_user || users_queued_ >= max_queued) {
                if (waiting.empty()) user_jobs_.erase(uid);
                return mine >= max_queued_per_user ? Queued::user_full : Queued::full;
            }
            if (waiting.empty()) turns_.push_back(uid);
            waiting.push_back(std::move(job));
            ++users_queued_;
        }
    }
    wake_.notify_all();
    return Queued::yes;
}

std::size_t QueryWorker::queued() const {
    std::lock_guard lock(mutex_);
    return root_queued_ + users_queued_;
}

bool QueryWorker::has_work(Lane lane) const { return lane == Lane::root ? !root_jobs_.empty() : !turns_.empty(); }

// The next job of the lane: root's in order; the users' one at a time each, in turn.
QueryWorker::Job QueryWorker::take(Lane lane, std::uint32_t& uid) {
    if (lane == Lane::root) {
        uid = 0;
        Job job = std::move(root_jobs_.front());
        root_jobs_.pop_front();
        return job;
    }
    uid = turns_.front();
    turns_.pop_front();
    auto& waiting = user_jobs_[uid];
    Job job = std::move(waiting.front());
    waiting.pop_front();
    if (waiting.empty())
        user_jobs_.erase(uid);
    else
        turns_.push_back(uid);
    return job;
}

void QueryWorker::loop(Lane lane) {
    // Other users' queries yield to everything else; root's run at the collector's own priority, as its
    // loops do, so that a machine kept busy by other users' processes still answers root.
    if (lane == Lane::users) run_in_background("the query thread");
    std::unique_ptr<store::Database> db;  // this lane's own connection
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || has_work(lane); });
        if (stopping_) return;
        std::uint32_t uid = 0;
        Job job = take(lane, uid);
        ++running_[uid];
        lock.unlock();
        store::Database::Deadline deadline = std::chrono::steady_clock::now() + timeout_;
        // The job reports its own errors, store::Error from opening and timed_out included, to its caller.
        job([&]() -> const store::Database& {
            if (!db) db = std::make_unique<store::Database>(path_, store::Access::read_only);
            db->set_deadline(deadline);
            return *db;
        });
        if (db) db->set_deadline(std::nullopt);
        job = nullptr;  // its captures go here, outside the lock
        lock.lock();
        if (--running_[uid] == 0) running_.erase(uid);
        --(lane == Lane::root ? root_queued_ : users_queued_);
    }
}

}  // namespace nod::collector
