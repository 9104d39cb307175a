// Recognises Nix's error messages that name a derivation whose build failed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nod {

struct BuildFailure {
    std::string drv_path;
    bool dependency_only = false;  // "Reason: N dependency failed": the derivation itself never ran
};

// `text` is the `raw_msg` or `msg` of a level-0 message, ANSI escapes and all. Knows the wordings of
// Nix ≤ 2.28 ("builder for '…' failed with exit code N" / "… failed due to signal N"), ≥ 2.29
// ("Cannot build '…'." + "Reason: …") and fixed-output hash mismatches. The closing summary
// "build of '…', '…' failed" is ignored on purpose: it lists cancelled builds too.
std::optional<BuildFailure> parse_build_failure(std::string_view text);

}  // namespace nod
