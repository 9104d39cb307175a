// Logging to stderr the way systemd's journal wants it: "<N>message" priority prefixes when stderr is
// connected to the journal ($JOURNAL_STREAM), plain "nod-collector: message" otherwise.
#pragma once

#include <string_view>

namespace nod::log {

enum class Priority { err = 3, warning = 4, notice = 5, info = 6, debug = 7 };

void write(Priority priority, std::string_view message);
inline void error(std::string_view m) { write(Priority::err, m); }
inline void warning(std::string_view m) { write(Priority::warning, m); }
inline void notice(std::string_view m) { write(Priority::notice, m); }
inline void info(std::string_view m) { write(Priority::info, m); }

}  // namespace nod::log
