#include "collector/mailbox.hpp"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "collector/log.hpp"

namespace nod::collector {

Mailbox::Mailbox() : event_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!event_) throw std::runtime_error(std::string("creating an eventfd: ") + std::strerror(errno));
}

void Mailbox::post(std::function<void()> task, bool urgent) {
    {
        std::lock_guard lock(mutex_);
        (urgent ? urgent_ : tasks_).push_back(std::move(task));
    }
    std::uint64_t one = 1;
    ssize_t ignored =
        ::write(event_.get(), &one, sizeof one);  // only fails when the counter is full: still readable
    (void)ignored;
}

void Mailbox::run_pending() {
    std::uint64_t count = 0;
    ssize_t ignored = ::read(event_.get(), &count, sizeof count);
    (void)ignored;
    std::deque<std::function<void()>> urgent, tasks;
    {
        std::lock_guard lock(mutex_);
        urgent.swap(urgent_);
        tasks.swap(tasks_);
    }
    for (auto* queue : {&urgent, &tasks}) {
        for (auto& t : *queue) {
            // One failing task must not cost the others their turn, nor leave through sd-event's C frames.
            try {
                t();
            } catch (const std::exception& e) {
                log::error(std::string("a task handed to the event loop failed: ") + e.what());
            }
            // Root's answers that came meanwhile go next.
            if (queue == &tasks) run_urgent();
        }
    }
}

void Mailbox::run_urgent() {
    std::deque<std::function<void()>> urgent;
    {
        std::lock_guard lock(mutex_);
        urgent.swap(urgent_);
    }
    for (auto& t : urgent) {
        try {
            t();
        } catch (const std::exception& e) {
            log::error(std::string("a task handed to the event loop failed: ") + e.what());
        }
    }
}

void Mailbox::discard_pending() {
    std::deque<std::function<void()>> urgent, tasks;
    {
        std::lock_guard lock(mutex_);
        urgent.swap(urgent_);
        tasks.swap(tasks_);
    }
}  // destroyed here, on the caller's thread, outside the lock

}  // namespace nod::collector
