#include "metrics/collector_source.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "busglue/busglue.hpp"

namespace nod::metrics {

namespace {

constexpr const char* service_name = "net.bergsoe.Nod1";
constexpr const char* object_path = "/net/bergsoe/Nod1";
constexpr const char* interface = "net.bergsoe.Nod1";

using ActivityStruct = sdbus::Struct<std::string, std::string, std::string, std::uint64_t, std::uint64_t,
                                     std::uint64_t, std::uint64_t, std::uint64_t>;
using DurationStruct = sdbus::Struct<std::string, std::vector<std::uint64_t>>;
using SubstituterStruct = sdbus::Struct<std::string, std::string, std::uint64_t, std::uint64_t, std::uint64_t>;
using RunningStruct = sdbus::Struct<std::string, std::uint32_t>;
using RefusalStruct = sdbus::Struct<std::string, std::uint32_t, std::uint64_t>;

template <typename T>
T property(const std::map<std::string, sdbus::Variant>& all, const std::string& name) {
    auto found = all.find(name);
    if (found == all.end())
        throw std::runtime_error("the collector has no property " + name + "; install nod-collector and nod-exporter "
                                 "of the same version");
    return found->second.get<T>();
}

}  // namespace

CollectorSource::CollectorSource(Connect connect, std::chrono::milliseconds timeout)
    : connect_(std::move(connect)), timeout_(timeout) {}

CollectorSource::~CollectorSource() = default;

Snapshot CollectorSource::fetch() {
    Snapshot snapshot;
    try {
        if (!bus_) {
            bus_ = connect_();
            proxy_ = sdbus::createProxy(*bus_, busglue::ServiceName{service_name}, sdbus::ObjectPath{object_path});
        }
        fill(snapshot);
        snapshot.up = true;
    } catch (const sdbus::Error& e) {
        snapshot = Snapshot{};
        snapshot.error = e.getName() + ": " + e.getMessage();
        // A broken connection stays broken: make a new one next time (a timeout costs no more than that).
        proxy_.reset();
        bus_.reset();
    } catch (const std::exception& e) {
        snapshot = Snapshot{};
        snapshot.error = e.what();
    }
    return snapshot;
}

void CollectorSource::fill(Snapshot& s) {
    std::vector<ActivityStruct> activities;
    std::vector<DurationStruct> durations;
    std::vector<SubstituterStruct> substituters;
    std::vector<RunningStruct> running;
    proxy_->callMethod("Totals").onInterface(interface).withTimeout(timeout_).storeResultsTo(
        s.bounds_seconds, activities, durations, substituters, running);
    for (const auto& a : activities)
        s.activities.push_back({a.get<0>(), a.get<1>(), a.get<2>(), a.get<3>(), a.get<4>(), a.get<5>(), a.get<6>(),
                                a.get<7>()});
    for (const auto& d : durations) s.durations.push_back({d.get<0>(), d.get<1>()});
    for (const auto& t : substituters)
        s.substituters.push_back({t.get<0>(), t.get<1>(), t.get<2>(), t.get<3>(), t.get<4>()});
    for (const auto& r : running) s.running[r.get<0>()] += r.get<1>();

    std::map<std::string, sdbus::Variant> all;
    proxy_->callMethod("GetAll")
        .onInterface("org.freedesktop.DBus.Properties")
        .withArguments(std::string(interface))
        .withTimeout(timeout_)
        .storeResultsTo(all);
    s.health.connections = property<std::uint32_t>(all, "Connections");
    s.health.rows = property<std::uint64_t>(all, "Rows");
    s.health.lines_read = property<std::uint64_t>(all, "LinesRead");
    s.health.database_bytes = property<std::uint64_t>(all, "DatabaseBytes");
    s.health.write_errors = property<std::uint64_t>(all, "WriteErrors");
    for (const auto& r : property<std::vector<RefusalStruct>>(all, "Refusals")) s.health.refusals[r.get<0>()] += r.get<2>();
}

}  // namespace nod::metrics
