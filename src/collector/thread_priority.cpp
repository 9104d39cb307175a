#include "collector/thread_priority.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "collector/log.hpp"

namespace nod::collector {

void run_in_background(const char* what) {
    // On Linux, nice is per thread: PRIO_PROCESS with a thread id changes only that thread.
    auto tid = static_cast<id_t>(syscall(SYS_gettid));
    if (setpriority(PRIO_PROCESS, tid, 10) < 0)
        log::warning(std::string("lowering the priority of ") + what + ": " + std::strerror(errno));
    sched_param param{};
    // SCHED_BATCH: the scheduler never lets this thread preempt the loop on wakeup.
    if (pthread_setschedparam(pthread_self(), SCHED_BATCH, &param) != 0)
        log::warning(std::string("making ") + what + " a batch thread failed");
}

}  // namespace nod::collector
