// LEB128 variable-length integers, the encoding of every blob nod stores (histograms, duration chunks):
// small numbers, which is what deltas of sorted values are, take one byte.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/error.hpp"

namespace nod::store {

inline void put_varint(std::vector<std::uint8_t>& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<std::uint8_t>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(value));
}

// Reads one varint at `pos`; a truncated or oversized value throws not_a_database naming `what` ("duration
// histogram"): a blob nod wrote never has one, so the file was damaged or is not nod's.
inline std::uint64_t get_varint(std::span<const std::uint8_t> in, std::size_t& pos, const char* what) {
    if (pos < in.size() && in[pos] < 0x80) return in[pos++];
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= in.size()) break;
        std::uint8_t byte = in[pos++];
        value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return value;
    }
    throw Error(ErrorCode::not_a_database, std::string("malformed ") + what + " in database");
}

}  // namespace nod::store
