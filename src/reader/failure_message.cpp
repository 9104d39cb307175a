#include "reader/failure_message.hpp"

#include <array>

#include "reader/text.hpp"

namespace nod {

namespace {

// The quoted path right after `prefix`, if `text` contains it.
std::optional<std::string> quoted_after(std::string_view text, std::string_view prefix) {
    auto at = text.find(prefix);
    if (at == std::string_view::npos) return std::nullopt;
    auto begin = at + prefix.size();
    auto end = text.find('\'', begin);
    if (end == std::string_view::npos || end == begin) return std::nullopt;
    std::string_view path = text.substr(begin, end - begin);
    if (!path.ends_with(".drv")) return std::nullopt;
    return std::string(path);
}

}  // namespace

std::optional<BuildFailure> parse_build_failure(std::string_view text) {
    // Cheap test first: most messages are not failures, and stripping ANSI copies the text.
    static constexpr std::array<std::string_view, 3> markers{"Cannot build '", "builder for '", "fixed-output derivation '"};
    bool any = false;
    for (auto m : markers) any = any || text.find(m.substr(0, m.size() - 1)) != std::string_view::npos;
    if (!any) return std::nullopt;

    std::string plain = strip_ansi(text);
    if (auto drv = quoted_after(plain, "Cannot build '")) {
        auto reason = plain.find("Reason:");
        bool dependency = reason != std::string::npos && plain.find("dependenc", reason) != std::string::npos;
        return BuildFailure{std::move(*drv), dependency};
    }
    if (auto drv = quoted_after(plain, "builder for '")) {
        if (plain.find("' failed", 0) != std::string::npos) return BuildFailure{std::move(*drv), false};
    }
    if (auto drv = quoted_after(plain, "hash mismatch in fixed-output derivation '")) {
        return BuildFailure{std::move(*drv), false};
    }
    return std::nullopt;
}

}  // namespace nod
