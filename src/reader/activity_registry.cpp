#include "reader/activity_registry.hpp"

#include <algorithm>
#include <functional>

namespace nod {

std::size_t ActivityKeyHash::operator()(const ActivityKey& k) const noexcept {
    std::size_t h = std::hash<std::uint64_t>{}(k.id);
    h ^= std::hash<std::string>{}(k.path) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h ^ static_cast<std::size_t>(k.kind);
}

namespace {

void forget(std::vector<ConnectionId>& conns, ConnectionId conn) {
    conns.erase(std::remove(conns.begin(), conns.end(), conn), conns.end());
}

}  // namespace

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

void ActivityRegistry::started(const ActivityKey& key, const Reporter& who, Micros now) {
    expire(now);
    auto [it, fresh] = entries_.try_emplace(key);
    Entry& e = it->second;
    if (fresh) {
        e.owner = who.conn;
        e.owner_is_origin = who.origin;
    } else if (!e.emitted && who.origin && !e.owner_is_origin) {
        e.owner = who.conn;
        e.owner_is_origin = true;
    }
    note(e, who);
    if (std::find(e.open_on.begin(), e.open_on.end(), who.conn) == e.open_on.end()) e.open_on.push_back(who.conn);
}

std::optional<Row> ActivityRegistry::finished(const ActivityKey& key, const Reporter& who, Row row, Micros now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return emit_expired(key, who, std::move(row), now);
    Entry& e = it->second;
    forget(e.open_on, who.conn);
    note(e, who);
    if (e.emitted) {
        // Another connection's view went out first: the origin's own replaces it (the store drops the other).
        if (who.origin && !e.emitted_by_origin) return emit(key, e, std::move(row), now);
        return std::nullopt;
    }
    if (e.owner != who.conn) {
        if (!e.fallback) e.fallback = std::move(row);
        // The owner may be gone already (its connection ended first): nobody else will speak.
        if (!e.open_on.empty()) return std::nullopt;
        return emit(key, e, std::move(*e.fallback), now);
    }
    return emit(key, e, std::move(row), now);
}

std::optional<Row> ActivityRegistry::abandoned(const ActivityKey& key, const Reporter& who, Row row, Micros now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return emit_expired(key, who, std::move(row), now);
    Entry& e = it->second;
    forget(e.open_on, who.conn);
    note(e, who);
    if (e.emitted) return std::nullopt;  // a finished view beats a cut-off one, even the origin's
    if (e.fallback) return emit(key, e, std::move(*e.fallback), now);
    if (!e.open_on.empty()) {
        e.owner = e.open_on.front();
        e.owner_is_origin = e.origin && *e.origin == e.owner;
        return std::nullopt;
    }
    return emit(key, e, std::move(row), now);
}

// The key expired while the activity was still open here: its row went out more than `window` ago
// (a copy that late, or an id reused that long after). This row goes out too, and its key is known for
// another window like any other's, so that the same key reported right after makes no second row.
std::optional<Row> ActivityRegistry::emit_expired(const ActivityKey& key, const Reporter& who, Row row, Micros now) {
    expire(now);
    Entry& e = entries_[key];
    e.owner = who.conn;
    e.owner_is_origin = who.origin;
    note(e, who);
    return emit(key, e, std::move(row), now);
}

std::optional<Row> ActivityRegistry::emit(const ActivityKey& key, Entry& entry, Row row, Micros now) {
    row.trusted = entry.root_seen;
    row.user = row.origin && entry.client_uid ? *entry.client_uid : row.uid;
    entry.emitted = true;
    entry.emitted_by_origin = entry.emitted_by_origin || row.origin;
    entry.emitted_at = now;
    entry.fallback.reset();
    emitted_order_.emplace_back(now, key);
    return row;
}

void ActivityRegistry::expire(Micros now) {
    while (!emitted_order_.empty() &&
           (now - emitted_order_.front().first > window_ || emitted_order_.size() > max_remembered_)) {
        auto it = entries_.find(emitted_order_.front().second);
        if (it != entries_.end() && it->second.emitted && it->second.emitted_at == emitted_order_.front().first)
            entries_.erase(it);
        emitted_order_.pop_front();
    }
}

}  // namespace nod
