// The only part of nodctl that talks D-Bus: the proxy generated from dbus/net.bergsoe.Nod1.xml, its
// answers turned into the plain values of model.hpp. Failures are thrown as BusError.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ctl/cli.hpp"
#include "ctl/errors.hpp"
#include "ctl/model.hpp"

namespace nod::ctl {

class BusError : public std::runtime_error {
public:
    explicit BusError(BusFailure f) : std::runtime_error(f.name + ": " + f.message), failure(std::move(f)) {}
    BusFailure failure;
};

class BusClient {
public:
    BusClient(Bus bus, const std::string& address);
    ~BusClient();
    BusClient(const BusClient&) = delete;
    BusClient& operator=(const BusClient&) = delete;

    StatsResult stats(const Filters& filters);
    BucketResult bucket(const std::string& unit, const Filters& filters);
    ComparisonResult test(const Filters& filters);
    EstimateResult estimate(const std::vector<std::string>& names, const Filters& filters);
    RunningResult running(const Filters& filters);
    CachesResult caches(const Filters& filters);

    // A live view: Subscribe (the collector stays up a minute), and the handlers the signals go to while
    // wait() runs. `started` gets how many began; `finished` each activity that ended (its user still a uid).
    void subscribe();
    void watch(std::function<void(std::uint64_t started)> started,
               std::function<void(std::vector<FinishedActivity> finished, std::uint64_t more)> finished);
    // Waits up to `timeout_ms` for the bus or `fd` (-1: none) and handles what the bus sent; true when `fd`
    // became readable.
    bool wait(int timeout_ms, int fd);
    std::uint64_t clean(const Filters& filters);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nod::ctl
