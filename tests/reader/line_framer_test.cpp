#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "reader/line_framer.hpp"

namespace nod {
namespace {

std::vector<std::string> frame(LineFramer& f, std::string data, std::vector<std::size_t> cuts = {}) {
    std::vector<std::string> lines;
    auto on_line = [&](char* p, std::size_t n) {
        EXPECT_EQ(p[n], '\0') << "lines are NUL-terminated for in-situ parsing";
        lines.emplace_back(p, n);
    };
    std::size_t at = 0;
    cuts.push_back(data.size());
    for (std::size_t cut : cuts) {
        f.feed(data.data() + at, cut - at, on_line);
        at = cut;
    }
    return lines;
}

TEST(LineFramer, ManyLinesInOneRead) {
    LineFramer f(100);
    EXPECT_EQ(frame(f, "a\nbb\n\nccc\n"), (std::vector<std::string>{"a", "bb", "", "ccc"}));
    EXPECT_EQ(f.buffered(), 0u);
}

TEST(LineFramer, LineSplitAcrossReads) {
    LineFramer f(100);
    EXPECT_EQ(frame(f, "hello\nwor", {}), (std::vector<std::string>{"hello"}));
    EXPECT_EQ(f.buffered(), 3u);
    EXPECT_EQ(frame(f, "ld\nx"), (std::vector<std::string>{"world"}));
}

TEST(LineFramer, EverySplitPointGivesTheSameLines) {
    const std::string data = "{\"a\":1}\n{\"b\":2}\nlast\n";
    for (std::size_t i = 0; i <= data.size(); ++i) {
        for (std::size_t j = i; j <= data.size(); ++j) {
            LineFramer f(100);
            auto lines = frame(f, data, {i, j});
            EXPECT_EQ(lines, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "last"})) << i << "," << j;
        }
    }
}

TEST(LineFramer, ByteAtATime) {
    LineFramer f(100);
    std::vector<std::size_t> cuts;
    std::string data = "one\ntwo\nthree\n";
    for (std::size_t i = 1; i < data.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(frame(f, data, cuts), (std::vector<std::string>{"one", "two", "three"}));
}

TEST(LineFramer, LineAtTheCapIsKeptOneMoreIsSkipped) {
    LineFramer f(4);
    EXPECT_EQ(frame(f, "1234\n12345\nok\n"), (std::vector<std::string>{"1234", "ok"}));
    EXPECT_EQ(f.oversized_lines(), 1u);
}

TEST(LineFramer, OversizedLineAcrossReadsIsSkippedToItsNewline) {
    LineFramer f(8);
    auto lines = frame(f, "short\n0123456789abcdef0123456789\nafter\n", {8, 12, 20, 25});
    EXPECT_EQ(lines, (std::vector<std::string>{"short", "after"}));
    EXPECT_EQ(f.oversized_lines(), 1u);
}

TEST(LineFramer, HugeLineKeepsMemoryBoundedAndReleasesIt) {
    constexpr std::size_t cap = 1 << 20;
    LineFramer f(cap);
    std::string chunk(64 * 1024, 'x');
    std::size_t peak = 0;
    for (int i = 0; i < 1024; ++i) {  // 64 MiB without a newline
        f.feed(chunk.data(), chunk.size(), [](char*, std::size_t) { FAIL() << "no line expected"; });
        peak = std::max(peak, f.capacity());
    }
    EXPECT_LE(peak, 2 * cap) << "buffer grew past the cap";
    std::string tail = "xyz\n{\"ok\":1}\n";
    std::vector<std::string> lines = frame(f, tail);
    EXPECT_EQ(lines, (std::vector<std::string>{"{\"ok\":1}"}));
    EXPECT_EQ(f.oversized_lines(), 1u);
    EXPECT_LT(f.capacity(), 64u) << "memory of the skipped line is given back";
}

// Regression (fuzzing, build-fuzz/reader-crash-…): RapidJSON's SSE2 scan reads up to 15 bytes past a
// line's NUL. A line at the very end of the caller's buffer is therefore copied to padded storage.
TEST(LineFramer, LinesNearTheEndOfTheBufferAreCopiedWithSlack) {
    LineFramer f(100);
    std::string data = std::string(40, 'a') + "\n" + std::string(20, 'b') + "\n";
    std::vector<const char*> where;
    f.feed(data.data(), data.size(), [&](char* p, std::size_t) { where.push_back(p); });
    ASSERT_EQ(where.size(), 2u);
    EXPECT_EQ(where[0], data.data()) << "far from the end: in place";
    EXPECT_FALSE(where[1] >= data.data() && where[1] < data.data() + data.size()) << "near the end: copied";
    EXPECT_GE(f.capacity(), 20 + LineFramer::read_slack);
}

TEST(LineFramer, FinishDeliversAnUnterminatedLastLine) {
    LineFramer f(100);
    frame(f, "a\npartial");
    std::vector<std::string> lines;
    f.finish([&](char* p, std::size_t n) { lines.emplace_back(p, n); });
    EXPECT_EQ(lines, (std::vector<std::string>{"partial"}));
    EXPECT_EQ(f.buffered(), 0u);
}

}  // namespace
}  // namespace nod
