#include "reader/connection_tracker.hpp"

#include <algorithm>

#include "reader/failure_message.hpp"
#include "reader/nix_protocol.hpp"
#include "reader/text.hpp"

namespace nod {

namespace {

constexpr std::size_t max_remembered_failures = 1024;
constexpr int max_parent_depth = 16;  // parent chains are 3 deep in practice; bounds hostile loops

bool is_local_store(std::string_view uri) {
    return uri.empty() || uri == "local" || uri == "local://" || uri == "unix" || uri == "unix://" ||
           uri == "daemon" || uri == "auto";
}

bool known_activity_type(std::int64_t t) { return t == nix::act_unknown || (t >= 100 && t <= 113); }
// With `fields`: upstream's result types, 109 being master's resFetchToStore.
bool known_result_type(std::int64_t t) { return t >= 100 && t <= 109; }

}  // namespace

ConnectionTracker::ConnectionTracker(ConnectionId id, Peer peer, const ReaderLimits& limits,
                                     ReaderCounters& counters, ActivityRegistry& registry, const RowSink& sink,
                                     std::size_t* user_held)
    : id_(id), peer_(peer), limits_(limits), counters_(counters), registry_(registry), sink_(sink),
      user_held_(user_held), framer_(limits.max_line) {}

void ConnectionTracker::feed(char* data, std::size_t size, Micros now) {
    counters_.bytes += size;
    std::uint64_t oversized = framer_.oversized_lines();
    framer_.feed(data, size, [&](char* l, std::size_t n) { line(l, n, now); });
    counters_.oversized_lines += framer_.oversized_lines() - oversized;
}

void ConnectionTracker::line(char* data, std::size_t size, Micros now) {
    ++counters_.lines;
    ++seq_;
    Record& r = record_;
    switch (parse_record(data, size, r)) {
    case ParseStatus::ok: break;
    case ParseStatus::malformed: ++counters_.malformed_lines; return;
    case ParseStatus::not_object: ++counters_.non_object_lines; return;
    case ParseStatus::nul_byte: ++counters_.nul_lines; return;
    case ParseStatus::too_deep: ++counters_.too_deep_lines; return;
    }
    if (r.wrong_type) ++counters_.wrong_types;
    // Determinate Nix from 3.20 puts a session id on every record: its substitutions' results will come
    // even before the first one has.
    if (r.has_sid) results_seen_ = true;
    switch (r.action) {
    case Action::result: on_result(r, now); break;
    case Action::start: on_start(r, now); break;
    case Action::stop: on_stop(r, now); break;
    case Action::msg: on_message(r); break;
    case Action::none:
    case Action::other: ++counters_.unknown_actions; break;
    }
    charge_copies();
}

// Rows waiting for their outcome were admitted as activities: they stay counted against the bounds on
// what a connection and its user may keep, until they are recorded.
void ConnectionTracker::charge_copies() {
    std::size_t bytes = copies_.bytes();
    if (bytes == copies_charged_) return;
    held_bytes_ = held_bytes_ - copies_charged_ + bytes;
    if (user_held_) *user_held_ = *user_held_ - copies_charged_ + bytes;
    copies_charged_ = bytes;
}

// ---- start ---------------------------------------------------------------------------------------

void ConnectionTracker::on_start(const Record& r, Micros now) {
    if (!r.has_id || !r.has_type) {
        ++counters_.missing_keys;
        return;
    }
    if (!known_activity_type(r.type)) ++counters_.unknown_activity_types;
    if (auto old = activities_.find(r.id); old != activities_.end()) {
        // One process cannot reuse a live id, so the earlier activity's end was lost: record it as
        // unknown rather than let the new one inherit its state.
        ++counters_.reused_ids;
        Activity& a = old->second;
        if (a.has_row) {
            Row row = make_row(r.id, a);
            row.outcome = Outcome::unknown;
            if (a.type == nix::act_build) open_builds_.erase(r.id);
            record(key_of(r.id, a), std::move(row), now, false);
        }
        forget(old);
    } else if (activities_.size() >= limits_.max_activities) {
        ++counters_.refused_activities;
        return;
    }
    Activity& a = activities_[r.id];
    a.type = r.type;
    a.parent = r.parent;
    a.start = now;
    a.evidence_seq = seq_;
    bool accepted = true;
    switch (r.type) {
    case nix::act_build:
    case nix::act_substitute:
    case nix::act_post_build_hook: accepted = start_row_activity(r.id, a, r); break;
    case nix::act_copy_path:
        if (under_substitution(r.parent)) {
            a.owner = row_owner(r.parent);
        } else if (auto s = r.parent == 0 ? open_substitutions_.find(std::string(r.string_field(0)))
                                          : open_substitutions_.end();
                   s != open_substitutions_.end()) {
            a.owner = s->second;  // Nix < 2.18 sends no `parent`: the substitution of the same path
        } else {
            accepted = start_row_activity(r.id, a, r);
        }
        break;
    case nix::act_file_transfer: a.owner = row_owner(r.parent); break;
    default: break;
    }
    if (!accepted) activities_.erase(r.id);
}

// The machine a row activity names: the remote builder, the substituter, or the copy's peer.
std::string_view ConnectionTracker::machine_of(const Record& r, Direction& direction) {
    switch (r.type) {
    case nix::act_build:
    case nix::act_substitute: return r.string_field(1);
    case nix::act_copy_path:
        direction = is_local_store(r.string_field(2)) ? Direction::in : Direction::out;
        return direction == Direction::in ? r.string_field(1) : r.string_field(2);
    default: return {};
    }
}

// False when the activity is refused: its strings are too long, or would take its connection or its user
// past what they may keep in flight.
bool ConnectionTracker::admit(std::string_view path, std::string_view machine) {
    if (path.size() > limits_.max_path || machine.size() > limits_.max_path) {
        ++counters_.refused_long_paths;
        return false;
    }
    std::size_t bytes = path.size() + machine.size();
    if (held_bytes_ + bytes > limits_.max_held_bytes ||
        (user_held_ && *user_held_ + bytes > limits_.max_held_bytes_per_user)) {
        ++counters_.refused_held_bytes;
        return false;
    }
    return true;
}

void ConnectionTracker::hold(Activity& a) {
    a.held = a.path.size() + a.machine.size();
    held_bytes_ += a.held;
    if (user_held_) *user_held_ += a.held;
}

void ConnectionTracker::forget(std::unordered_map<std::uint64_t, Activity>::iterator it) {
    if (it->second.type == nix::act_build && it->second.has_row) {
        auto b = builds_by_name_.find(base_name(it->second.path));
        if (b != builds_by_name_.end() && b->second == it->first) builds_by_name_.erase(b);
    }
    held_bytes_ -= it->second.held;
    if (user_held_) *user_held_ -= it->second.held;
    activities_.erase(it);
}

bool ConnectionTracker::start_row_activity(std::uint64_t id, Activity& a, const Record& r) {
    std::string_view path = r.string_field(0);
    if (path.empty()) {
        ++counters_.missing_keys;  // a build or copy of nothing: keep it in flight, but no row
        return true;
    }
    Direction direction = Direction::none;
    std::string_view machine = machine_of(r, direction);
    if (!admit(path, machine)) return false;
    a.has_row = true;
    a.path = kept(path);
    a.machine = kept(machine);
    a.direction = direction;
    hold(a);
    switch (a.type) {
    case nix::act_build:
        a.kind = Kind::build;
        open_builds_.insert(id);
        // The key is a view into the path of the build it names: replaced, not just re-pointed.
        builds_by_name_.erase(base_name(a.path));
        builds_by_name_.emplace(base_name(a.path), id);
        builds_.started(id);
        for (const auto& failed : failed_drvs_) a.failed_by_message = a.failed_by_message || failed == a.path;
        break;
    case nix::act_substitute:
        a.kind = Kind::substitute;
        copies_.superseded(a.path, resolved_);
        open_substitutions_[a.path] = id;
        break;
    case nix::act_post_build_hook: a.kind = Kind::post_build_hook; break;
    case nix::act_copy_path: a.kind = Kind::copy; break;
    default: break;
    }
    registry_.started(key_of(id, a), reporter(id), a.start);
    record_resolved(resolved_, a.start);
    return true;
}

Reporter ConnectionTracker::reporter(std::uint64_t id) const {
    return {id_, peer_.uid, peer_.pid > 0 && nix::origin_pid(id) == static_cast<std::uint32_t>(peer_.pid)};
}

std::uint64_t ConnectionTracker::row_owner(std::uint64_t parent) const {
    for (int depth = 0; parent != 0 && depth < max_parent_depth; ++depth) {
        auto it = activities_.find(parent);
        if (it == activities_.end()) return 0;
        if (it->second.has_row) return parent;
        if (it->second.owner != 0) return it->second.owner;
        parent = it->second.parent;
    }
    return 0;
}

bool ConnectionTracker::under_substitution(std::uint64_t parent) const {
    std::uint64_t owner = row_owner(parent);
    auto it = activities_.find(owner);
    return it != activities_.end() && it->second.type == nix::act_substitute;
}

// ---- result --------------------------------------------------------------------------------------

void ConnectionTracker::on_result(const Record& r, Micros now) {
    if (!r.has_id || !r.has_type) {
        ++counters_.missing_keys;
        return;
    }
    // `payload` before `type`: 109 with a payload is Determinate's resHashMismatch, with fields upstream's
    // resFetchToStore.
    if (r.has_payload) {
        on_payload(r, now);
        return;
    }
    if (!known_result_type(r.type)) ++counters_.unknown_result_types;
    auto it = activities_.find(r.id);
    if (it == activities_.end()) return;  // results of activities nod does not follow, or never saw start
    Activity& a = it->second;
    switch (r.type) {
    case nix::res_build_log_line:
    case nix::res_set_phase:
    case nix::res_post_build_log_line: {
        if (r.type == nix::res_set_phase && a.has_row) set_phase(a, r.string_field(0));
        a.evidence_seq = seq_;
        // Children a builder creates (downloads) show that its build is still at work too.
        if (a.owner != 0) {
            if (auto o = activities_.find(a.owner); o != activities_.end()) o->second.evidence_seq = seq_;
        }
        break;
    }
    case nix::res_progress: {
        std::uint64_t done = r.number_field(0), expected = r.number_field(1);
        std::uint64_t running = r.number_field(2), failed = r.number_field(3);
        if (a.type == nix::act_builds) {
            builds_.progress(r.id, done, running, failed, seq_, now);
            builds_done_ = done;
            builds_expected_ = expected;
        } else if (a.type == nix::act_copy_paths) {
            copies_.progress(r.id, done, failed, resolved_);
        } else if (a.type == nix::act_copy_path) {
            // [bytes copied, NAR size]: the NAR size is what the path weighs; while Nix does not
            // know it yet, bytes copied are the best figure.
            std::uint64_t nar = std::max(done, expected);
            Activity* target = &a;
            if (!a.has_row && a.owner != 0) {
                auto o = activities_.find(a.owner);
                target = o != activities_.end() ? &o->second : nullptr;
            }
            if (target) {
                target->bytes = std::max(target->bytes, nar);
                target->copied = done;
                target->nar_size = expected;
            }
        } else if (a.type == nix::act_file_transfer) {
            a.transferred = std::max(a.transferred, done);
        }
        break;
    }
    default: break;
    }
    if (!resolved_.empty()) record_resolved(resolved_, now);
}

// Phases are short names ("buildPhase"); a longer one is cut, and what it holds counts against the bounds.
void ConnectionTracker::set_phase(Activity& a, std::string_view phase) {
    constexpr std::size_t max_phase = 64;
    std::string kept_phase = kept(phase.substr(0, max_phase));
    std::size_t before = a.phase.size();
    a.phase = std::move(kept_phase);
    a.held = a.held - before + a.phase.size();
    held_bytes_ = held_bytes_ - before + a.phase.size();
    if (user_held_) *user_held_ = *user_held_ - before + a.phase.size();
}

void ConnectionTracker::running(std::vector<LiveActivity>& out) const {
    for (const auto& [id, a] : activities_) {
        if (!a.has_row) continue;
        ActivityKey key = key_of(id, a);
        auto facts = registry_.open_facts(key, reporter(id));
        if (!facts.listed) continue;
        LiveActivity live;
        live.kind = a.kind;
        live.path = a.path;
        live.name = std::string(name_from_store_path(a.path));
        live.start = a.start;
        live.user = facts.user;
        live.trusted = facts.trusted;
        live.machine = a.machine;
        live.phase = a.phase;
        if (a.type == nix::act_build) {
            live.done = builds_done_;
            live.expected = builds_expected_;
        } else {
            live.done = a.copied;
            live.expected = a.nar_size;
        }
        out.push_back(std::move(live));
    }
}

// ---- Determinate Nix's results -----------------------------------------------------------------------

void ConnectionTracker::on_payload(const Record& r, Micros now) {
    ++counters_.payload_results;
    results_seen_ = true;
    switch (r.type) {
    case nix::res_build_result: on_build_result(r, now); break;
    case nix::res_hash_mismatch: on_hash_mismatch(r, now); break;
    default: ++counters_.unusable_payloads; break;
    }
}

// A resBuildResult names its work by path, not by id (from Determinate 3.19 its id is usually 0): a
// derivation's comes before its build's stop, a substitution's after its stop.
void ConnectionTracker::on_build_result(const Record& r, Micros now) {
    const Payload& p = r.payload;
    if (!p.has(Payload::path) || p.path_text.empty()) {
        ++counters_.unusable_payloads;
        return;
    }
    if (p.path_text.size() > limits_.max_path) {
        ++counters_.refused_long_paths;  // no activity with such a path was admitted
        return;
    }
    ResultFacts facts;
    switch (read_build_result(p, now, facts)) {
    case PayloadUse::facts: break;
    case PayloadUse::dependency_failed:
        // Nix decides it before the build starts: there is no row to give it to, and it is not the
        // failure of any build that ran.
        ++counters_.unmatched_payloads;
        return;
    case PayloadUse::unusable: ++counters_.unusable_payloads; return;
    }
    std::string_view base = base_name(p.path_text);
    bool matched = false;
    if (p.path_form == Payload::PathForm::drv_path) {
        matched = result_for_builds(base, facts);
    } else {
        matched = copies_.result(base, facts, resolved_);
        // 3.1–3.14 may name a derivation as opaque too.
        if (!matched && base.ends_with(".drv")) matched = result_for_builds(base, facts);
    }
    if (!matched) ++counters_.unmatched_payloads;
    record_resolved(resolved_, now);
}

bool ConnectionTracker::result_for_builds(std::string_view base, const ResultFacts& facts) {
    auto b = builds_by_name_.find(base);
    if (b == builds_by_name_.end()) return false;
    activities_.at(b->second).result = facts;
    return true;
}

// resHashMismatch comes on the actBuild itself, just before its resBuildResult says HashMismatch: the build
// failed even if that never comes.
void ConnectionTracker::on_hash_mismatch(const Record& r, Micros now) {
    ResultFacts facts;
    facts.outcome = Outcome::failed;
    facts.status = BuildStatus::hash_mismatch;
    facts.received = now;
    auto it = activities_.find(r.id);
    if (it != activities_.end() && it->second.type == nix::act_build && it->second.has_row) {
        if (!it->second.result) it->second.result = facts;
        return;
    }
    // Not on a build this connection follows: the payload's drv path still names it.
    const Payload& p = r.payload;
    if (p.has(Payload::store_path) && p.store_path_text.size() <= limits_.max_path) {
        auto b = builds_by_name_.find(base_name(p.store_path_text));
        if (b != builds_by_name_.end()) {
            Activity& a = activities_.at(b->second);
            if (a.path == p.store_path_text) {
                if (!a.result) a.result = facts;
                return;
            }
        }
    }
    ++counters_.unmatched_payloads;
}

// ---- stop ----------------------------------------------------------------------------------------

void ConnectionTracker::on_stop(const Record& r, Micros now) {
    if (!r.has_id) {
        ++counters_.missing_keys;
        return;
    }
    auto it = activities_.find(r.id);
    if (it == activities_.end()) {
        ++counters_.unknown_stops;
        return;
    }
    Activity& a = it->second;
    switch (a.type) {
    case nix::act_builds: builds_.aggregate_stopped(r.id); break;
    case nix::act_copy_paths: copies_.aggregate_stopped(r.id, resolved_); break;
    case nix::act_file_transfer:
        if (a.owner != 0) {
            if (auto o = activities_.find(a.owner); o != activities_.end())
                o->second.download_bytes = std::min(o->second.download_bytes + std::min(a.transferred, max_row_bytes),
                                                    max_row_bytes);
        }
        break;
    default: break;
    }
    if (a.type == nix::act_substitute) {
        if (auto s = open_substitutions_.find(a.path); s != open_substitutions_.end() && s->second == r.id)
            open_substitutions_.erase(s);
    }
    if (a.has_row) {
        if (a.type == nix::act_build) {
            finish_build(r.id, a, now, false);
        } else {
            Row row = make_row(r.id, a);
            row.duration = now - a.start;
            if (a.type == nix::act_post_build_hook)
                wait_for_build(key_of(r.id, a), std::move(row), now);
            else
                copies_.stopped(key_of(r.id, a), std::move(row), resolved_,
                                results_seen_ && a.type == nix::act_substitute);
        }
    }
    forget(it);
    record_resolved(resolved_, now);
}

void ConnectionTracker::finish_build(std::uint64_t id, Activity& a, Micros now, bool at_eof) {
    open_builds_.erase(id);
    auto others = [&] {
        std::vector<std::uint64_t> seqs;
        for (std::uint64_t b : open_builds_)
            if (!builds_.settled(b)) seqs.push_back(activities_.at(b).evidence_seq);
        return seqs;
    };
    // Asked even when a result came, so that the build's completion is paired and not left for another.
    auto res = builds_.resolve(id, a.evidence_seq, seq_, now, at_eof, others);
    Row row = make_row(id, a);
    row.outcome = res.outcome;
    if (a.failed_by_message && res.outcome != Outcome::succeeded) row.outcome = Outcome::failed;
    std::optional<Micros> end = res.end;
    // Without a completion (a cancelled resolution ends at the stop or at EOF) the result's receipt is the
    // better end: Nix writes it as the build ends.
    if (a.result && (!end || res.outcome == Outcome::cancelled)) end = a.result->received;
    if (end) row.duration = std::max<Micros>(0, *end - a.start);
    if (a.result) apply_result(row, *a.result);
    finish_hooks(a.path, row.outcome, now);
    bool abandoned = at_eof && row.outcome == Outcome::cancelled;
    record(key_of(id, a), std::move(row), now, abandoned);
}

// A stopped hook waits for its build's outcome; a stream that never ends its builds cannot make the wait
// grow without end: past max_activities the oldest waiting hook is recorded as unknown.
void ConnectionTracker::wait_for_build(ActivityKey key, Row row, Micros now) {
    if (hooks_waiting_.size() >= limits_.max_activities) {
        auto oldest = std::move(hooks_waiting_.front());
        hooks_waiting_.erase(hooks_waiting_.begin());
        oldest.row.outcome = Outcome::unknown;
        record(oldest.key, std::move(oldest.row), now, false);
    }
    hooks_waiting_.push_back({std::move(key), std::move(row)});
}

void ConnectionTracker::finish_hooks(const std::string& drv, Outcome build_outcome, Micros now) {
    // A hook runs after the builder succeeded; if its build then failed, the hook is what failed.
    auto ready = std::stable_partition(hooks_waiting_.begin(), hooks_waiting_.end(),
                                       [&](const auto& h) { return h.key.path != drv; });
    for (auto it = ready; it != hooks_waiting_.end(); ++it) {
        it->row.outcome = build_outcome == Outcome::succeeded || build_outcome == Outcome::failed
                              ? build_outcome
                              : Outcome::unknown;
        record(it->key, std::move(it->row), now, false);
    }
    hooks_waiting_.erase(ready, hooks_waiting_.end());
}

// ---- messages ------------------------------------------------------------------------------------

void ConnectionTracker::on_message(const Record& r) {
    if (r.level != 0) return;  // failures are logged as errors
    auto failure = parse_build_failure(r.raw_msg.empty() ? r.msg : r.raw_msg);
    if (!failure || failure->dependency_only) return;
    for (std::uint64_t b : open_builds_) {
        Activity& a = activities_.at(b);
        if (a.path == failure->drv_path) a.failed_by_message = true;
    }
    remember_failure(std::move(failure->drv_path));
}

void ConnectionTracker::remember_failure(std::string drv) {
    if (drv.size() > limits_.max_path) return;  // no build could have such a path: none was admitted
    if (std::find(failed_drvs_.begin(), failed_drvs_.end(), drv) != failed_drvs_.end()) return;
    if (failed_drvs_.size() == max_remembered_failures) failed_drvs_.pop_front();
    failed_drvs_.push_back(std::move(drv));
}

// ---- end of stream -------------------------------------------------------------------------------

void ConnectionTracker::close(Micros now) {
    framer_.finish([&](char* l, std::size_t n) { line(l, n, now); });
    // Builds first: a late stop can still be paired while the Worker's progress is known.
    std::vector<std::uint64_t> builds(open_builds_.begin(), open_builds_.end());
    std::sort(builds.begin(), builds.end());
    for (std::uint64_t id : builds) finish_build(id, activities_.at(id), now, true);
    for (auto& [id, a] : activities_) {
        if (!a.has_row || a.type == nix::act_build) continue;
        Row row = make_row(id, a);
        row.outcome = Outcome::cancelled;
        row.duration = now - a.start;
        record(key_of(id, a), std::move(row), now, true);
    }
    activities_.clear();
    builds_by_name_.clear();
    if (user_held_) *user_held_ -= held_bytes_;
    held_bytes_ = 0;
    open_substitutions_.clear();
    copies_.flush(resolved_);
    copies_charged_ = 0;
    record_resolved(resolved_, now);
    for (auto& h : hooks_waiting_) {
        h.row.outcome = Outcome::unknown;
        record(h.key, std::move(h.row), now, false);
    }
    hooks_waiting_.clear();
}

// ---- rows ----------------------------------------------------------------------------------------

Row ConnectionTracker::make_row(std::uint64_t id, const Activity& a) const {
    Row row;
    row.kind = a.kind;
    row.path = a.path;
    row.name = std::string(name_from_store_path(a.path));
    row.start = a.start;
    row.outcome = Outcome::unknown;
    row.bytes = std::min(a.bytes, max_row_bytes);
    row.download_bytes = std::min(a.download_bytes, max_row_bytes);
    row.machine = a.machine;
    row.direction = a.direction;
    row.uid = peer_.uid;
    row.pid = peer_.pid;
    row.activity_id = id;
    row.origin = reporter(id).origin;
    return row;
}

void ConnectionTracker::record_resolved(std::vector<CopyCompletions::Resolved>& resolved, Micros now) {
    for (auto& r : resolved) record(r.key, std::move(r.row), now, false);
    resolved.clear();
}

void ConnectionTracker::record(const ActivityKey& key, Row row, Micros now, bool abandoned) {
    Reporter who = reporter(key.id);
    auto out = abandoned ? registry_.abandoned(key, who, std::move(row), now)
                         : registry_.finished(key, who, std::move(row), now);
    if (!out) {
        ++counters_.duplicate_rows;
        return;
    }
    ++counters_.rows;
    sink_(std::move(*out));
}

std::string ConnectionTracker::kept(std::string_view text) {
    bool repaired = false;
    std::string s = valid_utf8(text, repaired);
    if (repaired) ++counters_.invalid_utf8;
    return s;
}

}  // namespace nod
