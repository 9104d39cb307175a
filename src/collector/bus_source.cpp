#include "collector/bus_source.hpp"

#include <cstring>
#include <stdexcept>

#include "busglue/busglue.hpp"

namespace nod::collector {

BusSource::BusSource(sd_event* event, sdbus::IConnection& bus, std::function<void(const std::string&)> lost)
    : bus_(bus), lost_(std::move(lost)) {
    auto pd = busglue::poll_data(bus_);
    int r = sd_event_add_io(event, &io_, pd.fd, pd.events, &BusSource::on_io, this);
    if (r >= 0) r = sd_event_source_set_prepare(io_, &BusSource::on_prepare);
    if (r >= 0) r = sd_event_add_time(event, &timer_, CLOCK_MONOTONIC, 0, 0, &BusSource::on_time, this);
    if (r >= 0) r = sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
    if (r < 0) {
        sd_event_source_disable_unref(io_);
        sd_event_source_disable_unref(timer_);
        throw std::runtime_error(std::string("attaching the bus to the event loop: ") + std::strerror(-r));
    }
}

BusSource::~BusSource() {
    sd_event_source_disable_unref(io_);
    sd_event_source_disable_unref(timer_);
}

int BusSource::on_prepare(sd_event_source*, void* self) {
    auto* b = static_cast<BusSource*>(self);
    try {
        auto pd = busglue::poll_data(b->bus_);
        sd_event_source_set_io_events(b->io_, pd.events);
        if (pd.timeout_usec == UINT64_MAX) {
            sd_event_source_set_enabled(b->timer_, SD_EVENT_OFF);
        } else {
            sd_event_source_set_time(b->timer_, pd.timeout_usec);
            sd_event_source_set_enabled(b->timer_, SD_EVENT_ONESHOT);
        }
    } catch (const std::exception& e) {
        b->lost_(e.what());
    }
    return 0;
}

int BusSource::on_io(sd_event_source*, int, std::uint32_t, void* self) {
    static_cast<BusSource*>(self)->process();
    return 0;
}

int BusSource::on_time(sd_event_source*, std::uint64_t, void* self) {
    static_cast<BusSource*>(self)->process();
    return 0;
}

void BusSource::process() {
    try {
        // One message at a time; prepare() sets a zero timeout while more are queued, so the loop keeps
        // turning and the Nix sockets get their turn between bus messages.
        busglue::process_one(bus_);
    } catch (const std::exception& e) {
        lost_(e.what());
    }
}

}  // namespace nod::collector
