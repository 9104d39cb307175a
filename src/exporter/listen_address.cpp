#include "exporter/listen_address.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <systemd/sd-daemon.h>

namespace nod::exporter {

namespace {

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535)
        throw AddressError("'" + std::string(whole) + "': the port must be a number from 1 to 65535");
    return static_cast<std::uint16_t>(port);
}

}  // namespace

ListenAddress parse_listen_address(std::string_view text) {
    ListenAddress out;
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        throw AddressError("'" + std::string(text) + "': expected HOST:PORT, e.g. 127.0.0.1:8463 or [::1]:8463");
    std::string_view host = text.substr(0, colon);
    std::uint16_t port = parse_port(text.substr(colon + 1), text);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        std::string literal(host.substr(1, host.size() - 2));
        sockaddr_in6 v6{};
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        if (inet_pton(AF_INET6, literal.c_str(), &v6.sin6_addr) != 1)
            throw AddressError("'" + std::string(text) + "': " + literal + " is not an IPv6 address");
        std::memcpy(&out.address, &v6, sizeof v6);
        out.length = sizeof v6;
        return out;
    }
    std::string literal(host);
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    if (inet_pton(AF_INET, literal.c_str(), &v4.sin_addr) != 1)
        throw AddressError("'" + std::string(text) + "': " + (literal.empty() ? "no host" : literal) +
                           " is not an IPv4 address (IPv6 goes in brackets: [::1]:8463)");
    std::memcpy(&out.address, &v4, sizeof v4);
    out.length = sizeof v4;
    return out;
}

UniqueFd acquire_listen_socket(std::string_view text) {
    int passed = sd_listen_fds(1);
    if (passed < 0) throw std::runtime_error(std::string("reading LISTEN_FDS: ") + std::strerror(-passed));
    if (passed > 1)
        throw std::runtime_error("systemd passed " + std::to_string(passed) + " sockets; nod-exporter serves one");
    if (passed == 1) {
        UniqueFd fd(SD_LISTEN_FDS_START);
        if (sd_is_socket(fd.get(), AF_UNSPEC, SOCK_STREAM, 1) <= 0)
            throw std::runtime_error("the socket systemd passed is not a listening stream socket");
        if (fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) | O_NONBLOCK) < 0)
            throw std::runtime_error(std::string("making the passed socket non-blocking: ") + std::strerror(errno));
        return fd;
    }
    ListenAddress address = parse_listen_address(text);
    auto fail = [&](const char* what) {
        return std::runtime_error(std::string(what) + " " + std::string(text) + ": " + std::strerror(errno));
    };
    UniqueFd fd(socket(address.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw fail("creating a socket for");
    int on = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (address.address.ss_family == AF_INET6) setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address.address), address.length) < 0) throw fail("binding");
    if (listen(fd.get(), SOMAXCONN) < 0) throw fail("listening on");
    return fd;
}

}  // namespace nod::exporter
