#include "collector/collector.hpp"

#include <systemd/sd-daemon.h>

#include <cstring>
#include <stdexcept>

#include "busglue/busglue.hpp"
#include "collector/clock.hpp"
#include "collector/fd_limit.hpp"
#include "collector/log.hpp"
#include "collector/oldest_row.hpp"
#include "store/calendar.hpp"
#include "store/error.hpp"

namespace nod::collector {

namespace {

constexpr const char* bus_name = "net.bergsoe.Nod1";
constexpr std::uint64_t status_every_usec = 5'000'000;
constexpr std::uint64_t bus_retry_usec = 5'000'000;
// Rows from Nix wait at most one chunk for the writer; docs/performance.md (Retention) has what chunks of
// each size cost.
constexpr std::size_t prune_chunk = 1000;

}  // namespace

Collector::Collector(Config config) : config_(std::move(config)) {}

Collector::~Collector() = default;

int Collector::run() {
    try {
        set_up();
    } catch (const std::exception& e) {
        log::error(e.what());
        return 1;
    }
    notify_status("READY=1");
    log::info("listening on " +
              (listen_.activated ? std::string("the socket systemd passed") : listen_.path.string()) +
              ", writing " + config_.db.string() + ", " + std::to_string(writer_->rows()) + " rows so far");
    prune_old_rows();

    int r = sd_event_loop(event_.get());
    sd_notify(0, "STOPPING=1");
    stop_workers();
    if (r < 0) {
        log::error(std::string("event loop failed: ") + std::strerror(-r));
        return 1;
    }
    return r;
}

// In the order the work flows, while the bus is still here to answer.
void Collector::stop_workers() {
    listener_->stop();       // reads what Nix sent, records open work, hands every row to the writer
    writer_->stop();         // ends retention after its chunk at hand, writes the rows, runs queued tasks
    queries_->stop();        // finishes the query at hand; the callers of those still queued get NoReply
    mailbox_.run_pending();  // answers the calls they finished
}

void Collector::set_up() {
    sd_event* event = nullptr;
    int r = sd_event_default(&event);
    if (r < 0) throw std::runtime_error(std::string("creating the event loop: ") + std::strerror(-r));
    event_.reset(event);
    // Before any thread exists, so that SIGTERM and SIGINT stay blocked in all of them.
    r = sd_event_set_signal_exit(event_.get(), 1);
    if (r < 0) throw std::runtime_error(std::string("handling SIGTERM and SIGINT: ") + std::strerror(-r));
    sd_event_set_watchdog(event_.get(), 1);  // pings only when the unit sets WatchdogSec=

    fit_connections_to_fd_limit();
    listen_ = acquire_listen_socket(config_.socket);
    store_ = std::make_unique<store::Store>(config_.db);
    oldest_start_ = oldest_row_start(store_->database()).value_or(0);
    // Four times what pauses the connections that flood: that much only root's rows or a failing database
    // can queue.
    writer_ = std::make_unique<StoreWorker>(*store_, (std::size_t{config_.max_unwritten_mib} << 20) * 4, [this] {
        mailbox_.post([this] {
            if (oldest_start_ == 0) refresh_oldest_row();  // the first rows of an empty history
        });
    });
    queries_ = std::make_unique<QueryWorker>(config_.db, config_.query_timeout);
    listener_ = std::make_unique<NixListener>(listen_, config_, *writer_);
    // Started, Finished and Running's changes go out on the loop's thread, while there is a bus.
    listener_->on_events([this](LiveEvents events) {
        mailbox_.post([this, events = std::move(events)] {
            if (bus_ && bus_->service) bus_->service->emit(events);
        });
    });
    add_sources();
    connect_bus();
    if (!bus_) throw std::runtime_error("could not take the bus name " + std::string(bus_name));
    listener_->start();
}

// A connection cap the fd limit cannot hold would end in EMFILE for the database and the bus as well.
void Collector::fit_connections_to_fd_limit() {
    std::uint64_t fds = raise_fd_limit();
    std::uint64_t room = fds > fds_kept + 2 ? fds - fds_kept : 2;
    if (config_.max_connections <= room) return;
    log::notice("--max-connections " + std::to_string(config_.max_connections) + " lowered to " +
                std::to_string(room) + ": the open-file limit is " + std::to_string(fds) +
                " (raise LimitNOFILE= for more)");
    config_.max_connections = static_cast<std::uint32_t>(room);
}

void Collector::connect_bus() {
    try {
        auto bus = std::make_unique<BusPresence>();
        if (!config_.bus_address.empty())
            bus->connection = sdbus::createSessionBusConnectionWithAddress(config_.bus_address);
        else if (config_.bus == BusKind::session)
            bus->connection = sdbus::createSessionBusConnection();
        else
            bus->connection = sdbus::createSystemBusConnection();
        // The object exists before the name is taken, so no caller can find the name without it.
        bus->service = std::make_unique<Service>(
            *bus->connection, ServiceParts{*queries_, *writer_, mailbox_, *listener_, oldest_start_,
                                           config_.db.string(), realtime_now, [this] { touch(); },
                                           [this] { refresh_oldest_row(); },
                                           [this] {
                                               subscribed_until_ = monotonic_now() + subscription_lease_usec;
                                               touch();
                                           }});
        busglue::request_name(*bus->connection, bus_name);
        bus->source = std::make_unique<BusSource>(event_.get(), *bus->connection, [this](const std::string& why) {
            if (bus_failing_) return;
            log::error("lost the bus connection (" + why + "); still reading Nix, reconnecting every 5 s");
            bus_failing_ = true;
            // Not from inside the bus's own callback: the timer tears it down on the next turn.
            sd_event_source_set_time(bus_retry_timer_.get(), 0);
            sd_event_source_set_enabled(bus_retry_timer_.get(), SD_EVENT_ONESHOT);
        });
        bus_ = std::move(bus);
        if (bus_failing_) log::notice("connected to the bus again as " + std::string(bus_name));
        bus_failing_ = false;
        last_bus_error_.clear();
    } catch (const std::exception& e) {
        std::string why = std::string("connecting to the bus: ") + e.what();
        if (!listener_->started()) throw std::runtime_error(why);  // at start: a clear error, exit 1
        if (why != last_bus_error_) log::error(why + " (trying again every 5 s)");  // once per reason
        last_bus_error_ = why;
        bus_failing_ = true;
    }
}

SourcePtr Collector::add_timer(clockid_t clock, std::uint64_t usec,
                                          sd_event_time_handler_t handler) {
    sd_event_source* s = nullptr;
    int r = sd_event_add_time(event_.get(), &s, clock, usec, 0, handler, this);
    if (r < 0) throw std::runtime_error(std::string("adding a timer: ") + std::strerror(-r));
    return SourcePtr(s);
}

void Collector::add_sources() {
    sd_event_source* s = nullptr;
    if (int r = sd_event_add_io(event_.get(), &s, mailbox_.fd(), EPOLLIN, &Collector::on_mailbox, this); r < 0)
        throw std::runtime_error(std::string("watching the mailbox: ") + std::strerror(-r));
    mailbox_source_.reset(s);

    status_timer_ = add_timer(CLOCK_MONOTONIC, monotonic_now() + status_every_usec, &Collector::on_status);
    sd_event_source_set_enabled(status_timer_.get(), SD_EVENT_ON);
    bus_retry_timer_ = add_timer(CLOCK_MONOTONIC, 0, &Collector::on_bus_retry);
    sd_event_source_set_enabled(bus_retry_timer_.get(), SD_EVENT_OFF);
    if (config_.idle_exit_sec > 0) {
        idle_timer_ = add_timer(CLOCK_MONOTONIC, monotonic_now() + config_.idle_exit_sec * 1'000'000ULL,
                                &Collector::on_idle);
    }
    midnight_timer_ = add_timer(CLOCK_REALTIME, 0, &Collector::on_midnight);
    arm_midnight();
}

// ---- rows, time and housekeeping --------------------------------------------------------------------

int Collector::on_mailbox(sd_event_source*, int, std::uint32_t, void* self) {
    static_cast<Collector*>(self)->mailbox_.run_pending();
    return 0;
}

int Collector::on_status(sd_event_source* s, std::uint64_t, void* self) {
    static_cast<Collector*>(self)->notify_status();
    sd_event_source_set_time(s, monotonic_now() + status_every_usec);
    return 0;
}

void Collector::notify_status(const char* extra) {
    ReaderCounters k = listener_ ? listener_->counters() : ReaderCounters{};
    std::string status =
        "STATUS=" + std::to_string(listener_ ? listener_->connections() : 0) + " Nix connections, " +
        std::to_string(writer_ ? writer_->rows() : 0) + " rows stored, " + std::to_string(k.lines) +
        " lines read, " +
        std::to_string(k.skipped_lines()) + " skipped";
    if (bus_failing_) status += ", bus unavailable";
    if (extra) status = std::string(extra) + "\n" + status;
    sd_notify(0, status.c_str());
}

void Collector::touch() {
    if (idle_timer_ && !exiting_) {
        sd_event_source_set_time(idle_timer_.get(), monotonic_now() + config_.idle_exit_sec * 1'000'000ULL);
        sd_event_source_set_enabled(idle_timer_.get(), SD_EVENT_ONESHOT);
    }
}

// Work in hand of any kind keeps the collector up: a Nix connection, rows or a prune the writer has not
// finished, a query, a bus it has yet to get back on, or a live view that subscribed in the last minute.
bool Collector::busy() const {
    return listener_->connections() > 0 || writer_->busy() || queries_->queued() > 0 || !bus_ ||
           monotonic_now() < subscribed_until_;
}

int Collector::on_idle(sd_event_source* s, std::uint64_t, void* self) {
    auto* c = static_cast<Collector*>(self);
    std::uint64_t idle_usec = c->config_.idle_exit_sec * 1'000'000ULL;
    std::uint64_t quiet_since = c->listener_->last_activity_usec();
    if (c->busy()) {
        c->touch();
    } else if (monotonic_now() < quiet_since + idle_usec) {
        sd_event_source_set_time(s, quiet_since + idle_usec);  // Nix was here since: wait the rest
        sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    } else {
        c->begin_idle_exit();
    }
    return 0;
}

// systemd's protocol (bus_event_loop_with_idle): tell systemd we are stopping so it queues new starts,
// stop accepting (new Nix connections wait in systemd's socket), release the name, and exit only when
// the bus confirms the release — every call queued to us before that is still answered.
void Collector::begin_idle_exit() {
    exiting_ = true;
    log::info("idle for " + std::to_string(config_.idle_exit_sec) + " s, exiting");
    sd_notify(0, "STOPPING=1");
    listener_->stop_accepting();
    try {
        sdbus::IConnection& bus = *bus_->connection;
        std::string me = bus.getUniqueName();
        busglue::add_floating_match(
            bus,
            "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
            "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" +
                std::string(bus_name) + "',arg1='" + me + "',arg2=''",
            [this] { sd_event_exit(event_.get(), 0); });
        busglue::release_name(bus, bus_name);
    } catch (const std::exception& e) {
        log::warning(std::string("releasing the bus name: ") + e.what());
        sd_event_exit(event_.get(), 0);
    }
}

int Collector::on_bus_retry(sd_event_source* s, std::uint64_t, void* self) {
    auto* c = static_cast<Collector*>(self);
    c->bus_.reset();
    c->connect_bus();
    if (c->bus_failing_) {
        sd_event_source_set_time(s, monotonic_now() + bus_retry_usec);
        sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    }
    return 0;
}

void Collector::arm_midnight() {
    store::Day tomorrow = store::local_day(realtime_now()) + 1;
    sd_event_source_set_time(midnight_timer_.get(),
                             static_cast<std::uint64_t>(store::local_day_start(tomorrow)));
    sd_event_source_set_enabled(midnight_timer_.get(), SD_EVENT_ONESHOT);
}

int Collector::on_midnight(sd_event_source*, std::uint64_t, void* self) {
    auto* c = static_cast<Collector*>(self);
    c->prune_old_rows();
    c->arm_midnight();
    return 0;
}

// Retention: a chunk per turn of the writer, with the rows from Nix written between chunks. At a stop the
// writer ends it after the chunk at hand; the next start goes on where it ended.
void Collector::prune_old_rows() {
    if (config_.retain_days == 0) return;
    store::Day cutoff = store::local_day(realtime_now()) - static_cast<store::Day>(config_.retain_days) + 1;
    auto deleted = std::make_shared<std::uint64_t>(0);
    writer_->repeat(
        [cutoff, deleted](store::Store& store) {
            std::size_t n = store.prune_before(cutoff, prune_chunk);
            *deleted += n;
            return n > 0;
        },
        [this, cutoff, deleted](StoreWorker::JobEnd end, std::exception_ptr failure) {
            std::string what = std::to_string(*deleted) + " rows from before " + store::day_label(cutoff) +
                               " (--retain-days " + std::to_string(config_.retain_days) + ")";
            switch (end) {
            case StoreWorker::JobEnd::done:
                if (*deleted > 0) log::info("deleted " + what);
                break;
            case StoreWorker::JobEnd::stopped:
                log::info("stopping: deleted " + what + " so far; the next start goes on");
                break;
            case StoreWorker::JobEnd::failed:
                try {
                    std::rethrow_exception(failure);
                } catch (const std::exception& e) {
                    log::error(std::string("pruning old rows: ") + e.what() + " (deleted " + what + ")");
                } catch (...) {
                    log::error("pruning old rows failed (deleted " + what + ")");
                }
                break;
            }
            if (*deleted > 0) mailbox_.post([this] { refresh_oldest_row(); });
        });
}

// OldestRow: read on the query thread (one day of rows), kept by the loop.
void Collector::refresh_oldest_row() {
    queries_->submit(0, [this](const QueryWorker::OpenDatabase& open_database) {
        try {
            Micros oldest = oldest_row_start(open_database()).value_or(0);
            mailbox_.post([this, oldest] { oldest_start_ = oldest; });
        } catch (const std::exception& e) {
            log::warning(std::string("reading the oldest row: ") + e.what());
        }
    });
}

}  // namespace nod::collector
