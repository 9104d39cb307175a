#include "store/duration_chunks.hpp"

#include "store/varint.hpp"

namespace nod::store {

namespace {
constexpr const char* chunk_what = "duration chunk";
}

std::vector<std::uint8_t> encode_durations(std::span<const Micros> sorted) {
    std::vector<std::uint8_t> out;
    out.reserve(sorted.size() * 2);
    Micros previous = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (i == 0) {
            auto value = static_cast<std::uint64_t>(sorted[0]);
            put_varint(out, (value << 1) ^ (sorted[0] < 0 ? ~std::uint64_t{0} : 0));
        } else {
            put_varint(out, static_cast<std::uint64_t>(sorted[i] - previous));
        }
        previous = sorted[i];
    }
    return out;
}

void decode_durations(std::span<const std::uint8_t> blob, std::vector<Micros>& out) {
    std::size_t pos = 0;
    Micros value = 0;
    bool first = true;
    while (pos < blob.size()) {
        std::uint64_t raw = get_varint(blob, pos, chunk_what);
        if (first) {
            value = static_cast<Micros>((raw >> 1) ^ (~(raw & 1) + 1));
            first = false;
        } else {
            value += static_cast<Micros>(raw);
        }
        out.push_back(value);
    }
}

bool remove_durations(std::vector<Micros>& chunk, std::vector<Micros>& pending) {
    std::vector<Micros> kept, still_pending;
    kept.reserve(chunk.size());
    std::size_t c = 0, p = 0;
    while (c < chunk.size() && p < pending.size()) {
        if (chunk[c] < pending[p]) {
            kept.push_back(chunk[c++]);
        } else if (pending[p] < chunk[c]) {
            still_pending.push_back(pending[p++]);
        } else {
            ++c;
            ++p;
        }
    }
    kept.insert(kept.end(), chunk.begin() + static_cast<std::ptrdiff_t>(c), chunk.end());
    still_pending.insert(still_pending.end(), pending.begin() + static_cast<std::ptrdiff_t>(p),
                         pending.end());
    bool changed = kept.size() != chunk.size();
    chunk.swap(kept);
    pending.swap(still_pending);
    return changed;
}

}  // namespace nod::store
