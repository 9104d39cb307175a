// Store paths take 60+ bytes as text but are almost entirely redundant with the row's name: a path
// "/nix/store/<32-char hash>-<name>[.drv]" is stored as a 21-byte blob (flags + the hash's 160 bits) and
// rebuilt from the name on reading. Anything else is stored as text, unchanged.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nod::store {

using PackedPath = std::array<std::uint8_t, 21>;

// Empty when `path` does not have the standard shape for `name` (then store the text).
std::optional<PackedPath> encode_store_path(std::string_view path, std::string_view name);
// Rebuilds a path from encode_store_path's blob; throws store::Error on a malformed blob.
std::string decode_store_path(std::span<const std::uint8_t> blob, std::string_view name);

}  // namespace nod::store
