#include "collector/refusals.hpp"

namespace nod::collector {

std::string_view to_string(RefusalReason reason) {
    switch (reason) {
    case RefusalReason::connections: return "connections";
    case RefusalReason::connections_per_user: return "connections-per-user";
    case RefusalReason::fd_limit: return "fd-limit";
    case RefusalReason::line_too_long: return "line-too-long";
    case RefusalReason::too_deep: return "too-deep";
    case RefusalReason::path_too_long: return "path-too-long";
    case RefusalReason::activities: return "activities";
    case RefusalReason::held_bytes: return "held-bytes";
    case RefusalReason::paused: return "paused";
    case RefusalReason::rows_dropped: return "rows-dropped";
    case RefusalReason::rows_per_day: return "rows-per-day";
    }
    return "unknown";
}

std::optional<std::uint64_t> Refusals::note(RefusalReason reason, std::uint32_t uid, Micros now, std::uint64_t n) {
    Entry& e = entries_[{reason, uid}];
    e.count += n;
    if (e.logged && now - e.last_log < log_every) return std::nullopt;
    std::uint64_t since = e.count - e.at_last_log;
    e.logged = true;
    e.last_log = now;
    e.at_last_log = e.count;
    return since;
}

std::vector<Refusals::Count> Refusals::counts() const {
    std::vector<Count> out;
    for (const auto& [key, entry] : entries_) out.push_back({key.first, key.second, entry.count});
    return out;
}

std::uint64_t Refusals::total(RefusalReason reason) const {
    std::uint64_t n = 0;
    for (const auto& [key, entry] : entries_)
        if (key.first == reason) n += entry.count;
    return n;
}

}  // namespace nod::collector
