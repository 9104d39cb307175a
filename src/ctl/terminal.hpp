// What nodctl asks of the terminal: colour or not, UTF-8 or not, how wide.
#pragma once

#include <cstddef>

namespace nod::ctl {

// Colour on stdout: a terminal, NO_COLOR unset or empty, TERM not "dumb", and not --no-color.
bool want_color(bool no_color_flag);
// Whether the locale's character set is UTF-8 (block characters for the chart).
bool utf8_locale();
// COLUMNS when it is a positive number, else the terminal's width (TIOCGWINSZ), else 80.
std::size_t terminal_width();
// LINES when it is a positive number, else the terminal's height (TIOCGWINSZ), else 24.
std::size_t terminal_height();

}  // namespace nod::ctl
