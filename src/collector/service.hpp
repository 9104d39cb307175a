// The net.bergsoe.Nod1 object: decodes each call's options, runs the query off the event loop and
// answers when it is done. Every failure becomes a named D-Bus error; no exception leaves a handler
// (sdbus-c++ 1.2.0 would abort the daemon).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "collector/live_events.hpp"
#include "collector/mailbox.hpp"
#include "collector/nix_listener.hpp"
#include "collector/pending_replies.hpp"
#include "collector/query_worker.hpp"
#include "collector/store_worker.hpp"
#include "collector/wire.hpp"
#include "nod-adaptor.h"

namespace nod::collector {

// What the service uses; each part outlives it. The properties read their owners' figures: Rows the
// writer's count, Connections the listener's, OldestRow the loop's own.
struct ServiceParts {
    QueryWorker& queries;
    StoreWorker& writer;
    Mailbox& mailbox;
    NixListener& listener;
    const Micros& oldest_start;  // µs, 0 when there are no rows; the loop's (as is the service)
    std::string database_path;
    std::function<Micros()> now;
    std::function<void()> touched;  // a call came in or was answered: not idle
    std::function<void()> cleaned;  // rows were deleted: count again
    std::function<void()> subscribed;  // Subscribe was called: stay up for subscription_lease
};

class Service final : public sdbus::AdaptorInterfaces<net::bergsoe::Nod1_adaptor> {
public:
    static constexpr const char* object_path = "/net/bergsoe/Nod1";
    static constexpr const char* error_database = "net.bergsoe.Nod1.Error.Database";
    static constexpr const char* error_busy = "net.bergsoe.Nod1.Error.Busy";
    static constexpr const char* error_stopped = "net.bergsoe.Nod1.Error.Stopped";
    static constexpr const char* error_too_large = "net.bergsoe.Nod1.Error.TooLarge";
    static constexpr const char* error_timed_out = "net.bergsoe.Nod1.Error.TimedOut";

    Service(sdbus::IConnection& bus, ServiceParts parts);
    ~Service();

    // The loop's thread: the Started and Finished signals and Running's PropertiesChanged for `events`.
    void emit(const LiveEvents& events);

private:
    using Options = std::map<std::string, sdbus::Variant>;

    void Stats(sdbus::Result<wire::Window, std::vector<wire::StatsRow>>&& result, Options options) override;
    void Bucket(sdbus::Result<wire::Window, std::vector<wire::BucketRow>>&& result, std::string unit,
                Options options) override;
    void Test(sdbus::Result<wire::Windows, std::vector<wire::TestRow>>&& result, Options options) override;
    void Estimate(sdbus::Result<std::vector<wire::EstimateRow>>&& result, std::vector<std::string> names,
                  Options options) override;
    void Running(sdbus::Result<std::uint64_t, std::vector<wire::RunningRow>>&& result, Options options) override;
    void Clean(sdbus::Result<std::uint64_t>&& result, Options options) override;
    void Subscribe() override;
    void Caches(sdbus::Result<wire::Window, std::uint64_t, std::uint64_t, double, std::vector<wire::CacheRow>>&& result,
                Options options) override;
    void Totals(sdbus::Result<std::vector<double>, std::vector<wire::TotalsActivity>, std::vector<wire::TotalsDurations>,
                              std::vector<wire::TotalsSubstituter>, std::vector<wire::TotalsRunning>>&& result) override;

    std::string Version() override;
    std::string DatabasePath() override;
    std::uint64_t Rows() override;
    std::uint64_t OldestRow() override;
    std::uint32_t Connections() override;
    std::uint32_t Running() override;
    std::vector<sdbus::Struct<std::string, std::uint32_t, std::uint64_t>> Refusals() override;
    std::uint64_t LinesRead() override;
    std::uint64_t DatabaseBytes() override;
    std::uint64_t WriteErrors() override;

    // Runs `compute` on the query thread; its value (or error) is sent on the loop's thread.
    template <typename Result, typename Compute>
    void answer_later(Result&& result, Compute compute);
    // As answer_later, with the activities in flight: compute(database, activities).
    template <typename Result, typename Compute>
    void answer_with_running(Result&& result, Compute compute);
    bool caller_may_clean();
    template <typename Reply>
    void clean_all(const Reply& reply);
    template <typename Reply>
    void clean_before(const Reply& reply, store::Day cutoff, std::size_t chunk);

    ServiceParts parts_;
    // Calls waiting for a worker; they go with this object, before the connection (pending_replies.hpp).
    std::shared_ptr<PendingReplies> replies_ = std::make_shared<PendingReplies>();
};

}  // namespace nod::collector
