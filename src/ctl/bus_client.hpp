// The only part of nodctl that talks D-Bus: the proxy generated from dbus/net.bergsoe.Nod1.xml, its
// answers turned into the plain values of model.hpp. Failures are thrown as BusError.
#pragma once

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
    std::uint64_t clean(const Filters& filters);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nod::ctl
