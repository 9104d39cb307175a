// The few sdbus-c++ calls nod makes that differ between 1.x (Debian 12: 1.2, nixpkgs: 1.5) and 2.x (Debian
// 13, Fedora, Arch), named once here. v1.cpp or v2.cpp implements them; meson picks one by the version it
// finds and defines NOD_SDBUS_MAJOR for everything that uses this folder. The rest of what nod uses is the
// same in both: connections, AdaptorInterfaces, ProxyInterfaces, Result, Variant, Struct, sdbus::ObjectPath.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#ifndef NOD_SDBUS_MAJOR
#error "NOD_SDBUS_MAJOR is set by src/busglue/meson.build: depend on nod_busglue_dep"
#endif

namespace nod::busglue {

#if NOD_SDBUS_MAJOR >= 2
// A well-known bus name, as ProxyInterfaces and createProxy take it (2.x: a strong type).
using ServiceName = sdbus::ServiceName;
// The error argument of an asynchronous call's reply handler (2.x: empty when the call succeeded).
using CallError = std::optional<sdbus::Error>;
#else
using ServiceName = std::string;
using CallError = const sdbus::Error*;
#endif

// What the connection wants from an event loop before it polls, in one form for both versions.
struct PollData {
    int fd;
    std::uint32_t events;        // for fd, as poll(2) takes them
    std::uint64_t timeout_usec;  // absolute, CLOCK_MONOTONIC; UINT64_MAX: none
};
PollData poll_data(const sdbus::IConnection& bus);

// Dispatches one incoming message, or sends what is queued; false when nothing was pending. Throws
// sdbus::Error when the connection failed.
bool process_one(sdbus::IConnection& bus);

void request_name(sdbus::IConnection& bus, const std::string& name);
void release_name(sdbus::IConnection& bus, const std::string& name);

// Calls `on_match` for every message that matches `rule`, for as long as the connection lives.
void add_floating_match(sdbus::IConnection& bus, const std::string& rule, std::function<void()> on_match);

// Emits org.freedesktop.DBus.Properties.PropertiesChanged for `property` of `interface` on `object`.
void properties_changed(sdbus::IObject& object, const std::string& interface, const std::string& property);

// The uid of the sender of the message `object` is handling; nullopt outside a handler. Throws sdbus::Error
// when the bus cannot tell.
std::optional<uid_t> caller_uid(const sdbus::IObject& object);

// An error to reply with, named like org.freedesktop.DBus.Error.InvalidArgs.
sdbus::Error error(const std::string& name, const std::string& message);

}  // namespace nod::busglue
