// A Reader with its rows collected, and the JSON lines Nix would send, for readable tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reader/reader.hpp"

namespace nod::test {

constexpr Micros second = 1'000'000;

struct Harness {
    std::vector<Row> rows;
    Reader reader;

    explicit Harness(ReaderLimits limits = {}) : reader(limits, [this](Row&& r) { rows.push_back(std::move(r)); }) {}

    ConnectionId open(std::int32_t pid = 0, std::uint32_t uid = 0) { return reader.open({pid, uid, uid}, 0); }
    void send(ConnectionId c, std::string line, Micros at) {
        line.push_back('\n');
        reader.feed(c, line.data(), line.size(), at);
    }
    void close(ConnectionId c, Micros at) { reader.close(c, at); }
    const Row* find(std::string_view name, Kind kind = Kind::build) const {
        for (const auto& r : rows)
            if (r.name == name && r.kind == kind) return &r;
        return nullptr;
    }
};

inline std::string drv(const std::string& name) { return "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-" + name + ".drv"; }
inline std::string out(const std::string& name) { return "/nix/store/0123456789abcdfghijklmnpqrsvwxyz-" + name; }

inline std::string start(std::uint64_t id, int type, const std::string& fields = "", std::uint64_t parent = 0) {
    std::string s = R"({"action":"start",)";
    if (!fields.empty()) s += R"("fields":[)" + fields + "],";
    return s + R"("id":)" + std::to_string(id) + R"(,"level":3,"parent":)" + std::to_string(parent) +
           R"(,"text":"","type":)" + std::to_string(type) + "}";
}
inline std::string start_build(std::uint64_t id, const std::string& name, const std::string& machine = "") {
    return start(id, 105, "\"" + drv(name) + "\",\"" + machine + "\",1,1");
}
inline std::string stop(std::uint64_t id) { return R"({"action":"stop","id":)" + std::to_string(id) + "}"; }
inline std::string progress(std::uint64_t id, std::uint64_t done, std::uint64_t expected, std::uint64_t running,
                            std::uint64_t failed) {
    return R"({"action":"result","fields":[)" + std::to_string(done) + "," + std::to_string(expected) + "," +
           std::to_string(running) + "," + std::to_string(failed) + R"(],"id":)" + std::to_string(id) + R"(,"type":105})";
}
inline std::string log_line(std::uint64_t id, const std::string& text) {
    return R"({"action":"result","fields":[")" + text + R"("],"id":)" + std::to_string(id) + R"(,"type":101})";
}
inline std::string error_msg(const std::string& raw) {
    return R"({"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"error: )" + raw +
           R"(","raw_msg":")" + raw + R"("})";
}

}  // namespace nod::test
