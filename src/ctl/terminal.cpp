#include "ctl/terminal.hpp"

#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace nod::ctl {

bool want_color(bool no_color_flag) {
    if (no_color_flag) return false;
    if (const char* v = std::getenv("NO_COLOR"); v && *v) return false;
    if (const char* t = std::getenv("TERM"); t && std::string_view(t) == "dumb") return false;
    return isatty(STDOUT_FILENO) == 1;
}

bool utf8_locale() {
    std::setlocale(LC_CTYPE, "");
    const char* codeset = nl_langinfo(CODESET);
    bool utf8 = codeset && (std::strcmp(codeset, "UTF-8") == 0 || std::strcmp(codeset, "utf8") == 0);
    std::setlocale(LC_CTYPE, "C");
    return utf8;
}

namespace {

// The variable `name` when it is a positive number, else the terminal's size as `measure` reads it from
// TIOCGWINSZ, else `fallback`.
std::size_t terminal_extent(const char* name, unsigned short winsize::*measure, std::size_t fallback) {
    if (const char* c = std::getenv(name); c && *c) {
        std::size_t v = 0;
        auto [end, ec] = std::from_chars(c, c + std::strlen(c), v);
        if (ec == std::errc() && *end == '\0' && v > 0) return v;
    }
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.*measure > 0) return ws.*measure;
    return fallback;
}

}  // namespace

std::size_t terminal_width() { return terminal_extent("COLUMNS", &winsize::ws_col, 80); }
std::size_t terminal_height() { return terminal_extent("LINES", &winsize::ws_row, 24); }

}  // namespace nod::ctl
