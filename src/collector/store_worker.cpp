#include "collector/store_worker.hpp"

#include <algorithm>
#include <malloc.h>

#include <chrono>

#include "collector/log.hpp"
#include "collector/thread_priority.hpp"
#include "store/error.hpp"

namespace nod::collector {

namespace {
constexpr auto retry_every = std::chrono::seconds(5);
}

StoreWorker::StoreWorker(store::Store& store, std::size_t max_unwritten_bytes, std::function<void()> committed)
    : store_(store),
      max_unwritten_bytes_(max_unwritten_bytes),
      committed_(std::move(committed)),
      rows_(store.rows()),
      lifetime_(std::make_shared<const store::Lifetime>(store::read_lifetime(store.database()))),
      thread_([this] { loop(); }) {}

std::shared_ptr<const store::Lifetime> StoreWorker::lifetime() const {
    std::lock_guard lock(lifetime_mutex_);
    return lifetime_;
}

// After a commit of rows. A failed read keeps the last totals (a scrape shows them a little behind) and
// is not a failed write: the rows are in.
void StoreWorker::publish_lifetime() noexcept {
    try {
        auto fresh = std::make_shared<const store::Lifetime>(store::read_lifetime(store_.database()));
        std::lock_guard lock(lifetime_mutex_);
        lifetime_ = std::move(fresh);
    } catch (const std::exception& e) {
        log::warning(std::string(e.what()) + "; Totals answers with the figures of the commit before");
    }
}

StoreWorker::~StoreWorker() { stop(); }

void StoreWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void StoreWorker::write(std::vector<Row> rows) {
    if (rows.empty()) return;
    std::size_t bytes = 0;
    for (const Row& row : rows) bytes += row_bytes(row);
    {
        std::lock_guard lock(mutex_);
        std::move(rows.begin(), rows.end(), std::back_inserter(incoming_));
    }
    unwritten_bytes_ += bytes;
    wake_.notify_one();
}

std::map<std::uint32_t, std::uint64_t> StoreWorker::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

void StoreWorker::run(std::function<void(store::Store&)> task) {
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
}

void StoreWorker::repeat(Step step, Finished finished) {
    {
        std::lock_guard lock(mutex_);
        new_jobs_.push_back({std::move(step), std::move(finished)});
        ++job_count_;
    }
    wake_.notify_one();
}

bool StoreWorker::busy() const {
    std::lock_guard lock(mutex_);
    return unwritten_count_ + incoming_.size() > 0 || !tasks_.empty() || job_count_ > 0;
}

std::size_t StoreWorker::unwritten() const {
    std::lock_guard lock(mutex_);
    return unwritten_count_ + incoming_.size();
}

void StoreWorker::loop() {
    run_in_background("the database writer");
    std::unique_lock lock(mutex_);
    for (;;) {
        auto has_work = [&] {
            return stopping_ || !incoming_.empty() || !tasks_.empty() || !new_jobs_.empty();
        };
        if (!jobs_.empty()) {
            // A repeated job under way: one step per turn, no waiting in between.
        } else if (failing_) {
            // New rows only join the held ones: retrying on every arrival would hammer a full disk (and
            // re-send thousands of rows) several times a second while Nix is busy.
            wake_.wait_until(lock, retry_at_,
                             [&] { return stopping_ || !tasks_.empty() || !new_jobs_.empty(); });
        } else {
            wake_.wait(lock, has_work);
        }

        std::move(incoming_.begin(), incoming_.end(), std::back_inserter(unwritten_));
        // After a flood its capacity would stay at the flood's peak.
        if (incoming_.capacity() > batch_rows)
            std::vector<Row>().swap(incoming_);
        else
            incoming_.clear();
        auto tasks = std::move(tasks_);
        tasks_.clear();
        for (Job& job : new_jobs_) jobs_.push_back(std::move(job));
        new_jobs_.clear();
        bool stopping = stopping_;
        unwritten_count_ = unwritten_.size();
        lock.unlock();

        if (!failing_ || stopping || std::chrono::steady_clock::now() >= retry_at_) flush();
        for (auto& task : tasks) task(store_);
        publish_rows();
        step_jobs(stopping);

        lock.lock();
        unwritten_count_ = unwritten_.size();
        job_count_ = jobs_.size() + new_jobs_.size();
        if (stopping && incoming_.empty() && tasks_.empty() && new_jobs_.empty()) break;
    }
    if (!unwritten_.empty()) {
        log::error("exiting with " + std::to_string(unwritten_.size()) + " rows that " +
                   store_.database().context() + " did not take");
    }
}

// One step of each job; at stop, the jobs end where they are (a prune resumes at the next start).
void StoreWorker::step_jobs(bool stopping) {
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        JobEnd end = JobEnd::stopped;
        std::exception_ptr failure;
        if (!stopping) {
            try {
                if (it->step(store_)) {
                    ++it;
                    continue;
                }
                end = JobEnd::done;
            } catch (...) {
                end = JobEnd::failed;
                failure = std::current_exception();
            }
            publish_rows();
        }
        Finished finished = std::move(it->finished);
        it = jobs_.erase(it);
        if (finished) finished(end, failure);
    }
    publish_rows();
}

// Past the bound the rows that non-root connections reported go first, oldest first, then root's:
// a flood from one user must not cost root's builds their rows.
void StoreWorker::drop_beyond_bound() {
    std::size_t bytes = unwritten_bytes_.load();
    if (bytes <= max_unwritten_bytes_) return;
    std::map<std::uint32_t, std::uint64_t> dropped;
    std::size_t freed = 0;
    for (bool root_too : {false, true}) {
        auto keep = std::stable_partition(unwritten_.begin(), unwritten_.end(), [&](const Row& row) {
            if (bytes - freed <= max_unwritten_bytes_ || (row.uid == 0 && !root_too)) return true;
            freed += row_bytes(row);
            ++dropped[row.uid];
            return false;
        });
        unwritten_.erase(keep, unwritten_.end());
    }
    unwritten_bytes_ -= freed;
    std::uint64_t n = 0;
    for (const auto& [uid, count] : dropped) n += count;
    dropped_total_ += n;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [uid, count] : dropped) dropped_[uid] += count;
    }
    log::error("dropped " + std::to_string(n) + " unwritten rows (" + std::to_string(dropped_total_) +
               " so far): more than " + std::to_string(max_unwritten_bytes_ >> 20) +
               " MiB of rows waited for the database; rows of root's connections go last");
}

bool StoreWorker::flush() {
    drop_beyond_bound();
    std::size_t done = 0, done_bytes = 0;
    try {
        while (done < unwritten_.size()) {
            std::size_t n = std::min(batch_rows, unwritten_.size() - done);
            store_.write(std::span<const Row>(unwritten_.data() + done, n));
            for (std::size_t i = done; i < done + n; ++i) done_bytes += row_bytes(unwritten_[i]);
            done += n;
            publish_rows();
            publish_lifetime();
            if (committed_) committed_();
        }
    } catch (const store::Error& e) {
        unwritten_.erase(unwritten_.begin(), unwritten_.begin() + static_cast<std::ptrdiff_t>(done));
        unwritten_bytes_ -= done_bytes;
        if (!failing_) {
            log::error(std::string(e.what()) + "; keeping " + std::to_string(unwritten_.size()) +
                       " rows in memory and trying again every 5 s (Nix is still read)");
        }
        failing_ = true;
        failing_now_ = true;
        ++write_errors_;
        retry_at_ = std::chrono::steady_clock::now() + retry_every;
        return false;
    }
    if (failing_ && done > 0) log::notice("writing to " + store_.database().path() + " works again");
    failing_ = false;
    failing_now_ = false;
    unwritten_.clear();
    unwritten_bytes_ -= done_bytes;
    written_since_trim_ += done;
    give_memory_back();
    return true;
}

// After a flood the row vector, SQLite's page cache and the heap keep their peak: once the rows are all
// written (none waiting), what is free goes back to the system (main.cpp fixes glibc's trim thresholds so
// that it can).
void StoreWorker::give_memory_back() {
    if (unwritten_.capacity() > batch_rows) std::vector<Row>().swap(unwritten_);
    if (written_since_trim_ < trim_after_rows || unwritten_bytes_.load() > 0) return;
    written_since_trim_ = 0;
    store_.release_memory();
    malloc_trim(0);
}

}  // namespace nod::collector
