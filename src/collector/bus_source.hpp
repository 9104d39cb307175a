// Drives an sdbus-c++ connection from sd-event: one io source on the bus fd and one timer, both refreshed
// from the connection's poll data (busglue::poll_data) before every poll, one message per turn. One code
// path for sdbus-c++ 1.x, which has no attachSdEventLoop, and 2.x, whose attachSdEventLoop lets the
// exception of a failed connection escape into sd-event where nod must see it and reconnect.
#pragma once

#include <functional>
#include <string>

#include <systemd/sd-event.h>

#include <sdbus-c++/IConnection.h>

namespace nod::collector {

class BusSource {
public:
    // `lost` runs (on the loop) when the connection fails; the message says why.
    BusSource(sd_event* event, sdbus::IConnection& bus, std::function<void(const std::string&)> lost);
    ~BusSource();
    BusSource(const BusSource&) = delete;
    BusSource& operator=(const BusSource&) = delete;

private:
    static int on_prepare(sd_event_source* s, void* self);
    static int on_io(sd_event_source* s, int fd, std::uint32_t revents, void* self);
    static int on_time(sd_event_source* s, std::uint64_t usec, void* self);
    void process();

    sdbus::IConnection& bus_;
    std::function<void(const std::string&)> lost_;
    sd_event_source* io_ = nullptr;
    sd_event_source* timer_ = nullptr;
};

}  // namespace nod::collector
