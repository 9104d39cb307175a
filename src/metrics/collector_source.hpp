// Takes a Snapshot from nod-collector over D-Bus: the Totals method and the health properties (GetAll), two
// calls, each bounded by a timeout. It never throws: when the collector cannot be reached (not running and
// not activatable, the bus gone, a timeout) the snapshot says up = false and why, and the next fetch
// connects again.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <sdbus-c++/sdbus-c++.h>

#include "metrics/snapshot.hpp"

namespace nod::metrics {

class CollectorSource {
public:
    using Connect = std::function<std::unique_ptr<sdbus::IConnection>()>;

    CollectorSource(Connect connect, std::chrono::milliseconds timeout);
    ~CollectorSource();
    CollectorSource(const CollectorSource&) = delete;
    CollectorSource& operator=(const CollectorSource&) = delete;

    // Not thread-safe: one thread (nod-exporter's HTTP thread, nodctl's main) calls it.
    Snapshot fetch();

private:
    void fill(Snapshot& snapshot);

    Connect connect_;
    std::chrono::milliseconds timeout_;
    // The proxy goes before the connection it was made on.
    std::unique_ptr<sdbus::IConnection> bus_;
    std::unique_ptr<sdbus::IProxy> proxy_;
};

}  // namespace nod::metrics
