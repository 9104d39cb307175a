// Makes each activity one row, although Nix may report it on several connections, and decides whose view
// it is, for whom, and whether root vouched for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "reader/live_activity.hpp"
#include "reader/recorded_keys.hpp"
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

// 64 bits of the key, for remembering recorded activities compactly (a collision between two activities
// within the window, about one in 2^64 per pair, would take the second for a duplicate).
std::uint64_t key_hash(const ActivityKey& k) noexcept;

// A connection that reports an activity: its uid (SO_PEERCRED), and whether it is the id's origin (its peer
// pid is `id >> 32`: the process that made the activity).
struct Reporter {
    ConnectionId conn = 0;
    std::uint32_t uid = 0;
    bool origin = false;
};

// `nix build` against a daemon sends each daemon activity twice: on the daemon worker's connection (the
// origin) and, with the same id, on the client's. The registry keeps one owner per activity — the origin
// connection when known, else the first to report it — and only the owner's view becomes a row; a
// non-owner's finished view is kept as a fallback in case the owner's stream breaks off first.
//
// An id belongs to its origin: a row another connection gave first (a client that was quicker, or anyone
// who read a worker's pid in /proc and sent its ids ahead) is given again, origin-confirmed, when the
// origin reports it, and the store then replaces the earlier one. A non-origin view never suppresses the
// origin's. The row is for the user of the client connection that reported the same id (the daemon's
// workers run as root), and trusted when a root connection reported it.
//
// Keys live on for `window` after the row went out, so that a late copy from a slower connection is still
// recognised, but at most `max_remembered` of them: a flood of short activities cannot grow this without
// bound (the oldest are forgotten first).
class ActivityRegistry {
public:
    ActivityRegistry(Micros window, std::size_t max_remembered) : window_(window), recorded_(max_remembered) {}

    void started(const ActivityKey& key, const Reporter& who, Micros now);
    // The connection saw the activity end. Returns the row to record, if it is this connection's to give.
    std::optional<Row> finished(const ActivityKey& key, const Reporter& who, Row row, Micros now);
    // The connection ended with the activity still open. `row` is its cancelled view; another connection
    // that still has the activity open (or finished it) is preferred.
    std::optional<Row> abandoned(const ActivityKey& key, const Reporter& who, Row row, Micros now);

    // For an activity open on `who`'s connection: whether that connection's view is the one to list (the
    // owner's, so that an activity seen on several connections is listed once), whom it is for and whether
    // a root connection reported it, as its row would say.
    struct OpenFacts {
        bool listed = true;
        std::uint32_t user = 0;
        bool trusted = false;
    };
    OpenFacts open_facts(const ActivityKey& key, const Reporter& who) const;

    // The activities that started since the last call, each once however many connections report it,
    // for whom they run as far as known now (a client that reports a daemon build a moment later is
    // counted). At most max_fresh are kept between calls; the return value counts those left out.
    std::uint64_t take_started(std::vector<LiveActivity>& out);
    static constexpr std::size_t max_fresh = 1000;

    std::size_t open_count() const { return open_.size(); }

    // Activities open somewhere and recorded ones remembered.
    std::size_t size() const { return open_.size() + recorded_.size(); }

private:
    // An activity not recorded yet.
    struct Entry {
        ConnectionId owner = 0;
        bool owner_is_origin = false;
        std::optional<ConnectionId> origin;  // the origin connection, once it reported the activity
        bool root_seen = false;                   // a root connection reported it
        std::optional<std::uint32_t> client_uid;  // the first other connection that reported it
        bool client_after_origin = false;         // ... and did so after the origin had
        std::vector<ConnectionId> open_on;
        std::optional<Row> fallback;
    };
    void note(Entry& e, const Reporter& who);
    using Open = std::unordered_map<ActivityKey, Entry, ActivityKeyHash>;
    std::optional<Row> emit(Open::iterator it, Row row, Micros now);
    std::optional<Row> record(std::uint64_t hash, Row row, bool root_seen, std::optional<std::uint32_t> client_uid,
                              Micros now);
    void expire(Micros now);

    struct Fresh {
        ActivityKey key;
        Reporter who;
        Micros start;
    };

    Micros window_;
    Open open_;
    std::vector<Fresh> fresh_;      // started since take_started, at most max_fresh
    std::uint64_t fresh_left_ = 0;  // ... and how many more
    // Recorded activities, remembered for `window` (at most max_remembered) by their key's 64-bit hash: a
    // few bytes instead of the key and its path.
    RecordedKeys recorded_;
};

}  // namespace nod
