#include "reader/row.hpp"

namespace nod {

std::string_view to_string(Kind kind) {
    switch (kind) {
    case Kind::build: return "build";
    case Kind::substitute: return "substitute";
    case Kind::copy: return "copy";
    case Kind::post_build_hook: return "post-build-hook";
    }
    return "unknown";
}

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
    case Outcome::succeeded: return "succeeded";
    case Outcome::failed: return "failed";
    case Outcome::cancelled: return "cancelled";
    case Outcome::unknown: return "unknown";
    }
    return "unknown";
}

std::optional<Kind> kind_from_string(std::string_view text) {
    for (int k = 0; k < kind_count; ++k) {
        auto kind = static_cast<Kind>(k);
        if (to_string(kind) == text) return kind;
    }
    return std::nullopt;
}

}  // namespace nod
