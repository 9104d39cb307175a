#include "collector/query_worker.hpp"

#include "collector/thread_priority.hpp"

namespace nod::collector {

QueryWorker::QueryWorker(std::filesystem::path db) : path_(std::move(db)), thread_([this] { loop(); }) {}

QueryWorker::~QueryWorker() { stop(); }

void QueryWorker::stop() {
    std::deque<Job> dropped;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        dropped.swap(jobs_);
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

bool QueryWorker::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (jobs_.size() + running_ >= max_queued) return false;
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

std::size_t QueryWorker::queued() const {
    std::lock_guard lock(mutex_);
    return jobs_.size() + running_;
}

void QueryWorker::loop() {
    run_in_background("the query thread");
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        Job job = std::move(jobs_.front());
        jobs_.pop_front();
        ++running_;
        lock.unlock();
        // The job reports its own errors, store::Error from opening included, to its caller.
        job([this]() -> const store::Database& {
            if (!db_) db_ = std::make_unique<store::Database>(path_, store::Access::read_only);
            return *db_;
        });
        lock.lock();
        --running_;
    }
}

}  // namespace nod::collector
