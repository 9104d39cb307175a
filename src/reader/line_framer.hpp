// Splits a connection's byte stream into lines, whatever the reads look like.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace nod {

// Feeds whole lines (without the '\n') to a callback. Lines that fit in one read are handed over in
// place, with no copy; only the unfinished tail of a read is kept. A line longer than `max_line` is
// dropped and skipped up to its newline, so memory per connection stays below max_line + one read.
// The callback gets a mutable buffer that is NUL-terminated at [size], for in-situ JSON parsing: the
// newline itself is overwritten, so the caller's buffer needs no spare byte.
class LineFramer {
public:
    explicit LineFramer(std::size_t max_line) : max_line_(max_line) {}

    // `data` is modified in place (newlines become NULs, JSON strings are unescaped).
    template <typename OnLine>
    void feed(char* data, std::size_t size, OnLine&& on_line);

    // Called at EOF: a final line without '\n' is still a line (a writer killed mid-line leaves
    // one, and it gets parsed and most likely counted as malformed).
    template <typename OnLine>
    void finish(OnLine&& on_line);

    // RapidJSON's SSE2 string scanning loads aligned 16-byte blocks and may read up to 15 bytes past a
    // line's terminating NUL. Every line handed over has at least this many addressable bytes after it:
    // a line that ends too close to the end of the caller's buffer is copied (found by the fuzzer).
    static constexpr std::size_t read_slack = 16;

    std::uint64_t oversized_lines() const { return oversized_; }
    std::size_t buffered() const { return carry_.size(); }
    std::size_t capacity() const { return carry_.capacity(); }

private:
    void drop_carry();
    void keep(const char* p, std::size_t n) {
        carry_.reserve(carry_.size() + n + read_slack);
        carry_.append(p, n);
    }

    std::size_t max_line_;
    std::string carry_;     // the unfinished line from earlier reads
    bool skipping_ = false; // inside an oversized line: discard up to the next '\n'
    std::uint64_t oversized_ = 0;
};

template <typename OnLine>
void LineFramer::feed(char* data, std::size_t size, OnLine&& on_line) {
    char* p = data;
    char* const end = data + size;
    while (p < end) {
        char* nl = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (skipping_) {
            if (!nl) return;
            skipping_ = false;
            p = nl + 1;
            continue;
        }
        if (!nl) {
            std::size_t tail = static_cast<std::size_t>(end - p);
            if (carry_.size() + tail > max_line_) {
                ++oversized_;
                drop_carry();
                skipping_ = true;
                return;
            }
            keep(p, tail);
            return;
        }
        std::size_t len = static_cast<std::size_t>(nl - p);
        if (carry_.empty()) {
            if (len > max_line_) {
                ++oversized_;
            } else if (static_cast<std::size_t>(end - nl) > read_slack) {
                *nl = '\0';
                on_line(p, len);
            } else {
                keep(p, len);
                on_line(carry_.data(), carry_.size());
                carry_.clear();
            }
        } else if (carry_.size() + len > max_line_) {
            ++oversized_;
            drop_carry();
        } else {
            keep(p, len);
            on_line(carry_.data(), carry_.size());
            carry_.clear();
        }
        p = nl + 1;
    }
}

template <typename OnLine>
void LineFramer::finish(OnLine&& on_line) {
    if (!carry_.empty()) on_line(carry_.data(), carry_.size());
    drop_carry();
    skipping_ = false;
}

}  // namespace nod
