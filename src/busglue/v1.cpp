// busglue.hpp for sdbus-c++ 1.2 to 1.6.
#include "busglue/busglue.hpp"

#include <utility>

namespace nod::busglue {

PollData poll_data(const sdbus::IConnection& bus) {
    auto pd = bus.getEventLoopPollData();
    return {pd.fd, static_cast<std::uint32_t>(pd.events), pd.timeout_usec};
}

bool process_one(sdbus::IConnection& bus) { return bus.processPendingRequest(); }

void request_name(sdbus::IConnection& bus, const std::string& name) { bus.requestName(name); }

void release_name(sdbus::IConnection& bus, const std::string& name) { bus.releaseName(name); }

void properties_changed(sdbus::IObject& object, const std::string& interface, const std::string& property) {
    object.emitPropertiesChangedSignal(interface, std::vector<std::string>{property});
}

void add_floating_match(sdbus::IConnection& bus, const std::string& rule, std::function<void()> on_match) {
    bus.addMatch(
        rule, [on_match = std::move(on_match)](sdbus::Message&) { on_match(); }, sdbus::floating_slot);
}

std::optional<uid_t> caller_uid(const sdbus::IObject& object) {
    const sdbus::Message* call = object.getCurrentlyProcessedMessage();
    if (!call) return std::nullopt;
    return call->getCredsUid();
}

sdbus::Error error(const std::string& name, const std::string& message) {
    return sdbus::Error(name, message);
}

}  // namespace nod::busglue
