#include "collector/service.hpp"

#include <unistd.h>

#include <memory>

#include "collector/log.hpp"
#include "collector/options.hpp"
#include "queries/window.hpp"
#include "store/error.hpp"

namespace nod::collector {

namespace {

constexpr const char* invalid_args = "org.freedesktop.DBus.Error.InvalidArgs";

api::OptionMap decode(const std::map<std::string, sdbus::Variant>& options) {
    api::OptionMap out;
    for (const auto& [key, value] : options) {
        std::string type = value.peekValueType();
        if (type == "u")
            out.emplace(key, value.get<std::uint32_t>());
        else if (type == "s")
            out.emplace(key, value.get<std::string>());
        else if (type == "b")
            out.emplace(key, value.get<bool>());
        else
            out.emplace(key, api::OtherType{type});
    }
    return out;
}

// The D-Bus error for whatever a request or a query threw.
sdbus::Error to_bus_error(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const sdbus::Error& e) {
        return e;
    } catch (const api::InvalidOptions& e) {
        return sdbus::Error(invalid_args, e.what());
    } catch (const queries::InvalidArgument& e) {
        return sdbus::Error(invalid_args, e.what());
    } catch (const store::Error& e) {
        return sdbus::Error(Service::error_database, e.what());
    } catch (const std::exception& e) {
        return sdbus::Error("org.freedesktop.DBus.Error.Failed", e.what());
    } catch (...) {
        return sdbus::Error("org.freedesktop.DBus.Error.Failed", "unexpected failure");
    }
}

}  // namespace

Service::Service(sdbus::IConnection& bus, ServiceParts parts)
    : AdaptorInterfaces(bus, object_path), parts_(std::move(parts)) {
    registerAdaptor();
}

Service::~Service() { unregisterAdaptor(); }

template <typename Result, typename Compute>
void Service::answer_later(Result&& result, Compute compute) {
    // sdbus::Result is move-only and std::function wants copies: share it.
    auto shared = std::make_shared<Result>(std::move(result));
    auto& mailbox = parts_.mailbox;
    auto touched = parts_.touched;
    // The job hands its reference on to the main loop (std::move) before posting: the last reference to a
    // D-Bus message must never be dropped on the query thread, since sd-bus is not thread-safe.
    bool queued = parts_.queries.submit([shared, compute, &mailbox,
                                         touched](const QueryWorker::Database& db) mutable {
        try {
            auto value = compute(db());
            mailbox.post([shared = std::move(shared), value = std::move(value), touched]() mutable {
                std::apply([&](auto&&... v) { shared->returnResults(std::move(v)...); }, std::move(value));
                touched();
            });
        } catch (...) {
            auto error = to_bus_error(std::current_exception());
            mailbox.post([shared = std::move(shared), error, touched] {
                shared->returnError(error);
                touched();
            });
        }
    });
    if (!queued) {
        shared->returnError(sdbus::Error(error_busy, "too many queries are waiting; try again in a moment"));
    }
}

void Service::Stats(sdbus::Result<wire::Window, std::vector<wire::StatsRow>>&& result, Options options) {
    parts_.touched();
    try {
        auto query = api::parse_stats(decode(options));
        answer_later(std::move(result), [query, now = parts_.now()](const store::Database& db) {
            auto r = queries::stats(db, query.request, now);
            return std::make_tuple(wire::window(r.days), wire::stats_rows(r, query.kind));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

void Service::Bucket(sdbus::Result<wire::Window, std::vector<wire::BucketRow>>&& result, std::string unit,
                     Options options) {
    parts_.touched();
    try {
        auto query = api::parse_bucket(unit, decode(options));
        answer_later(std::move(result), [query, now = parts_.now()](const store::Database& db) {
            auto r = queries::bucket(db, query.request, now);
            return std::make_tuple(wire::window(r.days), wire::bucket_rows(r, query.kind));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

void Service::Test(sdbus::Result<wire::Windows, std::vector<wire::TestRow>>&& result, Options options) {
    parts_.touched();
    try {
        auto query = api::parse_test(decode(options));
        answer_later(std::move(result), [query, now = parts_.now()](const store::Database& db) {
            auto r = queries::test(db, query.request, now);
            return std::make_tuple(wire::windows(r), wire::test_rows(r, query.kind));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

// The bus policy already refuses non-root callers; this second check also holds where the policy was
// loosened or the bus is a trusted private one, on which sd-bus does not enforce Privileged.
bool Service::caller_may_clean() {
    try {
        const sdbus::Message* call = getObject().getCurrentlyProcessedMessage();
        if (!call) return false;
        uid_t uid = call->getCredsUid();
        return uid == 0 || uid == getuid();
    } catch (const sdbus::Error&) {
        return false;
    }
}

void Service::Clean(sdbus::Result<std::uint64_t>&& result, Options options) {
    parts_.touched();
    try {
        if (!caller_may_clean()) {
            throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied",
                               "Clean deletes history for everyone and is for root only: run it as root");
        }
        auto request = api::parse_clean(decode(options));
        auto shared = std::make_shared<sdbus::Result<std::uint64_t>>(std::move(result));
        auto& mailbox = parts_.mailbox;
        auto touched = parts_.touched;
        auto cleaned = parts_.cleaned;
        // As in answer_later: the writer hands its reference on to the main loop, so that the last reference
        // to the D-Bus message is never dropped on the writer's thread.
        parts_.writer.run(
            [shared, request, now = parts_.now(), &mailbox, touched, cleaned](store::Store& store) mutable {
                try {
                    std::uint64_t deleted = queries::clean(store, request, now);
                    log::notice("Clean deleted " + std::to_string(deleted) + " rows");
                    mailbox.post([shared = std::move(shared), deleted, touched, cleaned] {
                        shared->returnResults(deleted);
                        cleaned();
                        touched();
                    });
                } catch (...) {
                    auto error = to_bus_error(std::current_exception());
                    mailbox.post([shared = std::move(shared), error, touched, cleaned] {
                        shared->returnError(error);
                        cleaned();
                        touched();
                    });
                }
            });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

std::string Service::Version() { return NOD_VERSION; }
std::string Service::DatabasePath() { return parts_.database_path; }
std::uint64_t Service::Rows() { return parts_.status.rows.load(); }
std::uint64_t Service::OldestRow() {
    return static_cast<std::uint64_t>(parts_.status.oldest_start.load() / 1'000'000);
}
std::uint32_t Service::Connections() { return parts_.status.connections.load(); }

}  // namespace nod::collector
