#include "ctl/bus_connection.hpp"

namespace nod::ctl {

std::unique_ptr<sdbus::IConnection> connect_bus(Bus bus, const std::string& address) {
    switch (bus) {
    case Bus::system: return sdbus::createSystemBusConnection();
    case Bus::session: return sdbus::createSessionBusConnection();
    case Bus::address: return sdbus::createSessionBusConnectionWithAddress(address);
    }
    return sdbus::createSystemBusConnection();
}

}  // namespace nod::ctl
