#include "collector/log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace nod::log {

namespace {

bool journal() {
    static const bool yes = [] {
        const char* s = std::getenv("JOURNAL_STREAM");
        return s && *s;
    }();
    return yes;
}

}  // namespace

void write(Priority priority, std::string_view message) {
    std::string line = journal() ? "<" + std::to_string(static_cast<int>(priority)) + ">" : "nod-collector: ";
    line.append(message);
    line.push_back('\n');
    // One write(2) per line so that lines from the worker threads never interleave.
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

}  // namespace nod::log
