#include "reader/activity_registry.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "reader/text.hpp"

namespace nod {

std::size_t ActivityKeyHash::operator()(const ActivityKey& k) const noexcept {
    std::size_t h = std::hash<std::uint64_t>{}(k.id);
    h ^= std::hash<std::string>{}(k.path) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h ^ static_cast<std::size_t>(k.kind);
}

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void forget(std::vector<ConnectionId>& conns, ConnectionId conn) {
    conns.erase(std::remove(conns.begin(), conns.end(), conn), conns.end());
}

}  // namespace

std::uint64_t key_hash(const ActivityKey& k) noexcept {
    std::uint64_t h = mix(k.id ^ (static_cast<std::uint64_t>(k.kind) << 56));
    return mix(h ^ static_cast<std::uint64_t>(std::hash<std::string>{}(k.path)));
}

// Who reported the activity: root, its origin, and the client it is for. A client that reported it after
// the origin did (the daemon relays each activity to its client) is preferred to one that came before.
void ActivityRegistry::note(Entry& e, const Reporter& who) {
    if (who.uid == 0) e.root_seen = true;
    if (who.origin) {
        if (!e.origin) e.origin = who.conn;
        return;
    }
    if (!e.client_uid || (!e.client_after_origin && e.origin)) {
        e.client_uid = who.uid;
        e.client_after_origin = e.origin.has_value();
    }
}

ActivityRegistry::OpenFacts ActivityRegistry::open_facts(const ActivityKey& key, const Reporter& who) const {
    auto it = open_.find(key);
    if (it == open_.end()) return {true, who.uid, who.uid == 0};
    const Entry& e = it->second;
    return {e.owner == who.conn, who.origin && e.client_uid ? *e.client_uid : who.uid, e.root_seen};
}

std::uint64_t ActivityRegistry::take_started(std::vector<LiveActivity>& out) {
    for (const Fresh& f : fresh_) {
        LiveActivity a;
        a.kind = f.key.kind;
        a.path = f.key.path;
        a.name = std::string(name_from_store_path(f.key.path));
        a.start = f.start;
        a.user = f.who.uid;
        a.trusted = f.who.uid == 0;
        if (auto it = open_.find(f.key); it != open_.end()) {
            const Entry& e = it->second;
            if (e.origin && e.client_uid) a.user = *e.client_uid;
            a.trusted = e.root_seen;
        }
        out.push_back(std::move(a));
    }
    fresh_.clear();
    return std::exchange(fresh_left_, 0);
}

void ActivityRegistry::started(const ActivityKey& key, const Reporter& who, Micros now) {
    expire(now);
    if (recorded_.find(key_hash(key))) return;  // a late copy: its end will be a duplicate
    auto [it, fresh] = open_.try_emplace(key);
    Entry& e = it->second;
    if (fresh) {
        e.owner = who.conn;
        e.owner_is_origin = who.origin;
        if (fresh_.size() < max_fresh) fresh_.push_back({key, who, now});
        else ++fresh_left_;
    } else if (who.origin && !e.owner_is_origin) {
        e.owner = who.conn;
        e.owner_is_origin = true;
    }
    note(e, who);
    if (std::find(e.open_on.begin(), e.open_on.end(), who.conn) == e.open_on.end()) e.open_on.push_back(who.conn);
}

std::optional<Row> ActivityRegistry::finished(const ActivityKey& key, const Reporter& who, Row row, Micros now) {
    std::uint64_t hash = key_hash(key);
    if (auto done = recorded_.find(hash)) {
        // Another connection's view went out first: the origin's own replaces it (the store drops the other).
        if (who.origin && !done->by_origin) {
            row.supersedes = true;
            return record(hash, std::move(row), who.uid == 0, {}, now);
        }
        return std::nullopt;
    }
    auto it = open_.find(key);
    // Not open anywhere: its start was refused, or came before its last record expired.
    if (it == open_.end()) return record(hash, std::move(row), who.uid == 0, {}, now);
    Entry& e = it->second;
    forget(e.open_on, who.conn);
    note(e, who);
    if (e.owner != who.conn) {
        if (!e.fallback) e.fallback = std::move(row);
        // The owner may be gone already (its connection ended first): nobody else will speak.
        if (!e.open_on.empty()) return std::nullopt;
        Row fallback = std::move(*e.fallback);
        return emit(it, std::move(fallback), now);
    }
    return emit(it, std::move(row), now);
}

std::optional<Row> ActivityRegistry::abandoned(const ActivityKey& key, const Reporter& who, Row row, Micros now) {
    std::uint64_t hash = key_hash(key);
    if (recorded_.find(hash)) return std::nullopt;  // a finished view beats a cut-off one, even the origin's
    auto it = open_.find(key);
    if (it == open_.end()) return record(hash, std::move(row), who.uid == 0, {}, now);
    Entry& e = it->second;
    forget(e.open_on, who.conn);
    note(e, who);
    if (e.fallback) {
        Row fallback = std::move(*e.fallback);
        return emit(it, std::move(fallback), now);
    }
    if (!e.open_on.empty()) {
        e.owner = e.open_on.front();
        e.owner_is_origin = e.origin && *e.origin == e.owner;
        return std::nullopt;
    }
    return emit(it, std::move(row), now);
}

std::optional<Row> ActivityRegistry::emit(Open::iterator it, Row row, Micros now) {
    Entry entry = std::move(it->second);
    std::uint64_t hash = key_hash(it->first);
    open_.erase(it);
    return record(hash, std::move(row), entry.root_seen, entry.client_uid, now);
}

// The row goes out: for the client's user when the origin gives it, trusted when root reported it. Its key
// is remembered for a window, so that a copy reported later makes no second row.
std::optional<Row> ActivityRegistry::record(std::uint64_t hash, Row row, bool root_seen,
                                            std::optional<std::uint32_t> client_uid, Micros now) {
    row.trusted = root_seen;
    row.user = row.origin && client_uid ? *client_uid : row.uid;
    recorded_.record(hash, now, row.origin);
    return row;
}

void ActivityRegistry::expire(Micros now) { recorded_.expire(now, window_); }

}  // namespace nod
