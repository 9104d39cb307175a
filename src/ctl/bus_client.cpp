#include "ctl/bus_client.hpp"

#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>

#include <sdbus-c++/sdbus-c++.h>

#include "busglue/busglue.hpp"
#include "ctl/bus_connection.hpp"
#include "nod-proxy.h"

namespace nod::ctl {

namespace {

constexpr const char* service_name = "net.bergsoe.Nod1";
constexpr const char* object_path = "/net/bergsoe/Nod1";

using Options = std::map<std::string, sdbus::Variant>;

using StartedStruct = sdbus::Struct<std::string, std::string, std::string, uint32_t, uint64_t>;
using FinishedStruct = sdbus::Struct<std::string, std::string, std::string, uint32_t, std::string, double>;

class Proxy final : public sdbus::ProxyInterfaces<net::bergsoe::Nod1_proxy> {
public:
    explicit Proxy(sdbus::IConnection& connection)
        : ProxyInterfaces(connection, busglue::ServiceName{service_name}, sdbus::ObjectPath{object_path}) {
        registerProxy();
    }
    ~Proxy() { unregisterProxy(); }

    std::function<void(const std::vector<StartedStruct>&, std::uint64_t)> started;
    std::function<void(const std::vector<FinishedStruct>&, std::uint64_t)> finished;

private:
    void onStarted(const std::vector<StartedStruct>& activities, const uint64_t& more) override {
        if (started) started(activities, more);
    }
    void onFinished(const std::vector<FinishedStruct>& activities, const uint64_t& more) override {
        if (finished) finished(activities, more);
    }
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
    if (f.machine) o["machine"] = sdbus::Variant(*f.machine);
    if (f.substituter) o["substituter"] = sdbus::Variant(*f.substituter);
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
        impl_->connection = connect_bus(bus, address);
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
    if (f.group_by == GroupBy::machine) o["group_by"] = sdbus::Variant(std::string("machine"));
    if (f.group_by == GroupBy::substituter) o["group_by"] = sdbus::Variant(std::string("substituter"));
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

CachesResult BusClient::caches(const Filters& f) {
    Options o = window_options(f);  // days, months, uid and trusted: the command line allows no others
    auto [window, substituted, built, hit_rate, rows] = guarded([&] { return impl_->proxy->Caches(o); });
    CachesResult r;
    r.window = window_of(window);
    r.substituted = substituted;
    r.built = built;
    r.hit_rate = hit_rate;
    for (const auto& s : rows)
        r.rows.push_back({s.get<0>(), s.get<1>(), s.get<2>(), s.get<3>(), s.get<4>(), s.get<5>(), s.get<6>(), s.get<7>()});
    return r;
}

void BusClient::subscribe() {
    guarded([&] { impl_->proxy->Subscribe(); });
}

void BusClient::watch(std::function<void(std::uint64_t)> started,
                      std::function<void(std::vector<FinishedActivity>, std::uint64_t)> finished) {
    impl_->proxy->started = [started = std::move(started)](const std::vector<StartedStruct>& a, std::uint64_t more) {
        started(a.size() + more);
    };
    impl_->proxy->finished = [finished = std::move(finished)](const std::vector<FinishedStruct>& a, std::uint64_t more) {
        std::vector<FinishedActivity> out;
        for (const auto& s : a) {
            FinishedActivity f;
            f.kind = s.get<0>();
            f.name = s.get<1>();
            f.uid = s.get<3>();
            f.user = std::to_string(f.uid);
            f.outcome = s.get<4>();
            f.duration_seconds = s.get<5>();
            out.push_back(std::move(f));
        }
        finished(std::move(out), more);
    };
}

bool BusClient::wait(int timeout_ms, int fd) {
    return guarded([&] {
        sdbus::IConnection& bus = *impl_->connection;
        while (busglue::process_one(bus)) {
        }
        busglue::PollData p = busglue::poll_data(bus);
        pollfd fds[2] = {{p.fd, static_cast<short>(p.events), 0}, {fd, POLLIN, 0}};
        int timeout = timeout_ms;
        if (p.timeout_usec != UINT64_MAX) {
            timespec now{};
            clock_gettime(CLOCK_MONOTONIC, &now);
            std::uint64_t now_usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(now.tv_nsec) / 1000;
            std::uint64_t bus_ms = p.timeout_usec > now_usec ? (p.timeout_usec - now_usec + 999) / 1000 : 0;
            timeout = static_cast<int>(std::min<std::uint64_t>(bus_ms, static_cast<std::uint64_t>(timeout_ms)));
        }
        int n = poll(fds, fd >= 0 ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR) throw busglue::error("nodctl.Error.Poll", std::string("poll: ") + std::strerror(errno));
        while (busglue::process_one(bus)) {
        }
        return fd >= 0 && n > 0 && (fds[1].revents & (POLLIN | POLLHUP)) != 0;
    });
}

std::uint64_t BusClient::clean(const Filters& f) {
    Options o;
    if (f.before_days) o["before_days"] = sdbus::Variant(*f.before_days);
    return guarded([&] { return impl_->proxy->Clean(o); });
}

}  // namespace nod::ctl
