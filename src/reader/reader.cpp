#include "reader/reader.hpp"

namespace nod {

Reader::Reader(ReaderLimits limits, RowSink sink)
    : limits_(limits), sink_(std::move(sink)), registry_(limits.dedup_window, limits.max_remembered) {}

Reader::~Reader() = default;

ConnectionId Reader::open(Peer peer, Micros) {
    ConnectionId id = next_id_++;
    std::size_t* user_held = peer.uid == 0 ? nullptr : &held_by_user_[peer.uid];
    connections_.emplace(id,
                         std::make_unique<ConnectionTracker>(id, peer, limits_, counters_, registry_, sink_, user_held));
    return id;
}

void Reader::feed(ConnectionId conn, char* data, std::size_t size, Micros now) {
    if (auto it = connections_.find(conn); it != connections_.end()) it->second->feed(data, size, now);
}

void Reader::close(ConnectionId conn, Micros now) {
    auto it = connections_.find(conn);
    if (it == connections_.end()) return;
    it->second->close(now);
    connections_.erase(it);
}

std::size_t Reader::in_flight() const {
    std::size_t n = 0;
    for (const auto& [id, c] : connections_) n += c->in_flight();
    return n;
}

std::vector<LiveActivity> Reader::running() const {
    std::vector<LiveActivity> out;
    for (const auto& [id, c] : connections_) c->running(out);
    return out;
}

std::size_t Reader::buffered_bytes() const {
    std::size_t n = 0;
    for (const auto& [id, c] : connections_) n += c->buffered();
    return n;
}

}  // namespace nod
