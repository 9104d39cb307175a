#include "ctl/top.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>

#include "ctl/terminal.hpp"
#include "ctl/top_view.hpp"
#include "ctl/users.hpp"

namespace nod::ctl {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_stop_signal(int) { stop_requested = 1; }

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The terminal as top needs it, and back as it was whatever way top ends: the alternate screen, no
// cursor, keys read one by one without echo (Ctrl-C still signals).
class FullScreen {
public:
    explicit FullScreen(std::ostream& out) : out_(out) {
        if (tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios raw = saved_;
            raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
            raw.c_cc[VMIN] = 0;
            raw.c_cc[VTIME] = 0;
            restore_termios_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
        out_ << "\033[?1049h\033[?25l" << std::flush;
    }
    ~FullScreen() {
        out_ << "\033[?25h\033[?1049l" << std::flush;
        if (restore_termios_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    }
    FullScreen(const FullScreen&) = delete;
    FullScreen& operator=(const FullScreen&) = delete;

private:
    std::ostream& out_;
    termios saved_{};
    bool restore_termios_ = false;
};

class SignalScope {
public:
    SignalScope() {
        struct sigaction a {};
        a.sa_handler = on_stop_signal;
        sigemptyset(&a.sa_mask);
        for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaction(s, &a, &saved_[s]);
    }
    ~SignalScope() {
        for (auto& [s, old] : saved_) sigaction(s, &old, nullptr);
    }

private:
    std::map<int, struct sigaction> saved_;
};

void fetch(BusClient& bus, const Filters& filters, UserNames& names, TopState& state) {
    state.running = bus.running(filters);
    state.fetched_at = now_seconds();
    for (auto& row : state.running.rows) row.user = names.of(row.uid);
}

}  // namespace

int run_top(const Invocation& inv, BusClient& bus, const ViewOptions& view, std::ostream& out) {
    UserNames names;
    TopState state;
    if (inv.once) {
        fetch(bus, inv.filters, names, state);
        out << render_top(state, now_seconds(), view.width, std::max<std::size_t>(terminal_height(), 24), view)
            << std::flush;
        return 0;
    }

    stop_requested = 0;
    SignalScope signals;
    bus.subscribe();
    bool changed = false;
    bus.watch([&](std::uint64_t) { changed = true; },
              [&](std::vector<FinishedActivity> finished, std::uint64_t) {
                  double at = now_seconds();
                  for (auto& f : finished) {
                      f.user = names.of(f.uid);
                      f.at_seconds = at;
                      state.add_finished(std::move(f));
                  }
                  changed = true;
              });
    fetch(bus, inv.filters, names, state);
    FullScreen screen(out);
    double last_fetch = now_seconds(), last_subscribe = last_fetch, last_draw = 0;
    bool redraw = true;
    while (!stop_requested) {
        double now = now_seconds();
        if (changed && now - last_fetch >= 1.0) {
            fetch(bus, inv.filters, names, state);
            last_fetch = now;
            changed = false;
            redraw = true;
        }
        if (now - last_subscribe >= 30.0) {
            bus.subscribe();
            last_subscribe = now;
        }
        if (redraw || now - last_draw >= 1.0) {
            std::string frame = render_top(state, now, terminal_width(), terminal_height(), view);
            // Each line overwrites the last frame's and clears what is left of it; no newline after the
            // last, which would scroll a frame as high as the terminal.
            std::string screen_text = "\033[H";
            for (std::size_t start = 0; start < frame.size();) {
                std::size_t end = frame.find('\n', start);
                if (start > 0) screen_text += "\r\n";
                screen_text += frame.substr(start, end - start) + "\033[K";
                start = end + 1;
            }
            out << screen_text << "\033[J" << std::flush;
            last_draw = now;
            redraw = false;
        }
        // Wake for the next tick of the clock, a key or the bus.
        int wait_ms = static_cast<int>(std::max(10.0, (last_draw + 1.0 - now_seconds()) * 1000));
        if (bus.wait(wait_ms, STDIN_FILENO)) {
            char keys[64];
            ssize_t n = read(STDIN_FILENO, keys, sizeof keys);
            if (n == 0) break;  // standard input closed
            for (ssize_t i = 0; i < n; ++i)
                if (keys[i] == 'q' || keys[i] == 'Q') stop_requested = 1;
        }
    }
    return 0;
}

}  // namespace nod::ctl
