// The numbers of Nix's structured log (src/libutil/include/nix/util/logging.hh), stable since before
// Nix 2.18; src/reader/README.md says what nod reads of each.
#pragma once

#include <cstdint>

namespace nod::nix {

enum ActivityType : std::int64_t {
    act_unknown = 0,
    act_copy_path = 100,
    act_file_transfer = 101,
    act_realise = 102,
    act_copy_paths = 103,
    act_builds = 104,
    act_build = 105,
    act_optimise_store = 106,
    act_verify_paths = 107,
    act_substitute = 108,
    act_query_path_info = 109,
    act_post_build_hook = 110,
    act_build_waiting = 111,
    act_fetch_tree = 112,
    act_fetch_to_store = 113,
};

enum ResultType : std::int64_t {
    res_file_linked = 100,
    res_build_log_line = 101,
    res_untrusted_path = 102,
    res_corrupted_path = 103,
    res_set_phase = 104,
    res_progress = 105,
    res_set_expected = 106,
    res_post_build_log_line = 107,
    res_fetch_status = 108,
    // 109 is two things: upstream master's resFetchToStore (with `fields`, on actFetchToStore 113) and
    // Determinate Nix's resHashMismatch (with `payload`, on the actBuild). 110 is Determinate's only.
    res_fetch_to_store = 109,
    res_hash_mismatch = 109,
    res_build_result = 110,
};

// Activity ids are `counter + (pid << 32)` of the process that created the activity.
constexpr std::uint32_t origin_pid(std::uint64_t id) { return static_cast<std::uint32_t>(id >> 32); }

}  // namespace nod::nix
