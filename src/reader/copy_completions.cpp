#include "reader/copy_completions.hpp"

#include <algorithm>

namespace nod {

void CopyCompletions::progress(std::uint64_t aggregate, std::uint64_t done, std::uint64_t failed,
                               std::vector<Resolved>& out) {
    Progress& p = aggregates_[aggregate];
    std::uint64_t new_done = done > p.done ? done - p.done : 0;
    std::uint64_t new_failed = failed > p.failed ? failed - p.failed : 0;
    p = {done, failed};
    // Both moving in one update leaves the order unknown; only then is the outcome unknown.
    Outcome outcome = new_done > 0 && new_failed > 0 ? Outcome::unknown
                      : new_done > 0                 ? Outcome::succeeded
                                                     : Outcome::failed;
    std::uint64_t n = std::min<std::uint64_t>(new_done + new_failed, max_credits);
    for (std::uint64_t i = 0; i < n; ++i) settle(outcome, out);
}

void CopyCompletions::settle(Outcome outcome, std::vector<Resolved>& out) {
    if (waiting_.empty()) {
        if (credits_.size() == max_credits) credits_.pop_front();
        credits_.push_back(outcome);
        return;
    }
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    w.resolved.row.outcome = outcome;
    if (w.awaits_result)
        hold(std::move(w.resolved), out);
    else
        out.push_back(std::move(w.resolved));
}

void CopyCompletions::hold(Resolved r, std::vector<Resolved>& out) {
    if (held_.size() == max_waiting) {
        out.push_back(std::move(held_.front()));  // its provisional outcome stands
        held_.pop_front();
    }
    held_.push_back(std::move(r));
}

void CopyCompletions::stopped(ActivityKey key, Row row, std::vector<Resolved>& out, bool awaits_result) {
    if (!credits_.empty()) {
        row.outcome = credits_.front();
        credits_.pop_front();
        if (awaits_result)
            hold({std::move(key), std::move(row)}, out);
        else
            out.push_back({std::move(key), std::move(row)});
        return;
    }
    if (waiting_.size() == max_waiting) {
        waiting_.front().resolved.row.outcome = Outcome::unknown;
        out.push_back(std::move(waiting_.front().resolved));
        waiting_.pop_front();
    }
    waiting_.push_back({{std::move(key), std::move(row)}, awaits_result});
}

bool CopyCompletions::result(std::string_view base, const ResultFacts& facts, std::vector<Resolved>& out) {
    // A suffix test, not base_name(): this runs over up to 2 × max_waiting rows for every result.
    auto named = [&](const Resolved& r) {
        const std::string& path = r.key.path;
        return path.ends_with(base) &&
               (path.size() == base.size() || path[path.size() - base.size() - 1] == '/');
    };
    auto waiting =
        std::find_if(waiting_.begin(), waiting_.end(), [&](const Waiting& w) { return named(w.resolved); });
    if (waiting != waiting_.end()) {
        apply_result(waiting->resolved.row, facts);
        out.push_back(std::move(waiting->resolved));
        waiting_.erase(waiting);
        return true;
    }
    auto held = std::find_if(held_.begin(), held_.end(), named);
    if (held == held_.end()) return false;
    apply_result(held->row, facts);
    out.push_back(std::move(*held));
    held_.erase(held);
    return true;
}

void CopyCompletions::superseded(const std::string& path, std::vector<Resolved>& out) {
    auto waiting = std::find_if(waiting_.begin(), waiting_.end(),
                                [&](const Waiting& w) { return w.resolved.key.path == path; });
    if (waiting != waiting_.end()) {
        waiting->resolved.row.outcome = Outcome::failed;
        out.push_back(std::move(waiting->resolved));
        waiting_.erase(waiting);
        return;
    }
    auto held =
        std::find_if(held_.begin(), held_.end(), [&](const Resolved& r) { return r.key.path == path; });
    if (held == held_.end()) return;
    held->row.outcome = Outcome::failed;
    out.push_back(std::move(*held));
    held_.erase(held);
}

void CopyCompletions::aggregate_stopped(std::uint64_t aggregate, std::vector<Resolved>& out) {
    aggregates_.erase(aggregate);
    if (aggregates_.empty()) {
        credits_.clear();
        flush(out);
    }
}

void CopyCompletions::flush(std::vector<Resolved>& out) {
    for (auto& r : held_) out.push_back(std::move(r));
    held_.clear();
    for (auto& w : waiting_) {
        w.resolved.row.outcome = Outcome::unknown;
        out.push_back(std::move(w.resolved));
    }
    waiting_.clear();
}

}  // namespace nod
