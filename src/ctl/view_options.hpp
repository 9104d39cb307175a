// How the human-facing views render: decided once from the command line and the terminal.
#pragma once

#include <cstddef>

namespace nod::ctl {

struct ViewOptions {
    bool legend = true;        // header line and footer (not with --no-legend)
    bool color = false;        // ANSI styles (a terminal, no NO_COLOR, no --no-color)
    bool unicode = true;       // block characters in the chart (a UTF-8 locale)
    std::size_t width = 80;    // terminal columns, for the chart
};

}  // namespace nod::ctl
