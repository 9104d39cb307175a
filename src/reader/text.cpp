#include "reader/text.hpp"

#include <cstdint>

namespace nod {

namespace {

constexpr std::size_t hash_length = 32;  // base-32 digest of a store path

bool is_nix_base32(char c) {
    // Nix's base-32 alphabet: digits and lowercase letters without e, o, u and t.
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z' && c != 'e' && c != 'o' && c != 'u' && c != 't');
}

}  // namespace

std::string_view name_from_store_path(std::string_view path) {
    if (auto slash = path.rfind('/'); slash != std::string_view::npos) path.remove_prefix(slash + 1);
    if (path.size() > hash_length + 1 && path[hash_length] == '-') {
        bool hashed = true;
        for (std::size_t i = 0; i < hash_length && hashed; ++i) hashed = is_nix_base32(path[i]);
        if (hashed) path.remove_prefix(hash_length + 1);
    }
    if (path.size() > 4 && path.ends_with(".drv")) path.remove_suffix(4);
    return path;
}

std::string valid_utf8(std::string_view text, bool& repaired) {
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        std::size_t len = 0;
        std::uint32_t min = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, cp = c & 0x07u;
        }
        bool ok = len != 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (s[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid too.
        ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (ok) {
            out.append(text.substr(i, len));
            i += len;
        } else {
            out.append(replacement);
            repaired = true;
            ++i;
        }
    }
    return out;
}

std::string strip_ansi(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\x1b') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '[') {
            // CSI: parameters and intermediates, then one final byte in @..~
            std::size_t j = i + 2;
            while (j < text.size() && !(text[j] >= '@' && text[j] <= '~')) ++j;
            i = j;
        } else {
            ++i;  // ESC and the one byte that follows it
        }
    }
    return out;
}

}  // namespace nod
