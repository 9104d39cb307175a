#include "ctl/format_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace nod::ctl {

namespace {

const char* start_of(Style s) {
    switch (s) {
    case Style::bold: return "\x1b[1m";
    case Style::red: return "\x1b[31m";
    case Style::green: return "\x1b[32m";
    case Style::plain: break;
    }
    return "";
}

}  // namespace

std::size_t display_width(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80) ++n;  // count every byte that starts a code point
    }
    return n;
}

void Table::add_row(std::vector<Cell> cells) {
    if (cells.size() != columns_.size()) throw std::logic_error("table row with the wrong number of cells");
    rows_.push_back(std::move(cells));
}

std::string Table::render(bool header, bool color) const {
    std::vector<std::size_t> widths(columns_.size(), 0);
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        if (header) widths[c] = display_width(columns_[c].header);
        for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c].text));
    }
    std::string out;
    auto line = [&](const std::vector<Cell>& cells) {
        std::string text;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const Cell& cell = cells[c];
            std::size_t pad = widths[c] - display_width(cell.text);
            bool last = c + 1 == cells.size();
            if (c > 0) text += "  ";
            if (columns_[c].align == Align::right) text.append(pad, ' ');
            bool styled = color && cell.style != Style::plain && !cell.text.empty();
            if (styled) text += start_of(cell.style);
            text += cell.text;
            if (styled) text += "\x1b[0m";
            if (columns_[c].align == Align::left && !last) text.append(pad, ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    };
    if (header) {
        std::vector<Cell> cells;
        for (const auto& col : columns_) cells.push_back({col.header, Style::bold});
        line(cells);
    }
    for (const auto& row : rows_) line(row);
    return out;
}

}  // namespace nod::ctl
