// Drives an sdbus-c++ 1.2.0 connection from sd-event (1.2.0 has no attachSdEventLoop): one io source
// on the bus fd and one timer, both refreshed from getEventLoopPollData() before every poll.
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
