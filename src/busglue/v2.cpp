// busglue.hpp for sdbus-c++ 2.x.
#include "busglue/busglue.hpp"

#include <chrono>
#include <utility>

namespace nod::busglue {

// 2.x also gives an eventFd, which the library signals to wake a loop that would poll with stale poll data
// (after a sync call, a send that did not fit, a call from another thread). BusSource reads fresh poll data
// before every poll, on the only thread that touches the connection, so it needs no eventFd.
PollData poll_data(const sdbus::IConnection& bus) {
    auto pd = bus.getEventLoopPollData();
    std::uint64_t timeout = pd.timeout == std::chrono::microseconds::max()
                                ? UINT64_MAX
                                : static_cast<std::uint64_t>(pd.timeout.count());
    return {pd.fd, static_cast<std::uint32_t>(pd.events), timeout};
}

bool process_one(sdbus::IConnection& bus) { return bus.processPendingEvent(); }

void request_name(sdbus::IConnection& bus, const std::string& name) {
    bus.requestName(sdbus::ServiceName{name});
}

void release_name(sdbus::IConnection& bus, const std::string& name) {
    bus.releaseName(sdbus::ServiceName{name});
}

void properties_changed(sdbus::IObject& object, const std::string& interface, const std::string& property) {
    object.emitPropertiesChangedSignal(sdbus::InterfaceName{interface}, std::vector<sdbus::PropertyName>{sdbus::PropertyName{property}});
}

void add_floating_match(sdbus::IConnection& bus, const std::string& rule, std::function<void()> on_match) {
    // 2.x: the overload without a slot tag is the floating one.
    bus.addMatch(rule, [on_match = std::move(on_match)](sdbus::Message) { on_match(); });
}

std::optional<uid_t> caller_uid(const sdbus::IObject& object) {
    sdbus::Message call = object.getCurrentlyProcessedMessage();
    if (!call.isValid()) return std::nullopt;
    return call.getCredsUid();
}

sdbus::Error error(const std::string& name, const std::string& message) {
    return sdbus::Error(sdbus::Error::Name{name}, message);
}

}  // namespace nod::busglue
