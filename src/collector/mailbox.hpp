// Work handed to an event loop's thread from others: the main loop gets the workers' results and the
// calls' answers (it alone touches the bus), the Nix reading loop its controls (stop, stop accepting).
#pragma once

#include <deque>
#include <functional>
#include <mutex>

#include "collector/unique_fd.hpp"

namespace nod::collector {

class Mailbox {
public:
    Mailbox();  // throws std::runtime_error when no eventfd can be made
    // Any thread: queue `task` and wake the loop.
    void post(std::function<void()> task);
    // The loop's thread, when fd() is readable: runs everything queued so far.
    void run_pending();
    // The loop's thread, at shutdown: drops what is queued without running it.
    void discard_pending();
    int fd() const { return event_.get(); }

private:
    UniqueFd event_;
    std::mutex mutex_;
    std::deque<std::function<void()>> tasks_;
};

}  // namespace nod::collector
