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
    // Any thread: queue `task` and wake the loop. Urgent tasks (root's answers) run before the others
    // waiting: an answer to root must not wait behind the marshalling of other users' large replies.
    void post(std::function<void()> task, bool urgent = false);
    // The loop's thread, when fd() is readable: runs everything queued so far.
    void run_pending();
    // The loop's thread, at shutdown: drops what is queued without running it.
    void discard_pending();
    int fd() const { return event_.get(); }

private:
    void run_urgent();

    UniqueFd event_;
    std::mutex mutex_;
    std::deque<std::function<void()>> urgent_, tasks_;  // guarded by mutex_
};

}  // namespace nod::collector
