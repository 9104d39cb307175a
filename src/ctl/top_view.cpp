#include "ctl/top_view.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <vector>

#include "ctl/format_running.hpp"
#include "ctl/format_table.hpp"
#include "ctl/format_units.hpp"

namespace nod::ctl {

namespace {

constexpr const char* red = "\033[31m";
constexpr const char* bold = "\033[1m";
constexpr const char* reset = "\033[0m";

// Cut to `width` display columns (UTF-8 code points), so that no line wraps.
std::string fit(const std::string& text, std::size_t width) {
    std::string out;
    std::size_t columns = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        bool starts_character = (c & 0xC0) != 0x80;
        if (starts_character && columns == width) break;
        if (starts_character) ++columns;
        out += text[i];
    }
    return out;
}

std::string pad_right(std::string text, std::size_t width) {
    std::size_t w = display_width(text);
    if (w < width) text.append(width - w, ' ');
    return fit(text, width);
}

std::string pad_left(const std::string& text, std::size_t width) {
    std::size_t w = display_width(text);
    return w < width ? std::string(width - w, ' ') + text : text;
}

std::string clock_text(double at) {
    std::time_t t = static_cast<std::time_t>(at);
    std::tm local{};
    localtime_r(&t, &local);
    char buffer[16];
    std::strftime(buffer, sizeof buffer, "%H:%M:%S", &local);
    return buffer;
}

// The kinds, short enough for an 80-column frame.
std::string short_kind(const std::string& kind) {
    if (kind == "substitute") return "subst";
    if (kind == "post-build-hook") return "hook";
    return kind;
}

// [####....] for elapsed against expected; "" without an expectation.
std::string bar(double elapsed, double expected, bool unicode) {
    if (std::isnan(expected) || expected <= 0) return "";
    constexpr int cells = 8;
    double share = std::min(elapsed / expected, 1.0);
    int full = static_cast<int>(std::lround(share * cells));
    std::string out = "[";
    for (int i = 0; i < cells; ++i) out += i < full ? (unicode ? "█" : "#") : (unicode ? "·" : ".");
    return out + "] " + std::to_string(static_cast<int>(std::lround(elapsed / expected * 100))) + "%";
}

}  // namespace

void TopState::add_finished(FinishedActivity f) {
    finished.push_front(std::move(f));
    if (finished.size() > max_finished) finished.pop_back();
}

double remaining_seconds(const RunningResult& running, double elapsed_since_fetch) {
    double remaining = -1;
    for (const auto& r : running.rows) {
        if (std::isnan(r.expected_seconds)) continue;
        remaining = std::max(remaining, std::max(0.0, r.expected_seconds - (r.elapsed_seconds + elapsed_since_fetch)));
    }
    return remaining;
}

std::string render_top(const TopState& state, double now, std::size_t width, std::size_t height, const ViewOptions& view) {
    width = std::max<std::size_t>(width, 20);
    height = std::max<std::size_t>(height, 5);
    double since = std::max(0.0, now - state.fetched_at);
    std::vector<std::string> lines;

    // Title: what runs, when it should be done, the time.
    const RunningResult& r = state.running;
    std::string title = "nod top: " + std::to_string(r.in_flight) + (r.in_flight == 1 ? " activity" : " activities") +
                        " in flight";
    double remaining = remaining_seconds(r, since);
    if (!r.rows.empty()) title += remaining < 0 ? ", no history to say when done" : ", done in about " + human_duration(remaining);
    std::string clock = clock_text(now);
    std::size_t gap = width > display_width(title) + clock.size() ? width - display_width(title) - clock.size() : 1;
    lines.push_back(fit(title + std::string(gap, ' ') + clock, width));
    lines.push_back("");

    // Running, the longest first (the earliest started).
    std::vector<const RunningRow*> rows;
    for (const auto& row : r.rows) rows.push_back(&row);
    std::stable_sort(rows.begin(), rows.end(), [](const RunningRow* a, const RunningRow* b) {
        return a->elapsed_seconds > b->elapsed_seconds;
    });
    // 6 + name + 1 + 9 + 10 + 10 + 2 + 15 ("[########] 122%") columns: 26 for the name in 80.
    const std::size_t name_width = width >= 100 ? width - 54 : 26;
    std::string header = pad_right("KIND", 6) + pad_right("NAME", name_width) + " " + pad_right("USER", 9) +
                         pad_left("ELAPSED", 10) + pad_left("EXPECTED", 10) + "  " + "PROGRESS";
    lines.push_back(view.color ? bold + fit(header, width) + reset : fit(header, width));
    // Leave room for the finished list: at least 5 of its lines when there are some.
    std::size_t finished_room = state.finished.empty() ? 0 : std::min<std::size_t>(state.finished.size(), 5) + 2;
    std::size_t room = height > lines.size() + finished_room + 1 ? height - lines.size() - finished_room - 1 : 1;
    std::size_t shown = 0;
    for (const RunningRow* row : rows) {
        if (shown == room) break;
        double elapsed = row->elapsed_seconds + since;
        bool late = !std::isnan(row->expected_seconds) && elapsed > row->expected_seconds;
        std::string progress = bar(elapsed, row->expected_seconds, view.unicode);
        if (progress.empty()) progress = progress_text(*row);
        if (!row->machine.empty()) progress += (progress.empty() ? "on " : " on ") + row->machine;
        std::string elapsed_text = pad_left(human_duration(elapsed), 10);
        std::string line = pad_right(short_kind(row->kind), 6) + pad_right(row->name, name_width) + " " +
                           pad_right(row->user, 9);
        std::string rest = pad_left(human_duration(row->expected_seconds), 10) + "  " + progress;
        std::string plain = fit(line + elapsed_text + rest, width);
        lines.push_back(view.color && late && plain.size() > line.size() + elapsed_text.size()
                            ? line + red + elapsed_text + reset + plain.substr(line.size() + elapsed_text.size())
                            : plain);
        ++shown;
    }
    if (rows.size() > shown) lines.push_back("… and " + std::to_string(rows.size() - shown) + " more");
    if (r.in_flight > r.rows.size()) lines.push_back(std::to_string(r.in_flight - r.rows.size()) + " more not listed");

    // The last finished, newest first.
    if (!state.finished.empty()) {
        lines.push_back("");
        lines.push_back(view.color ? std::string(bold) + "Last finished" + reset : "Last finished");
        for (const auto& f : state.finished) {
            if (lines.size() + 1 >= height) break;
            std::string line = clock_text(f.at_seconds) + "  " + pad_right(short_kind(f.kind), 6) +
                               pad_right(f.name, name_width) + " " + pad_right(f.user, 9) +
                               pad_left(human_duration(f.duration_seconds), 10) + "  ";
            bool failed = f.outcome == "failed";
            std::string plain = fit(line + f.outcome, width);
            lines.push_back(view.color && failed && plain.size() > line.size() ? line + red + plain.substr(line.size()) + reset
                                                                                : plain);
        }
    }
    lines.push_back(fit("q: quit", width));
    if (lines.size() > height) lines.resize(height);

    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace nod::ctl
