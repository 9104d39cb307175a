#include "store/checkpointer.hpp"

#include "store/error.hpp"

namespace nod::store {

Checkpointer::Checkpointer(const std::string& path, const std::string& context) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK)
        throw_sqlite(rc, "opening " + context + " for checkpoints", raw ? sqlite3_errmsg(raw) : "");
    // SQLite opens the WAL on a connection's first read; until then a checkpoint does nothing (-1 frames).
    sql::query_int(db_.get(), "SELECT count(*) FROM sqlite_schema",
                   "opening " + context + " for checkpoints");
    thread_ = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void Checkpointer::request() noexcept {
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wake_.notify_one();
}

void Checkpointer::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return (!requested_ && !running_) || stopping_; });
}

void Checkpointer::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return requested_ || stopping_; });
        if (stopping_) return;
        requested_ = false;
        running_ = true;
        lock.unlock();
        // A failure (a full disk, say) leaves the WAL as it is: nothing is lost, the next request retries,
        // and the writer's own checkpoints and commits report the cause.
        sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
        running_ = false;
        idle_.notify_all();
    }
}

}  // namespace nod::store
