#include "ctl/bus_client.hpp"

#include <charconv>
#include <map>

#include <sdbus-c++/sdbus-c++.h>

#include "busglue/busglue.hpp"
#include "nod-proxy.h"

namespace nod::ctl {

namespace {

constexpr const char* service_name = "net.bergsoe.Nod1";
constexpr const char* object_path = "/net/bergsoe/Nod1";

using Options = std::map<std::string, sdbus::Variant>;

class Proxy final : public sdbus::ProxyInterfaces<net::bergsoe::Nod1_proxy> {
public:
    explicit Proxy(sdbus::IConnection& connection)
        : ProxyInterfaces(connection, busglue::ServiceName{service_name}, sdbus::ObjectPath{object_path}) {
        registerProxy();
    }
    ~Proxy() { unregisterProxy(); }
};

// sdbus::Error into BusError; nothing else is expected from sdbus-c++.
template <typename F>
auto guarded(F&& call) {
    try {
        return call();
    } catch (const sdbus::Error& e) {
        throw BusError({e.getName(), e.getMessage()});
    }
}

Options window_options(const Filters& f) {
    Options o;
    if (f.days) o["days"] = sdbus::Variant(*f.days);
    if (f.months) o["months"] = sdbus::Variant(*f.months);
    if (f.drv) o["drv"] = sdbus::Variant(*f.drv);
    if (f.kind) o["kind"] = sdbus::Variant(*f.kind);
    if (f.user && !f.uid) throw std::logic_error("--user '" + *f.user + "' was not resolved to a uid");
    if (f.uid) o["uid"] = sdbus::Variant(*f.uid);
    if (f.trusted) o["trusted"] = sdbus::Variant(true);
    return o;
}

// A Stats row grouped by user has the uid, in decimal, where the name would be.
std::uint32_t uid_in(const std::string& name) {
    std::uint32_t uid = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), uid);
    if (name.empty() || ec != std::errc() || end != name.data() + name.size()) {
        throw BusError({"nodctl.Error.Answer", "a row grouped by user has no uid but '" + name +
                                                   "'; install nodctl and nod-collector of the same version"});
    }
    return uid;
}

Window window_of(const sdbus::Struct<std::string, std::string>& w) { return {w.get<0>(), w.get<1>()}; }

using FigureStruct = sdbus::Struct<std::string, std::string, uint64_t, uint64_t, uint64_t, uint64_t, double, double,
                                   double, double, double, uint64_t, uint64_t, double, double>;

// Stats rows carry the name second, Bucket rows the bucket first; the figures follow alike.
FigureRow figures_of(const FigureStruct& s) {
    FigureRow r;
    r.kind = s.get<1>();
    r.count = s.get<2>();
    r.failed = s.get<3>();
    r.cancelled = s.get<4>();
    r.unknown_duration = s.get<5>();
    r.total_seconds = s.get<6>();
    r.mean_seconds = s.get<7>();
    r.p50_seconds = s.get<8>();
    r.p90_seconds = s.get<9>();
    r.max_seconds = s.get<10>();
    r.bytes = s.get<11>();
    r.download_bytes = s.get<12>();
    r.cpu_user_seconds = s.get<13>();
    r.cpu_system_seconds = s.get<14>();
    return r;
}

}  // namespace

struct BusClient::Impl {
    std::unique_ptr<sdbus::IConnection> connection;
    std::unique_ptr<Proxy> proxy;
};

BusClient::BusClient(Bus bus, const std::string& address) : impl_(std::make_unique<Impl>()) {
    try {
        switch (bus) {
        case Bus::system: impl_->connection = sdbus::createSystemBusConnection(); break;
        case Bus::session: impl_->connection = sdbus::createSessionBusConnection(); break;
        case Bus::address: impl_->connection = sdbus::createSessionBusConnectionWithAddress(address); break;
        }
        impl_->proxy = std::make_unique<Proxy>(*impl_->connection);
    } catch (const sdbus::Error& e) {
        throw BusError({"nodctl.Error.Connect", e.getMessage()});
    }
}

BusClient::~BusClient() = default;

StatsResult BusClient::stats(const Filters& f) {
    Options o = window_options(f);
    if (f.group_by == GroupBy::name) o["group"] = sdbus::Variant(true);
    if (f.group_by == GroupBy::user) o["group_by"] = sdbus::Variant(std::string("user"));
    if (f.sort) o["sort"] = sdbus::Variant(*f.sort);
    if (f.limit) o["limit"] = sdbus::Variant(*f.limit);
    auto [window, rows] = guarded([&] { return impl_->proxy->Stats(o); });
    StatsResult r;
    r.window = window_of(window);
    r.group_by = f.group_by;
    for (const auto& s : rows) {
        FigureRow row = figures_of(s);
        row.kind = s.get<0>();
        if (f.group_by == GroupBy::user) {
            row.uid = uid_in(s.get<1>());
            row.user = s.get<1>();  // the uid until the caller names it
        } else {
            row.name = s.get<1>();
        }
        r.rows.push_back(std::move(row));
    }
    return r;
}

BucketResult BusClient::bucket(const std::string& unit, const Filters& f) {
    Options o = window_options(f);
    auto [window, rows] = guarded([&] { return impl_->proxy->Bucket(unit, o); });
    BucketResult r;
    r.unit = unit;
    r.window = window_of(window);
    for (const auto& s : rows) {
        FigureRow row = figures_of(s);
        row.bucket = s.get<0>();
        row.kind = s.get<1>();
        r.rows.push_back(std::move(row));
    }
    return r;
}

ComparisonResult BusClient::test(const Filters& f) {
    Options o = window_options(f);
    if (f.group_by == GroupBy::name) o["group"] = sdbus::Variant(true);
    auto [windows, rows] = guarded([&] { return impl_->proxy->Test(o); });
    ComparisonResult r;
    r.old_window = {windows.get<0>(), windows.get<1>()};
    r.new_window = {windows.get<2>(), windows.get<3>()};
    r.grouped = f.group_by == GroupBy::name;
    for (const auto& s : rows) {
        ComparisonRow t;
        t.kind = s.get<0>();
        t.name = s.get<1>();
        t.n_old = s.get<2>();
        t.n_new = s.get<3>();
        t.median_old_seconds = s.get<4>();
        t.median_new_seconds = s.get<5>();
        t.change_percent = s.get<6>();
        t.p_value = s.get<7>();
        t.p_adjusted = s.get<8>();
        t.significant = s.get<9>();
        t.too_few_samples = s.get<10>();
        t.method = s.get<11>();
        t.cliffs_delta = s.get<12>();
        t.shift_seconds = s.get<13>();
        r.rows.push_back(std::move(t));
    }
    return r;
}

EstimateResult BusClient::estimate(const std::vector<std::string>& names, const Filters& f) {
    Options o = window_options(f);  // kind, uid and trusted: the command line allows no others
    auto rows = guarded([&] { return impl_->proxy->Estimate(names, o); });
    EstimateResult r;
    r.kind = f.kind.value_or("build");
    for (const auto& s : rows)
        r.rows.push_back({s.get<0>(), s.get<1>(), s.get<2>(), s.get<3>(), s.get<4>(), s.get<5>()});
    return r;
}

RunningResult BusClient::running(const Filters& f) {
    Options o = window_options(f);  // kind, uid and trusted: the command line allows no others
    if (f.limit) o["limit"] = sdbus::Variant(*f.limit);
    auto [in_flight, rows] = guarded([&] { return impl_->proxy->Running(o); });
    RunningResult r;
    r.in_flight = in_flight;
    for (const auto& s : rows) {
        RunningRow row;
        row.kind = s.get<0>();
        row.name = s.get<1>();
        row.path = s.get<2>();
        row.started_usec = s.get<3>();
        row.elapsed_seconds = s.get<4>();
        row.uid = s.get<5>();
        row.user = std::to_string(row.uid);  // until the caller names it
        row.trusted = s.get<6>();
        row.machine = s.get<7>();
        row.phase = s.get<8>();
        row.done = s.get<9>();
        row.expected = s.get<10>();
        row.expected_seconds = s.get<11>();
        r.rows.push_back(std::move(row));
    }
    return r;
}

std::uint64_t BusClient::clean(const Filters& f) {
    Options o;
    if (f.before_days) o["before_days"] = sdbus::Variant(*f.before_days);
    return guarded([&] { return impl_->proxy->Clean(o); });
}

}  // namespace nod::ctl
