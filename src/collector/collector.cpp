#include "collector/collector.hpp"

#include <systemd/sd-daemon.h>

#include <cstring>
#include <stdexcept>

#include "busglue/busglue.hpp"
#include "collector/clock.hpp"
#include "collector/log.hpp"
#include "collector/overview.hpp"
#include "store/calendar.hpp"
#include "store/error.hpp"

namespace nod::collector {

namespace {

constexpr const char* bus_name = "net.bergsoe.Nod1";
constexpr std::uint64_t status_every_usec = 5'000'000;
constexpr std::uint64_t bus_retry_usec = 5'000'000;
// Rows from Nix wait at most one chunk for the writer: tens of milliseconds at 10 M rows, ten times that for
// chunks of 5 000 (docs/performance.md, Retention, has the measured table).
constexpr std::size_t prune_chunk = 1000;

}  // namespace

Collector::Collector(Config config) : config_(std::move(config)) {}

Collector::~Collector() {
    // Sources first (they point at us), then the query thread and what it left for the loop, then the
    // service with the calls still waiting for an answer (they point into the bus connection), then the bus,
    // then the writer (which drains), then the loop.
    listener_.reset();
    mailbox_source_.reset();
    status_timer_.reset();
    idle_timer_.reset();
    midnight_timer_.reset();
    bus_retry_timer_.reset();
    queries_.reset();
    mailbox_.discard_pending();
    drop_bus();
    writer_.reset();
    store_.reset();
    if (event_) sd_event_unref(event_);
}

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
              ", writing " + config_.db.string() + ", " + std::to_string(status_.rows.load()) +
              " rows so far");
    prune_old_rows();

    int r = sd_event_loop(event_);
    sd_notify(0, "STOPPING=1");

    listener_->stop();       // reads what Nix sent, records open work, hands every row to the writer
    writer_.reset();         // writes them, and finishes the tasks it took (a Clean)
    queries_.reset();        // finishes the query at hand; the callers of those still queued get NoReply
    mailbox_.run_pending();  // answers the calls they finished while the bus is still here
    if (r < 0) {
        log::error(std::string("event loop failed: ") + std::strerror(-r));
        return 1;
    }
    return r;
}

void Collector::set_up() {
    int r = sd_event_default(&event_);
    if (r < 0) throw std::runtime_error(std::string("creating the event loop: ") + std::strerror(-r));
    // Before any thread exists, so that SIGTERM and SIGINT stay blocked in all of them.
    r = sd_event_set_signal_exit(event_, 1);
    if (r < 0) throw std::runtime_error(std::string("handling SIGTERM and SIGINT: ") + std::strerror(-r));
    sd_event_set_watchdog(event_, 1);  // pings only when the unit sets WatchdogSec=

    listen_ = acquire_listen_socket(config_.socket);
    store_ = std::make_unique<store::Store>(config_.db);
    Overview overview = read_overview(store_->database());
    status_.rows = overview.rows;
    status_.oldest_start = overview.oldest_start.value_or(0);

    writer_ = std::make_unique<StoreWorker>(*store_, StoreWorker::Events{[this](std::size_t n) {
        status_.rows += n;
        if (status_.oldest_start.load() == 0) mailbox_.post([this] { refresh_overview(); });
    }});
    queries_ = std::make_unique<QueryWorker>(config_.db);
    connect_bus();
    if (!bus_) throw std::runtime_error("could not take the bus name " + std::string(bus_name));
    add_sources();
    listener_ = std::make_unique<NixListener>(listen_, config_, *writer_, status_.connections);
    listener_->start();
}

void Collector::connect_bus() {
    try {
        if (!config_.bus_address.empty())
            bus_ = sdbus::createSessionBusConnectionWithAddress(config_.bus_address);
        else if (config_.bus == BusKind::session)
            bus_ = sdbus::createSessionBusConnection();
        else
            bus_ = sdbus::createSystemBusConnection();
        // The object exists before the name is taken, so no caller can find the name without it.
        service_ = std::make_unique<Service>(
            *bus_, ServiceParts{*queries_, *writer_, mailbox_, status_, config_.db.string(), realtime_now,
                                [this] { touch(); }, [this] { refresh_overview(); }});
        busglue::request_name(*bus_, bus_name);
        bus_source_ = std::make_unique<BusSource>(event_, *bus_, [this](const std::string& why) {
            if (bus_failing_) return;
            log::error("lost the bus connection (" + why + "); still reading Nix, reconnecting every 5 s");
            bus_failing_ = true;
            // Not from inside the bus's own callback: the timer tears it down on the next turn.
            if (bus_retry_timer_) {
                sd_event_source_set_time(bus_retry_timer_.get(), 0);
                sd_event_source_set_enabled(bus_retry_timer_.get(), SD_EVENT_ONESHOT);
            }
        });
        if (bus_failing_) log::notice("connected to the bus again as " + std::string(bus_name));
        bus_failing_ = false;
        last_bus_error_.clear();
    } catch (const std::exception& e) {
        drop_bus();
        std::string why = std::string("connecting to the bus: ") + e.what();
        if (!bus_retry_timer_) throw std::runtime_error(why);
        if (why != last_bus_error_) log::error(why + " (trying again every 5 s)");  // once per reason
        last_bus_error_ = why;
        bus_failing_ = true;
    }
}

void Collector::drop_bus() {
    bus_source_.reset();
    service_.reset();
    bus_.reset();
}

Collector::SourcePtr Collector::add_timer(clockid_t clock, std::uint64_t usec,
                                          sd_event_time_handler_t handler) {
    sd_event_source* s = nullptr;
    int r = sd_event_add_time(event_, &s, clock, usec, 0, handler, this);
    if (r < 0) throw std::runtime_error(std::string("adding a timer: ") + std::strerror(-r));
    return SourcePtr(s, sd_event_source_disable_unref);
}

void Collector::add_sources() {
    sd_event_source* s = nullptr;
    if (int r = sd_event_add_io(event_, &s, mailbox_.fd(), EPOLLIN, &Collector::on_mailbox, this); r < 0)
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
        "STATUS=" + std::to_string(status_.connections.load()) + " Nix connections, " +
        std::to_string(status_.rows.load()) + " rows stored, " + std::to_string(k.lines) + " lines read, " +
        std::to_string(k.malformed_lines + k.non_object_lines + k.nul_lines + k.oversized_lines) + " skipped";
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

int Collector::on_idle(sd_event_source* s, std::uint64_t, void* self) {
    auto* c = static_cast<Collector*>(self);
    std::uint64_t idle_usec = c->config_.idle_exit_sec * 1'000'000ULL;
    std::uint64_t quiet_since = c->listener_->last_activity_usec();
    bool busy = c->listener_->connections() > 0 || c->writer_->unwritten() > 0 || c->queries_->queued() > 0 ||
                !c->bus_;
    if (busy) {
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
        std::string me = bus_->getUniqueName();
        busglue::add_floating_match(
            *bus_,
            "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
            "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='" +
                std::string(bus_name) + "',arg1='" + me + "',arg2=''",
            [this] { sd_event_exit(event_, 0); });
        busglue::release_name(*bus_, bus_name);
    } catch (const std::exception& e) {
        log::warning(std::string("releasing the bus name: ") + e.what());
        sd_event_exit(event_, 0);
    }
}

int Collector::on_bus_retry(sd_event_source* s, std::uint64_t, void* self) {
    auto* c = static_cast<Collector*>(self);
    c->drop_bus();
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

// Retention, a chunk per writer task, so that rows from Nix are written between the chunks.
void Collector::prune_old_rows() {
    if (config_.retain_days == 0) return;
    store::Day cutoff = store::local_day(realtime_now()) - static_cast<store::Day>(config_.retain_days) + 1;
    auto total = std::make_shared<std::uint64_t>(0);
    auto step = std::make_shared<std::function<void(store::Store&)>>();
    *step = [this, cutoff, total, step](store::Store& store) {
        try {
            std::size_t n = store.prune_before(cutoff, prune_chunk);
            *total += n;
            if (n > 0) {
                writer_->run(*step);
                return;
            }
        } catch (const store::Error& e) {
            log::error(std::string("pruning old rows: ") + e.what());
        }
        *step = nullptr;  // breaks the self-reference
        std::uint64_t deleted = *total;
        mailbox_.post([this, deleted, cutoff] {
            if (deleted > 0) {
                log::info("deleted " + std::to_string(deleted) + " rows from before " +
                          store::day_label(cutoff) + " (--retain-days " +
                          std::to_string(config_.retain_days) + ")");
                refresh_overview();
            }
        });
    };
    writer_->run(*step);
}

void Collector::refresh_overview() {
    if (!queries_) return;  // exiting
    queries_->submit([this](const QueryWorker::Database& db) {
        try {
            Overview o = read_overview(db());
            mailbox_.post([this, o] {
                status_.rows = o.rows;
                status_.oldest_start = o.oldest_start.value_or(0);
            });
        } catch (const std::exception& e) {
            log::warning(std::string("counting rows: ") + e.what());
        }
    });
}

}  // namespace nod::collector
