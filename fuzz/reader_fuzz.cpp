// libFuzzer target: arbitrary bytes as Nix connections' streams, cut into reads at points the fuzzer
// chooses, on up to three connections whose peers may or may not be the ids' origin, with connections
// closed and reopened mid-stream. The reader must not crash, leak, throw, read outside a read's bytes,
// let a connection's memory grow past its line cap, or break the promises of its rows.
//
// Input layout (FuzzedDataProvider: integers come off the end, bytes off the front):
//   front: the stream, the reads' bytes one after the other;
//   end, read backwards: max_line (2 bytes), max_activities (1), connections (1), each connection's
//   peer pid (4); then per read: control (1), length (1, or 2 when the first is >= 224), time step (1).
// So a recorded stream with a few bytes after it is a usable input, and `fuzz/seeds.py` writes seeds
// in exactly this layout (every line its own read, the real timing and peers). Build with
// -DNOD_FUZZ_TRACE to print what an input does.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "reader/reader.hpp"
#include "reader/text.hpp"

#ifdef NOD_FUZZ_TRACE
#define TRACE(...) std::fprintf(stderr, __VA_ARGS__)
#else
#define TRACE(...) ((void)0)
#endif

namespace {

[[noreturn]] void broken(const char* what) {
    std::fprintf(stderr, "reader_fuzz: %s\n", what);
    std::abort();
}

bool valid_utf8(std::string_view s) {
    bool repaired = false;
    (void)nod::valid_utf8(s, repaired);
    return !repaired;
}

// 1..224 bytes in one byte; 225..8416 in two.
std::size_t read_length(FuzzedDataProvider& input) {
    unsigned first = input.ConsumeIntegral<std::uint8_t>();
    if (first < 224) return first + 1;
    unsigned second = input.ConsumeIntegral<std::uint8_t>();
    return 225 + (((first - 224) << 8) | second);
}

// 0..12.7 ms in steps of 0.1 ms (one turn of Nix's loop), 50 ms..4.8 s, or 1..32 minutes (past the
// registry's 10-minute dedup window).
nod::Micros time_step(FuzzedDataProvider& input) {
    unsigned t = input.ConsumeIntegral<std::uint8_t>();
    if (t < 128) return t * 100LL;
    if (t < 224) return (t - 127) * 50'000LL;
    return (t - 223) * 60'000'000LL;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    nod::ReaderLimits limits;
    limits.max_line = input.ConsumeIntegralInRange<std::size_t>(16, 1 << 16);
    limits.max_activities = input.ConsumeIntegralInRange<std::size_t>(1, 256);
    std::size_t connections = input.ConsumeIntegralInRange<std::size_t>(1, 3);
    std::vector<nod::Peer> peers;
    for (std::size_t i = 0; i < connections; ++i)
        peers.push_back({input.ConsumeIntegralInRange<std::int32_t>(0, INT32_MAX), 0, 0});
    TRACE("max_line=%zu max_activities=%zu\n", limits.max_line, limits.max_activities);

    nod::Micros now = 0;
    std::uint64_t rows = 0;
    // Each activity becomes one row: the same key again only after the dedup window.
    std::map<std::tuple<std::uint64_t, nod::Kind, std::string>, nod::Micros> emitted;
    nod::Reader reader(limits, [&](nod::Row&& r) {
        ++rows;
        TRACE("  row %s %s outcome=%s start=%lld duration=%lld\n", std::string(nod::to_string(r.kind)).c_str(),
              r.name.c_str(), std::string(nod::to_string(r.outcome)).c_str(), static_cast<long long>(r.start),
              r.duration ? static_cast<long long>(*r.duration) : -1LL);
        if (r.duration && *r.duration < 0) broken("negative duration");
        if (r.start > now || (r.duration && r.start + *r.duration > now)) broken("a row ends in the future");
        if (!valid_utf8(r.path) || !valid_utf8(r.name) || !valid_utf8(r.machine)) broken("invalid UTF-8 in a row");
        auto [it, fresh] = emitted.try_emplace({r.activity_id, r.kind, r.path}, now);
        if (!fresh) {
            if (now - it->second <= limits.dedup_window) broken("one activity, two rows");
            it->second = now;
        }
    });

    std::vector<nod::ConnectionId> conns;
    for (const auto& peer : peers) {
        conns.push_back(reader.open(peer, now));
        TRACE("open conn %zu pid=%d\n", conns.size() - 1, peer.pid);
    }
    std::size_t current = 0;
    std::vector<char> read;
    while (input.remaining_bytes() > 0) {
        unsigned control = input.ConsumeIntegral<std::uint8_t>();
        if (control & 0x80) current = (control & 0x7f) % conns.size();
        std::size_t length = read_length(input);
        now += time_step(input);
        // Exactly the read's bytes on the heap, so that ASan sees any access past them.
        read = input.ConsumeBytes<char>(length);
        if (read.empty()) break;
        TRACE("t=%lld conn %zu read %zu bytes\n", static_cast<long long>(now), current, read.size());
        reader.feed(conns[current], read.data(), read.size(), now);
        if (reader.buffered_bytes() > conns.size() * limits.max_line) broken("buffer past the line cap");
        if ((control & 0xe0) == 0xe0) {  // the writer goes away; a new one connects
            TRACE("t=%lld reopen conn %zu\n", static_cast<long long>(now), current);
            reader.close(conns[current], now);
            conns[current] = reader.open(peers[current], now);
        }
    }
    now += 1;
    for (auto c : conns) reader.close(c, now);
    if (reader.connections() != 0 || reader.in_flight() != 0 || reader.buffered_bytes() != 0)
        broken("state left after every connection closed");
    if (reader.counters().rows != rows) broken("rows counted and rows delivered differ");
    return 0;
}
