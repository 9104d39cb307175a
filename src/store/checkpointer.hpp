// Copies the WAL back into the database file on a thread of its own, with its own connection, so that the
// writer never waits for those writes and their fsync. SQLite runs a PASSIVE checkpoint beside a writer
// without blocking either. The writer asks for one from a quarter of its checkpoint limit on and copies
// the few pages left itself only at the limit (Store::on_wal_commit), which keeps the WAL bounded.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite.hpp"

namespace nod::store {

class Checkpointer {
public:
    // Opens a second read-write connection to `path`; throws store::Error naming `context` on failure.
    Checkpointer(const std::string& path, const std::string& context);
    ~Checkpointer();  // finishes a running checkpoint, then joins
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Asks for one checkpoint soon; requests made while one runs are merged into the next.
    void request() noexcept;
    // Returns once no checkpoint runs or is asked for on this thread.
    void wait_idle();

private:
    void loop();

    sql::ConnectionPtr db_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    bool requested_ = false;
    bool running_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace nod::store
