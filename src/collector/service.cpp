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

namespace {

// On the loop's thread: the call kept under `id`, unless it went with its connection.
template <typename Result>
std::shared_ptr<Result> take_reply(const std::weak_ptr<PendingReplies>& replies, PendingReplies::Id id) {
    auto alive = replies.lock();
    return alive ? alive->template take<Result>(id) : nullptr;
}

// Sends a reply; a caller or a bus that went away in the meantime is no reason to stop the daemon (and no
// exception may leave an sd-event callback).
template <typename Send>
void send_reply(const char* method, Send send) {
    try {
        send();
    } catch (const std::exception& e) {
        log::warning(std::string("answering ") + method + ": " + e.what());
    }
}

}  // namespace

template <typename Result, typename Compute>
void Service::answer_later(const char* method, Result&& result, Compute compute) {
    // The job carries an id, not the call (pending_replies.hpp).
    PendingReplies::Id id = replies_->keep(std::move(result));
    std::weak_ptr<PendingReplies> replies = replies_;
    auto& mailbox = parts_.mailbox;
    auto touched = parts_.touched;
    bool queued = parts_.queries.submit([=, &mailbox](const QueryWorker::Database& db) {
        try {
            auto value = compute(db());
            mailbox.post([=, value = std::move(value)]() mutable {
                if (auto call = take_reply<Result>(replies, id)) {
                    send_reply(method, [&] {
                        std::apply([&](auto&&... v) { call->returnResults(std::move(v)...); },
                                   std::move(value));
                    });
                }
                touched();
            });
        } catch (...) {
            auto error = to_bus_error(std::current_exception());
            mailbox.post([=] {
                if (auto call = take_reply<Result>(replies, id))
                    send_reply(method, [&] { call->returnError(error); });
                touched();
            });
        }
    });
    if (!queued) {
        replies_->take<Result>(id)->returnError(
            sdbus::Error(error_busy, "too many queries are waiting; try again in a moment"));
    }
}

void Service::Stats(sdbus::Result<wire::Window, std::vector<wire::StatsRow>>&& result, Options options) {
    parts_.touched();
    try {
        auto query = api::parse_stats(decode(options));
        answer_later("Stats", std::move(result), [query, now = parts_.now()](const store::Database& db) {
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
        answer_later("Bucket", std::move(result), [query, now = parts_.now()](const store::Database& db) {
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
        answer_later("Test", std::move(result), [query, now = parts_.now()](const store::Database& db) {
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
        clean_later(std::move(result), request);
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

// As answer_later, on the writer's thread.
void Service::clean_later(sdbus::Result<std::uint64_t>&& result, const queries::CleanRequest& request) {
    using Result = sdbus::Result<std::uint64_t>;
    PendingReplies::Id id = replies_->keep(std::move(result));
    std::weak_ptr<PendingReplies> replies = replies_;
    auto& mailbox = parts_.mailbox;
    auto touched = parts_.touched;
    auto cleaned = parts_.cleaned;
    try {
        parts_.writer.run([=, now = parts_.now(), &mailbox](store::Store& store) {
            try {
                std::uint64_t deleted = queries::clean(store, request, now);
                log::notice("Clean deleted " + std::to_string(deleted) + " rows");
                mailbox.post([=] {
                    if (auto call = take_reply<Result>(replies, id))
                        send_reply("Clean", [&] { call->returnResults(deleted); });
                    cleaned();
                    touched();
                });
            } catch (...) {
                auto error = to_bus_error(std::current_exception());
                mailbox.post([=] {
                    if (auto call = take_reply<Result>(replies, id))
                        send_reply("Clean", [&] { call->returnError(error); });
                    cleaned();
                    touched();
                });
            }
        });
    } catch (...) {
        if (auto call = replies_->take<Result>(id)) call->returnError(to_bus_error(std::current_exception()));
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
