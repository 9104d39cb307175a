// nod-collector: the main sd-event loop serves the bus and keeps the time (signals, idle exit, midnight,
// status); the Nix connections are read on a loop of their own (NixListener), and the database writer
// and the queries have a thread each, so that nothing can stall a read.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <sdbus-c++/IConnection.h>

#include "collector/bus_source.hpp"
#include "collector/config.hpp"
#include "collector/event_handles.hpp"
#include "collector/listen_socket.hpp"
#include "collector/mailbox.hpp"
#include "collector/nix_listener.hpp"
#include "collector/query_worker.hpp"
#include "collector/service.hpp"
#include "collector/store_worker.hpp"
#include "store/store.hpp"

namespace nod::collector {

class Collector {
public:
    explicit Collector(Config config);
    ~Collector();
    Collector(const Collector&) = delete;
    Collector& operator=(const Collector&) = delete;

    // Sets everything up, serves until SIGTERM/SIGINT or idle exit, writes what is pending.
    // Returns the process exit status; setup failures are logged and give 1.
    int run();

private:
    // The collector on the bus, in the order its parts must go (last first): the loop's source for the
    // connection, then the object with the calls it still owes an answer (they point into the connection),
    // then the connection.
    struct BusPresence {
        std::unique_ptr<sdbus::IConnection> connection;
        std::unique_ptr<Service> service;
        std::unique_ptr<BusSource> source;
    };

    void set_up();
    void fit_connections_to_fd_limit();
    void connect_bus();
    void add_sources();
    SourcePtr add_timer(clockid_t clock, std::uint64_t usec, sd_event_time_handler_t handler);
    void stop_workers();

    static int on_mailbox(sd_event_source*, int, std::uint32_t, void*);
    static int on_status(sd_event_source*, std::uint64_t, void*);
    static int on_idle(sd_event_source*, std::uint64_t, void*);
    static int on_midnight(sd_event_source*, std::uint64_t, void*);
    static int on_bus_retry(sd_event_source*, std::uint64_t, void*);

    void touch();
    bool busy() const;
    void begin_idle_exit();
    void prune_old_rows();
    void refresh_oldest_row();
    void notify_status(const char* extra = nullptr);
    void arm_midnight();

    // Declared in the order of their lifetimes: each member outlives the ones below it, which may use it.
    Config config_;
    EventPtr event_;
    ListenSocket listen_;
    Mailbox mailbox_;  // workers post, the loop runs
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<StoreWorker> writer_;  // owns the Store's use, and the row count
    std::unique_ptr<QueryWorker> queries_;
    std::unique_ptr<NixListener> listener_;  // hands rows to the writer, also when it stops

    // The loop's own.
    Micros oldest_start_ = 0;  // µs; 0 when there are no rows (the OldestRow property)
    std::unique_ptr<BusPresence> bus_;
    bool bus_failing_ = false;
    std::string last_bus_error_;
    bool exiting_ = false;
    std::uint64_t subscribed_until_ = 0;  // CLOCK_MONOTONIC µs: a live view called Subscribe
    static constexpr std::uint64_t subscription_lease_usec = 60'000'000;
    SourcePtr mailbox_source_;
    SourcePtr status_timer_;
    SourcePtr idle_timer_;
    SourcePtr midnight_timer_;
    SourcePtr bus_retry_timer_;
};

}  // namespace nod::collector
