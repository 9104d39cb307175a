#include "store/path_codec.hpp"

#include <array>

#include "store/error.hpp"

namespace nod::store {

namespace {

constexpr std::string_view store_dir = "/nix/store/";
constexpr std::string_view drv_suffix = ".drv";
constexpr std::string_view alphabet = "0123456789abcdfghijklmnpqrsvwxyz";  // Nix's base-32 digits
constexpr std::size_t hash_chars = 32;
constexpr std::size_t blob_size = 21;  // 1 flag byte + 32 digits * 5 bits
constexpr std::uint8_t flag_drv = 1;

// Digit value of each byte, or -1: a table because this runs for every row written.
constexpr std::array<std::int8_t, 256> digit_values = [] {
    std::array<std::int8_t, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        values[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return values;
}();

}  // namespace

std::optional<PackedPath> encode_store_path(std::string_view path, std::string_view name) {
    if (!path.starts_with(store_dir)) return std::nullopt;
    std::string_view rest = path.substr(store_dir.size());
    if (rest.size() < hash_chars + 1 || rest[hash_chars] != '-') return {};
    std::string_view tail = rest.substr(hash_chars + 1);
    std::uint8_t flags = 0;
    if (tail != name) {
        if (tail.size() != name.size() + drv_suffix.size() || !tail.starts_with(name) || !tail.ends_with(drv_suffix))
            return {};
        flags = flag_drv;
    }
    PackedPath blob{};
    std::size_t size = 0;
    blob[size++] = flags;
    // Digits are packed 5 bits each, least significant bit first.
    std::uint32_t pending = 0;
    int pending_bits = 0;
    for (std::size_t i = 0; i < hash_chars; ++i) {
        int digit = digit_values[static_cast<unsigned char>(rest[i])];
        if (digit < 0) return {};
        pending |= static_cast<std::uint32_t>(digit) << pending_bits;
        pending_bits += 5;
        if (pending_bits >= 8) {
            blob[size++] = static_cast<std::uint8_t>(pending & 0xff);
            pending >>= 8;
            pending_bits -= 8;
        }
    }
    return blob;
}

std::string decode_store_path(std::span<const std::uint8_t> blob, std::string_view name) {
    if (blob.size() != blob_size || (blob[0] & ~flag_drv) != 0)
        throw Error(ErrorCode::not_a_database, "malformed store path in database");
    std::string path(store_dir);
    for (std::size_t i = 0; i < hash_chars; ++i) {
        std::size_t digit = 0;
        for (std::size_t bit = 0; bit < 5; ++bit) {
            std::size_t position = i * 5 + bit;
            if ((blob[1 + position / 8] >> (position % 8)) & 1U) digit |= std::size_t{1} << bit;
        }
        path += alphabet[digit];
    }
    path += '-';
    path += name;
    if (blob[0] & flag_drv) path += drv_suffix;
    return path;
}

}  // namespace nod::store
