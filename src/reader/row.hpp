// A finished activity as nod records it: the unit of history that the store keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nod {

// Microseconds since the Unix epoch (receipt time: Nix's stream carries no clock).
using Micros = std::int64_t;

// The numeric values are stored in the database: append, never renumber.
enum class Kind : std::uint8_t {
    build = 0,
    substitute = 1,
    copy = 2,
    post_build_hook = 3,
};
inline constexpr int kind_count = 4;

// The numeric values are stored in the database: append, never renumber.
enum class Outcome : std::uint8_t {
    succeeded = 0,
    failed = 1,
    cancelled = 2,  // the stream ended or the work was stopped before it finished
    unknown = 3,    // the protocol gave no evidence either way
};

// How Nix's BuildResult says the work ended (Determinate Nix's resBuildResult): the worker protocol's number
// (src/libstore/common-protocol.cc) plus one, 0 when Nix said nothing. Stored in the database.
enum class BuildStatus : std::uint8_t {
    none = 0,
    built = 1,
    substituted = 2,
    already_valid = 3,
    permanent_failure = 4,
    input_rejected = 5,
    output_rejected = 6,
    transient_failure = 7,
    cached_failure = 8,
    timed_out = 9,
    misc_failure = 10,
    dependency_failed = 11,
    log_limit_exceeded = 12,
    not_deterministic = 13,
    resolves_to_already_valid = 14,
    no_substituters = 15,
    hash_mismatch = 16,
    cancelled = 17,
};
inline constexpr int build_status_count = 18;

// Which way a copy went, seen from this machine (builds and substitutions: none).
enum class Direction : std::uint8_t { none = 0, in = 1, out = 2 };

std::string_view to_string(Kind kind);
std::string_view to_string(Outcome outcome);
// Nix's own name ("Built", "TimedOut", …); "" for none.
std::string_view to_string(BuildStatus status);
std::optional<BuildStatus> build_status_from_string(std::string_view text);
std::optional<Kind> kind_from_string(std::string_view text);

// Byte counts come from Nix's progress records, which any local user can write: a row's are clamped to this
// (256 TiB, far above any store path), so that sums over many rows stay exact integers.
inline constexpr std::uint64_t max_row_bytes = std::uint64_t{1} << 48;
// CPU times come from the same records: a row's are clamped to 2^48 µs (8.9 years of CPU) for the same reason.
inline constexpr std::uint64_t max_row_cpu_us = std::uint64_t{1} << 48;

struct Row {
    Kind kind = Kind::build;
    std::string path;  // drv path for builds and hooks, store path for substitutions and copies
    std::string name;  // `path` without store folder, hash and `.drv`
    Micros start = 0;
    std::optional<Micros> duration;  // empty when the stream cannot tell when the work ended
    Outcome outcome = Outcome::unknown;
    std::uint64_t bytes = 0;           // uncompressed NAR bytes (substitutions, copies)
    std::uint64_t download_bytes = 0;  // bytes on the wire (compressed NARs)
    std::string machine;               // remote builder, substituter or copy peer; "" = this machine
    Direction direction = Direction::none;
    std::uint32_t uid = 0;             // SO_PEERCRED of the connection that reported it
    std::int32_t pid = 0;
    std::uint64_t activity_id = 0;
    // Determinate Nix's resBuildResult, when it came: Nix's status, and the build's CPU time in µs (user and
    // system, from its cgroup; empty when Nix did not measure it).
    BuildStatus status = BuildStatus::none;
    std::optional<std::uint64_t> cpu_user_us;
    std::optional<std::uint64_t> cpu_system_us;
    // Who the row is for: the uid of the client connection that reported the same activity as the origin
    // (a daemon worker runs as root for every user), else `uid`.
    std::uint32_t user = 0;
    bool trusted = false;  // a root connection (the daemon, root's own Nix) reported the activity
    bool origin = false;   // reported by the id's origin (peer pid = id >> 32)
    // Not stored: another connection's row of this activity went out first (anyone can send a worker's ids
    // ahead of it); the store replaces that row with this one.
    bool supersedes = false;

    bool operator==(const Row&) const = default;
};

}  // namespace nod
