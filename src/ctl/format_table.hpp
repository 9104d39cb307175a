// Aligned text tables the way systemd's tools print them: upper-case headers, two spaces between
// columns, numbers right-aligned, no trailing blanks.
#pragma once

#include <string>
#include <vector>

namespace nod::ctl {

enum class Align { left, right };
enum class Style { plain, bold, red, green };

struct Cell {
    std::string text;
    Style style = Style::plain;
};

struct Column {
    std::string header;
    Align align = Align::left;
};

class Table {
public:
    explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
    void add_row(std::vector<Cell> cells);  // one cell per column
    bool empty() const { return rows_.empty(); }
    // The table, each line ending in '\n'; the header line only with `header`; ANSI styles only with
    // `color` (the header is then bold).
    std::string render(bool header, bool color) const;

private:
    std::vector<Column> columns_;
    std::vector<std::vector<Cell>> rows_;
};

// Columns are measured in characters as a terminal shows them (UTF-8 code points).
std::size_t display_width(const std::string& text);

}  // namespace nod::ctl
