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
                      : new_done > 0                ? Outcome::succeeded
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
    Resolved r = std::move(waiting_.front());
    waiting_.pop_front();
    r.row.outcome = outcome;
    out.push_back(std::move(r));
}

void CopyCompletions::stopped(ActivityKey key, Row row, std::vector<Resolved>& out) {
    if (!credits_.empty()) {
        row.outcome = credits_.front();
        credits_.pop_front();
        out.push_back({std::move(key), std::move(row)});
        return;
    }
    if (waiting_.size() == max_waiting) {
        waiting_.front().row.outcome = Outcome::unknown;
        out.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
    }
    waiting_.push_back({std::move(key), std::move(row)});
}

void CopyCompletions::superseded(const std::string& path, std::vector<Resolved>& out) {
    auto it = std::find_if(waiting_.begin(), waiting_.end(), [&](const Resolved& r) { return r.key.path == path; });
    if (it == waiting_.end()) return;
    it->row.outcome = Outcome::failed;
    out.push_back(std::move(*it));
    waiting_.erase(it);
}

void CopyCompletions::aggregate_stopped(std::uint64_t aggregate, std::vector<Resolved>& out) {
    aggregates_.erase(aggregate);
    if (aggregates_.empty()) {
        credits_.clear();
        flush(out);
    }
}

void CopyCompletions::flush(std::vector<Resolved>& out) {
    for (auto& r : waiting_) {
        r.row.outcome = Outcome::unknown;
        out.push_back(std::move(r));
    }
    waiting_.clear();
}

}  // namespace nod
