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

std::string_view to_string(BuildStatus status) {
    switch (status) {
    case BuildStatus::none: return "";
    case BuildStatus::built: return "Built";
    case BuildStatus::substituted: return "Substituted";
    case BuildStatus::already_valid: return "AlreadyValid";
    case BuildStatus::permanent_failure: return "PermanentFailure";
    case BuildStatus::input_rejected: return "InputRejected";
    case BuildStatus::output_rejected: return "OutputRejected";
    case BuildStatus::transient_failure: return "TransientFailure";
    case BuildStatus::cached_failure: return "CachedFailure";
    case BuildStatus::timed_out: return "TimedOut";
    case BuildStatus::misc_failure: return "MiscFailure";
    case BuildStatus::dependency_failed: return "DependencyFailed";
    case BuildStatus::log_limit_exceeded: return "LogLimitExceeded";
    case BuildStatus::not_deterministic: return "NotDeterministic";
    case BuildStatus::resolves_to_already_valid: return "ResolvesToAlreadyValid";
    case BuildStatus::no_substituters: return "NoSubstituters";
    case BuildStatus::hash_mismatch: return "HashMismatch";
    case BuildStatus::cancelled: return "Cancelled";
    }
    return "";
}

std::optional<BuildStatus> build_status_from_string(std::string_view text) {
    if (text.empty()) return std::nullopt;
    for (int s = 1; s < build_status_count; ++s) {
        auto status = static_cast<BuildStatus>(s);
        if (to_string(status) == text) return status;
    }
    return std::nullopt;
}

std::optional<Kind> kind_from_string(std::string_view text) {
    for (int k = 0; k < kind_count; ++k) {
        auto kind = static_cast<Kind>(k);
        if (to_string(kind) == text) return kind;
    }
    return std::nullopt;
}

}  // namespace nod
