// Where nod-exporter listens when systemd does not hand it a socket: "HOST:PORT" with an IPv4 literal, or
// "[IPv6]:PORT". Names are not resolved (a listening address should not depend on DNS).
#pragma once

#include <sys/socket.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "collector/unique_fd.hpp"

namespace nod::exporter {

inline constexpr std::string_view default_listen = "127.0.0.1:8463";

struct ListenAddress {
    sockaddr_storage address{};
    socklen_t length = 0;
};

class AddressError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws AddressError naming what is wrong with `text`.
ListenAddress parse_listen_address(std::string_view text);

// The socket systemd passed (LISTEN_FDS: exactly one, a listening stream socket), else one bound to
// `text` and listening. Non-blocking either way. Throws std::runtime_error naming the address and the
// failure.
UniqueFd acquire_listen_socket(std::string_view text);

}  // namespace nod::exporter
