#include "reader/build_completions.hpp"

#include <algorithm>
#include <functional>

namespace nod {

namespace {

Outcome outcome_of(bool failed) { return failed ? Outcome::failed : Outcome::succeeded; }

// Above this much work a late stop is left unknown rather than searched: pairing is cubic in the
// worst case, and a hostile stream must not make stops expensive. Real Workers stay far below it.
constexpr std::size_t max_pairing_work = 4'000'000;

}  // namespace

void BuildCompletions::started(std::uint64_t build) { open_[build] = std::nullopt; }

void BuildCompletions::progress(std::uint64_t aggregate, std::uint64_t done, std::uint64_t running,
                                std::uint64_t failed, std::uint64_t seq, Micros time) {
    Progress& p = aggregates_[aggregate];
    std::uint64_t new_done = done > p.done ? done - p.done : 0;
    std::uint64_t new_failed = failed > p.failed ? failed - p.failed : 0;
    std::uint64_t running_before = this->running();
    if (new_done + new_failed > 0 && running_before >= p.running) {
        std::uint64_t running_after = running_before - p.running + running;
        if (running_after == 0 && running_before - running_after == new_done + new_failed &&
            attribute_all(new_done + new_failed, new_failed > 0, new_done > 0 && new_failed > 0, time)) {
            p = {done, running, failed};
            return;
        }
    }
    if ((done > p.done || failed > p.failed) && last_stop_seq_ > last_completion_seq_) {
        batch_boundary_ = last_stop_seq_;  // a new turn of the Worker: older completions are stale
    }
    auto add = [&](std::uint64_t before, std::uint64_t after, bool is_failure) {
        if (after <= before) return;
        std::uint64_t n = std::min<std::uint64_t>(after - before, max_unclaimed);
        for (std::uint64_t i = 0; i < n; ++i) {
            if (unclaimed_.size() == max_unclaimed) unclaimed_.pop_front();
            unclaimed_.push_back({seq, time, is_failure});
        }
        last_completion_seq_ = seq;
    };
    add(p.done, done, false);
    add(p.failed, failed, true);
    p = {done, running, failed};
}

void BuildCompletions::aggregate_stopped(std::uint64_t aggregate) {
    aggregates_.erase(aggregate);
    if (aggregates_.empty()) {
        // The Worker is gone; whatever it did not pair can no longer be paired honestly.
        unclaimed_.clear();
        ghosts_.clear();
    }
}

// Every open build without a known end finished now, if there are exactly `count` of them.
bool BuildCompletions::attribute_all(std::uint64_t count, bool failed, bool mixed, Micros time) {
    std::uint64_t waiting = 0;
    for (const auto& [id, end] : open_) waiting += !end;
    if (waiting != count) return false;
    for (auto& [id, end] : open_) {
        if (!end) end = Resolution{mixed ? Outcome::unknown : outcome_of(failed), time};
    }
    return true;
}

std::uint64_t BuildCompletions::running() const {
    std::uint64_t n = 0;
    for (const auto& [id, p] : aggregates_) n += p.running;
    return n;
}

BuildCompletions::Resolution BuildCompletions::resolve(std::uint64_t build, std::uint64_t evidence_seq,
                                                       std::uint64_t seq, Micros time, bool at_eof,
                                                       const OtherBuilds& others) {
    if (auto it = open_.find(build); it != open_.end()) {
        std::optional<Resolution> known = it->second;
        open_.erase(it);
        if (known) {
            if (!at_eof) last_stop_seq_ = seq;
            return *known;
        }
    }
    if (!at_eof) {
        last_stop_seq_ = seq;
        if (auto fresh = resolve_fresh(evidence_seq, time)) return *fresh;
    }
    if (unclaimed_.empty()) return {Outcome::cancelled, time};
    // Something finished earlier without its stop. If builds are still running, this one may be one
    // of them (stopped now, i.e. cancelled) or the one that finished: the stream cannot tell.
    if (running() > 0) return {Outcome::unknown, std::nullopt};
    return resolve_late(evidence_seq, others());
}

// Nix ≥ 2.30 handles a finished build in one turn of its Worker loop: progress, then stop, within a
// millisecond. Several builds finishing in one turn give a batch of completions followed by a batch
// of stops; pairing them in order is exact up to the batch's own spread. A completion older than
// `batch_tolerance` at the stop is not this kind of evidence (Nix 2.8's late stops): see resolve_late.
std::optional<BuildCompletions::Resolution> BuildCompletions::resolve_fresh(std::uint64_t evidence_seq, Micros now) {
    auto first = unclaimed_.end();
    bool failed = false, agree = true;
    for (auto it = unclaimed_.begin(); it != unclaimed_.end(); ++it) {
        if (it->seq <= batch_boundary_ || it->seq <= evidence_seq || now - it->time > batch_tolerance) continue;
        if (first == unclaimed_.end()) {
            first = it;
            failed = it->failed;
        }
        agree = agree && it->failed == failed;
    }
    if (first == unclaimed_.end()) return std::nullopt;
    Resolution r{agree ? outcome_of(failed) : Outcome::unknown, first->time};
    unclaimed_.erase(first);
    return r;
}

BuildCompletions::Resolution BuildCompletions::resolve_late(std::uint64_t evidence_seq,
                                                            std::vector<std::uint64_t> thresholds) {
    thresholds.insert(thresholds.end(), ghosts_.begin(), ghosts_.end());
    if (unclaimed_.size() * unclaimed_.size() * (thresholds.size() + 1) > max_pairing_work) return {Outcome::unknown, std::nullopt};
    std::sort(thresholds.begin(), thresholds.end(), std::greater<>());

    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < unclaimed_.size(); ++i) {
        if (unclaimed_[i].seq > evidence_seq && matchable(thresholds, i)) candidates.push_back(i);
    }
    if (candidates.empty()) return {Outcome::unknown, std::nullopt};
    if (candidates.size() == 1) {
        Completion c = unclaimed_[candidates.front()];
        unclaimed_.erase(unclaimed_.begin() + static_cast<std::ptrdiff_t>(candidates.front()));
        return {outcome_of(c.failed), c.time};
    }
    bool failed = unclaimed_[candidates.front()].failed;
    bool agree = std::all_of(candidates.begin(), candidates.end(),
                             [&](std::size_t i) { return unclaimed_[i].failed == failed; });
    // Which completion was this build's stays open; keep its claim so later builds cannot take a
    // pairing that only looks unique because this one was dropped.
    ghosts_.push_back(evidence_seq);
    return {agree ? outcome_of(failed) : Outcome::unknown, std::nullopt};
}

// Can every threshold (sorted high to low) get its own completion newer than it, leaving out
// completion `skip`? Each build accepts every completion after its threshold, so the sets are nested
// and Hall's condition reduces to: the k-th highest threshold has at least k completions above it.
bool BuildCompletions::matchable(const std::vector<std::uint64_t>& thresholds, std::size_t skip) const {
    std::size_t k = 0;
    for (std::uint64_t t : thresholds) {
        ++k;
        std::size_t above = 0;
        for (std::size_t i = 0; i < unclaimed_.size(); ++i) {
            if (i != skip && unclaimed_[i].seq > t) ++above;
        }
        if (above < k) return false;
    }
    return true;
}

}  // namespace nod
