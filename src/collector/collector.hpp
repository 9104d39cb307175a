// nod-collector: the main sd-event loop serves the bus and keeps the time (signals, idle exit, midnight,
// status); the Nix connections are read on a loop of their own (NixListener), and the database writer
// and the queries have a thread each, so that nothing can stall a read.
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <sdbus-c++/IConnection.h>

#include "collector/bus_source.hpp"
#include "collector/config.hpp"
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
    using SourcePtr = std::unique_ptr<sd_event_source, decltype(&sd_event_source_disable_unref)>;

    void set_up();
    void connect_bus();
    void drop_bus();
    void add_sources();
    SourcePtr add_timer(clockid_t clock, std::uint64_t usec, sd_event_time_handler_t handler);

    static int on_mailbox(sd_event_source*, int, std::uint32_t, void*);
    static int on_status(sd_event_source*, std::uint64_t, void*);
    static int on_idle(sd_event_source*, std::uint64_t, void*);
    static int on_midnight(sd_event_source*, std::uint64_t, void*);
    static int on_bus_retry(sd_event_source*, std::uint64_t, void*);

    void touch();
    void begin_idle_exit();
    void prune_old_rows();
    void refresh_overview();
    void notify_status(const char* extra = nullptr);
    void arm_midnight();

    Config config_;
    sd_event* event_ = nullptr;
    ListenSocket listen_;
    std::unique_ptr<store::Store> store_;
    Mailbox mailbox_;
    ServiceStatus status_;
    std::unique_ptr<StoreWorker> writer_;
    std::unique_ptr<QueryWorker> queries_;
    std::unique_ptr<sdbus::IConnection> bus_;
    std::unique_ptr<Service> service_;
    std::unique_ptr<BusSource> bus_source_;
    bool bus_failing_ = false;
    std::string last_bus_error_;

    std::unique_ptr<NixListener> listener_;
    bool exiting_ = false;

    SourcePtr mailbox_source_{nullptr, sd_event_source_disable_unref};
    SourcePtr status_timer_{nullptr, sd_event_source_disable_unref};
    SourcePtr idle_timer_{nullptr, sd_event_source_disable_unref};
    SourcePtr midnight_timer_{nullptr, sd_event_source_disable_unref};
    SourcePtr bus_retry_timer_{nullptr, sd_event_source_disable_unref};
};

}  // namespace nod::collector
