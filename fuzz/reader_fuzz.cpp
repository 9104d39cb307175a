// libFuzzer target: arbitrary bytes as Nix connections' streams, split at arbitrary points across
// reads, on up to three connections whose peers may or may not be the ids' origin. The reader must not
// crash, leak, throw or let a connection's memory grow past its line cap.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "reader/reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    nod::ReaderLimits limits;
    limits.max_line = input.ConsumeIntegralInRange<std::size_t>(16, 4096);
    limits.max_activities = input.ConsumeIntegralInRange<std::size_t>(1, 64);
    std::size_t rows = 0;
    nod::Reader reader(limits, [&](nod::Row&& r) {
        ++rows;
        if (r.duration && *r.duration < 0) std::abort();  // a negative duration is a bug, never input
    });
    std::vector<nod::ConnectionId> conns;
    for (int i = 0, n = input.ConsumeIntegralInRange(1, 3); i < n; ++i) {
        nod::Peer peer{input.ConsumeIntegral<std::int32_t>(), 0, 0};
        conns.push_back(reader.open(peer, 0));
    }
    nod::Micros now = 0;
    std::string chunk;
    while (input.remaining_bytes() > 0) {
        auto conn = conns[input.ConsumeIntegralInRange<std::size_t>(0, conns.size() - 1)];
        now += input.ConsumeIntegralInRange<nod::Micros>(0, 1'000'000);
        chunk = input.ConsumeRandomLengthString(512);
        reader.feed(conn, chunk.data(), chunk.size(), now);
        if (reader.buffered_bytes() > conns.size() * (limits.max_line + 512)) std::abort();
    }
    for (auto c : conns) reader.close(c, now + 1);
    if (reader.connections() != 0 || reader.in_flight() != 0) std::abort();
    return 0;
}
