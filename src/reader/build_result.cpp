#include "reader/build_result.hpp"

namespace nod {

namespace {

constexpr Micros second = 1'000'000;
// Keeps the span exact in µs; no build takes 68 years.
constexpr std::uint64_t max_span_seconds = std::uint64_t{1} << 31;

bool success_status(BuildStatus s) {
    return s == BuildStatus::built || s == BuildStatus::substituted || s == BuildStatus::already_valid ||
           s == BuildStatus::resolves_to_already_valid;
}

}  // namespace

PayloadUse read_build_result(const Payload& p, Micros received, ResultFacts& facts) {
    // G1 (3.1–3.14) sends `status` alone, G2 (3.15 on) `status` and `success`.
    std::optional<BuildStatus> status;
    if (p.has(Payload::status)) status = build_status_from_string(p.status_text);
    if (status == BuildStatus::dependency_failed) return PayloadUse::dependency_failed;
    Outcome outcome = Outcome::unknown;
    if (p.has(Payload::success)) {
        if (status && success_status(*status) != p.success_value) return PayloadUse::unusable;
        outcome = p.success_value                    ? Outcome::succeeded
                  : status == BuildStatus::cancelled ? Outcome::cancelled
                                                     : Outcome::failed;
    } else {
        if (!status) return PayloadUse::unusable;
        outcome = success_status(*status)             ? Outcome::succeeded
                  : *status == BuildStatus::cancelled ? Outcome::cancelled
                                                      : Outcome::failed;
    }
    facts = ResultFacts{};
    facts.outcome = outcome;
    facts.status = status.value_or(BuildStatus::none);
    facts.received = received;
    if (p.has(Payload::start_time) && p.has(Payload::stop_time) && p.start_time_value != 0 &&
        p.stop_time_value != 0 && p.stop_time_value >= p.start_time_value &&
        p.stop_time_value - p.start_time_value <= max_span_seconds)
        facts.span = static_cast<Micros>(p.stop_time_value - p.start_time_value) * second;
    if (p.has(Payload::cpu_user)) facts.cpu_user_us = std::min(p.cpu_user_value, max_row_cpu_us);
    if (p.has(Payload::cpu_system)) facts.cpu_system_us = std::min(p.cpu_system_value, max_row_cpu_us);
    return PayloadUse::facts;
}

std::optional<Micros> reconcile_duration(std::optional<Micros> receipt, std::optional<Micros> span) {
    if (!span) return receipt;
    if (receipt && *receipt >= *span - second && *receipt <= *span + second) return receipt;
    return span;
}

void apply_result(Row& row, const ResultFacts& facts) {
    row.outcome = facts.outcome;
    row.status = facts.status;
    row.cpu_user_us = facts.cpu_user_us;
    row.cpu_system_us = facts.cpu_system_us;
    row.duration = reconcile_duration(row.duration, facts.span);
}

std::string_view base_name(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace nod
