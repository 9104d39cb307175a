// What Determinate Nix's resBuildResult (type 110) says about the work it names: read from its payload,
// without allocation. How the reader uses it: src/reader/README.md, "Determinate Nix".
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "reader/record.hpp"
#include "reader/row.hpp"

namespace nod {

struct ResultFacts {
    Outcome outcome = Outcome::unknown;
    BuildStatus status = BuildStatus::none;
    // stopTime − startTime: whole seconds (time_t), so within a second of the truth; empty unless both are
    // set (not 0) and in order. Substitutions and timeouts have none.
    std::optional<Micros> span;
    std::optional<std::uint64_t> cpu_user_us;  // clamped to max_row_cpu_us
    std::optional<std::uint64_t> cpu_system_us;
    Micros received = 0;  // receipt time of the record: Nix writes it as the work ends
};

enum class PayloadUse : std::uint8_t {
    facts,              // `facts` holds the outcome and the rest
    dependency_failed,  // not the work's own failure (and it never started): no outcome to take
    unusable,           // no status nod knows and no `success`, or the two contradict each other
};

PayloadUse read_build_result(const Payload& payload, Micros received, ResultFacts& facts);

// The duration a row takes when a result came: the receipt-based one when it is known and within a second
// of Nix's span, else the span; the receipt-based one when there is no span.
std::optional<Micros> reconcile_duration(std::optional<Micros> receipt, std::optional<Micros> span);

// Takes the result's outcome, status and CPU times into `row`, and reconciles its duration (which holds the
// receipt-based one, if known) with the result's span.
void apply_result(Row& row, const ResultFacts& facts);

// What follows a path's last '/' (all of it when there is none): payloads name store paths without the
// store folder.
std::string_view base_name(std::string_view path);

}  // namespace nod
