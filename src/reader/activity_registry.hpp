// Makes each activity one row, although Nix may report it on several connections.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "reader/row.hpp"

namespace nod {

using ConnectionId = std::uint64_t;

struct ActivityKey {
    std::uint64_t id = 0;
    Kind kind = Kind::build;
    std::string path;
    bool operator==(const ActivityKey&) const = default;
};

struct ActivityKeyHash {
    std::size_t operator()(const ActivityKey& k) const noexcept;
};

// `nix build` against a daemon sends each daemon activity twice: on the daemon worker's connection
// (the origin: its peer pid is `id >> 32`) and, with the same id, on the client's. The registry keeps
// one owner per activity — the origin connection when known, else the first to report it — and only
// the owner's view becomes a row. A non-owner's finished view is kept as a fallback in case the owner's
// stream breaks off first. Keys live on for `window` after the row went out, so that a late copy from
// a slower connection is still recognised.
class ActivityRegistry {
public:
    explicit ActivityRegistry(Micros window) : window_(window) {}

    void started(const ActivityKey& key, ConnectionId conn, bool origin, Micros now);
    // The connection saw the activity end. Returns the row to record, if it is this connection's to give.
    std::optional<Row> finished(const ActivityKey& key, ConnectionId conn, Row row, Micros now);
    // The connection ended with the activity still open. `row` is its cancelled view; another
    // connection that still has the activity open (or finished it) is preferred.
    std::optional<Row> abandoned(const ActivityKey& key, ConnectionId conn, Row row, Micros now);

    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        ConnectionId owner = 0;
        bool owner_is_origin = false;
        bool emitted = false;
        Micros emitted_at = 0;
        std::vector<ConnectionId> open_on;
        std::optional<Row> fallback;
    };

    std::optional<Row> emit(const ActivityKey& key, Entry& entry, Row row, Micros now);
    std::optional<Row> emit_expired(const ActivityKey& key, ConnectionId conn, Row row, Micros now);
    void expire(Micros now);

    Micros window_;
    std::unordered_map<ActivityKey, Entry, ActivityKeyHash> entries_;
    std::deque<std::pair<Micros, ActivityKey>> emitted_order_;
};

}  // namespace nod
