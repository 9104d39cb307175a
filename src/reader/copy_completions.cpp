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

std::size_t CopyCompletions::charge(const Resolved& r) {
    return r.key.path.size() + r.row.path.size() + r.row.name.size() + r.row.machine.size();
}

void CopyCompletions::push_waiting(Resolved r, bool awaits_result) {
    bytes_ += charge(r);
    waiting_.push_back({std::move(r), awaits_result});
}

void CopyCompletions::push_held(Resolved r) {
    bytes_ += charge(r);
    held_.push_back(std::move(r));
}

CopyCompletions::Resolved CopyCompletions::take(std::deque<Waiting>::iterator it) {
    Resolved r = std::move(it->resolved);
    waiting_.erase(it);
    bytes_ -= charge(r);
    return r;
}

CopyCompletions::Resolved CopyCompletions::take(std::deque<Resolved>::iterator it) {
    Resolved r = std::move(*it);
    held_.erase(it);
    bytes_ -= charge(r);
    return r;
}

void CopyCompletions::settle(Outcome outcome, std::vector<Resolved>& out) {
    if (waiting_.empty()) {
        if (credits_.size() == max_credits) credits_.pop_front();
        credits_.push_back(outcome);
        return;
    }
    bool awaits_result = waiting_.front().awaits_result;
    Resolved r = take(waiting_.begin());
    r.row.outcome = outcome;
    if (awaits_result)
        hold(std::move(r), out);
    else
        out.push_back(std::move(r));
}

void CopyCompletions::hold(Resolved r, std::vector<Resolved>& out) {
    if (held_.size() == max_waiting) out.push_back(take(held_.begin()));  // its provisional outcome stands
    push_held(std::move(r));
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
        Resolved oldest = take(waiting_.begin());
        oldest.row.outcome = Outcome::unknown;
        out.push_back(std::move(oldest));
    }
    push_waiting({std::move(key), std::move(row)}, awaits_result);
}

// The newest `searched` entries of `queue` (its back), newest first: the entry a result or a new attempt
// is about stopped moments before, and a search never costs more than `searched` comparisons, however
// many rows a stream leaves waiting.
template <typename Queue, typename Match>
typename Queue::iterator CopyCompletions::find_recent(Queue& queue, Match match) {
    std::size_t n = std::min(queue.size(), searched);
    for (auto it = queue.end(); n > 0; --n) {
        --it;
        if (match(*it)) return it;
    }
    return queue.end();
}

bool CopyCompletions::result(std::string_view base, const ResultFacts& facts, std::vector<Resolved>& out) {
    auto named = [&](const Resolved& r) {
        const std::string& path = r.key.path;
        return r.row.kind == Kind::substitute && path.ends_with(base) &&
               (path.size() == base.size() || path[path.size() - base.size() - 1] == '/');
    };
    // Only rows stopped on a connection known to send results: taking another out of the queue would
    // shift which row the next progress counts.
    auto waiting = find_recent(waiting_, [&](const Waiting& w) { return w.awaits_result && named(w.resolved); });
    if (waiting != waiting_.end()) {
        Resolved r = take(waiting);
        apply_result(r.row, facts);
        out.push_back(std::move(r));
        return true;
    }
    auto held = find_recent(held_, named);
    if (held == held_.end()) return false;
    Resolved r = take(held);
    apply_result(r.row, facts);
    out.push_back(std::move(r));
    return true;
}

void CopyCompletions::superseded(const std::string& path, std::vector<Resolved>& out) {
    auto waiting = find_recent(waiting_, [&](const Waiting& w) { return w.resolved.key.path == path; });
    auto held = waiting == waiting_.end() ? find_recent(held_, [&](const Resolved& r) { return r.key.path == path; })
                                          : held_.end();
    if (waiting == waiting_.end() && held == held_.end()) return;
    Resolved r = waiting != waiting_.end() ? take(waiting) : take(held);
    r.row.outcome = Outcome::failed;
    out.push_back(std::move(r));
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
    bytes_ = 0;
}

}  // namespace nod
