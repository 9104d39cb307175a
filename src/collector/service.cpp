#include "collector/service.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "busglue/busglue.hpp"
#include "collector/log.hpp"
#include "api/options.hpp"
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
        return busglue::error(invalid_args, e.what());
    } catch (const queries::InvalidArgument& e) {
        return busglue::error(invalid_args, e.what());
    } catch (const queries::TooLarge& e) {
        return busglue::error(Service::error_too_large, e.what());
    } catch (const store::Error& e) {
        if (e.code() == store::ErrorCode::timed_out)
            return busglue::error(Service::error_timed_out,
                                  "the query read the database for longer than nod allows one (--query-timeout-sec); "
                                  "narrow it: fewer days, a drv filter, a kind or a limit");
        return busglue::error(Service::error_database, e.what());
    } catch (const std::exception& e) {
        return busglue::error("org.freedesktop.DBus.Error.Failed", e.what());
    } catch (...) {
        return busglue::error("org.freedesktop.DBus.Error.Failed", "unexpected failure");
    }
}

}  // namespace

Service::Service(sdbus::IConnection& bus, ServiceParts parts)
    : AdaptorInterfaces(bus, sdbus::ObjectPath{object_path}), parts_(std::move(parts)) {
    registerAdaptor();
}

Service::~Service() { unregisterAdaptor(); }

namespace {

// A call's answer, given on a worker thread and sent on the loop's: the worker posts it to the mailbox, where
// the call is taken back by its id unless it went with its connection (pending_replies.hpp). Copyable, so
// that jobs (std::function) can carry it.
template <typename Result>
class LaterReply {
public:
    // `urgent`: root's call, whose answer goes out before others' waiting (Mailbox::post).
    LaterReply(const std::shared_ptr<PendingReplies>& replies, Result&& result, Mailbox& mailbox,
               std::function<void()> after, bool urgent)
        : replies_(replies),
          id_(replies->keep(std::move(result))),
          mailbox_(&mailbox),
          after_(std::move(after)),
          urgent_(urgent) {}

    // Any thread: sends `values`, a tuple of the method's out arguments.
    template <typename Values>
    void values(Values values) const {
        post([values = std::move(values)](Result& call) mutable {
            std::apply([&](auto&&... v) { call.returnResults(std::move(v)...); }, std::move(values));
        });
    }

    // Any thread: sends the values `make` returns, made on the loop's thread and only if the call is still
    // waiting, so that the thread that answers (the Nix reading one, say) does no more than hand over.
    template <typename Make>
    void values_made(Make make) const {
        post([make = std::move(make)](Result& call) mutable {
            decltype(make()) values;
            try {
                values = make();
            } catch (...) {
                call.returnError(to_bus_error(std::current_exception()));
                return;
            }
            std::apply([&](auto&&... v) { call.returnResults(std::move(v)...); }, std::move(values));
        });
    }

    // Any thread: sends the D-Bus error for `failure`.
    void error(std::exception_ptr failure) const {
        post([error = to_bus_error(failure)](Result& call) { call.returnError(error); });
    }

private:
    template <typename Send>
    void post(Send send) const {
        mailbox_->post(
            [replies = replies_, id = id_, after = after_, send = std::move(send)]() mutable {
                after();  // first: the send may throw (a broken connection), which the mailbox logs
                auto alive = replies.lock();
                if (auto call = alive ? alive->template take<Result>(id) : nullptr) send(*call);
            },
            urgent_);
    }

    std::weak_ptr<PendingReplies> replies_;
    PendingReplies::Id id_;
    Mailbox* mailbox_;
    std::function<void()> after_;
    bool urgent_;
};

}  // namespace

template <typename Result, typename Compute>
void Service::answer_later(Result&& result, Compute compute) {
    // A caller whose uid cannot be read shares the lane of every other non-root caller.
    std::uint32_t uid = busglue::caller_uid(getObject()).value_or(UINT32_MAX);
    LaterReply<Result> reply(replies_, std::move(result), parts_.mailbox, parts_.touched, uid == 0);
    auto queued = parts_.queries.submit(uid, [reply, compute](const QueryWorker::OpenDatabase& open_database) {
        try {
            reply.values(compute(open_database()));
        } catch (...) {
            reply.error(std::current_exception());
        }
    });
    if (queued == QueryWorker::Queued::user_full) {
        reply.error(std::make_exception_ptr(busglue::error(
            error_busy, "you have " + std::to_string(QueryWorker::max_queued_per_user) +
                            " queries waiting or running; wait for their answers")));
    } else if (queued == QueryWorker::Queued::full) {
        reply.error(std::make_exception_ptr(
            busglue::error(error_busy, "too many queries are waiting; try again in a moment")));
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
            auto r = queries::compare_windows(db, query.request, now);
            return std::make_tuple(wire::windows(r), wire::test_rows(r, query.kind));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

void Service::Estimate(sdbus::Result<std::vector<wire::EstimateRow>>&& result, std::vector<std::string> names,
                       Options options) {
    parts_.touched();
    try {
        auto request = api::parse_estimate(std::move(names), decode(options));
        answer_later(std::move(result), [request](const store::Database& db) {
            return std::make_tuple(wire::estimate_rows(queries::estimate(db, request)));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

// The snapshot comes from the reading thread, which only takes it (NixListener::running); `compute` (choosing,
// sorting, the history's figures) runs on the caller's query lane, like any query.
template <typename Result, typename Compute>
void Service::answer_with_running(Result&& result, Compute compute) {
    std::uint32_t uid = busglue::caller_uid(getObject()).value_or(UINT32_MAX);
    LaterReply reply(replies_, std::move(result), parts_.mailbox, parts_.touched, uid == 0);
    QueryWorker* queries = &parts_.queries;
    parts_.listener.running([reply, queries, uid, compute](NixListener::RunningSnapshot live) {
        auto queued = queries->submit(uid, [reply, live, compute](const QueryWorker::OpenDatabase& open) {
            try {
                reply.values(compute(open(), *live));
            } catch (...) {
                reply.error(std::current_exception());
            }
        });
        if (queued != QueryWorker::Queued::yes)
            reply.error(std::make_exception_ptr(
                busglue::error(error_busy, "too many queries are waiting; try again in a moment")));
    });
}

void Service::Running(sdbus::Result<std::uint64_t, std::vector<wire::RunningRow>>&& result, Options options) {
    parts_.touched();
    try {
        auto request = api::parse_running(decode(options));
        answer_with_running(std::move(result), [request, now = parts_.now](const store::Database& db,
                                                                           const std::vector<LiveActivity>& live) {
            auto chosen = queries::select_running(live, request);
            auto expected = queries::expected_seconds(db, chosen.rows, request.trusted_only);
            return std::make_tuple(chosen.matching, wire::running_rows(chosen.rows, expected, now()));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

// The bus policy already refuses non-root callers; this second check also holds where the policy was
// loosened or the bus is a trusted private one, on which sd-bus does not enforce Privileged.
bool Service::caller_may_clean() {
    try {
        std::optional<uid_t> uid = busglue::caller_uid(getObject());
        return uid && (*uid == 0 || *uid == getuid());
    } catch (const sdbus::Error&) {
        return false;
    }
}

void Service::Clean(sdbus::Result<std::uint64_t>&& result, Options options) {
    parts_.touched();
    try {
        if (!caller_may_clean()) {
            throw busglue::error("org.freedesktop.DBus.Error.AccessDenied",
                                 "Clean deletes history for everyone and is for root only: run it as root");
        }
        auto request = api::parse_clean(decode(options));
        auto cutoff = queries::clean_cutoff(request, parts_.now());
        auto cleaned = parts_.cleaned, touched = parts_.touched;
        LaterReply reply(
            replies_, std::move(result), parts_.mailbox,
            [cleaned, touched] {
                cleaned();
                touched();
            },
            true);
        if (cutoff) clean_before(reply, *cutoff, request.chunk);
        else clean_all(reply);
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

template <typename Reply>
void Service::clean_all(const Reply& reply) {
    parts_.writer.run([reply](store::Store& store) {
        try {
            std::uint64_t deleted = store.clear();
            log::notice("Clean deleted " + std::to_string(deleted) + " rows");
            reply.values(std::make_tuple(deleted));
        } catch (...) {
            reply.error(std::current_exception());
        }
    });
}

// A chunk per turn of the writer, like retention: rows from Nix are written between chunks, and a stop
// ends it after the chunk at hand.
template <typename Reply>
void Service::clean_before(const Reply& reply, store::Day cutoff, std::size_t chunk) {
    auto deleted = std::make_shared<std::uint64_t>(0);
    parts_.writer.repeat(
        [cutoff, chunk, deleted](store::Store& store) {
            std::size_t n = store.prune_before(cutoff, chunk);
            *deleted += n;
            return n > 0;
        },
        [reply, deleted](StoreWorker::JobEnd end, std::exception_ptr failure) {
            switch (end) {
            case StoreWorker::JobEnd::done:
                log::notice("Clean deleted " + std::to_string(*deleted) + " rows");
                reply.values(std::make_tuple(*deleted));
                break;
            case StoreWorker::JobEnd::stopped:
                log::notice("Clean deleted " + std::to_string(*deleted) + " rows before the collector stopped");
                reply.error(std::make_exception_ptr(busglue::error(
                    error_stopped, "the collector stopped after deleting " + std::to_string(*deleted) +
                                       " rows; call Clean again to delete the rest")));
                break;
            case StoreWorker::JobEnd::failed: reply.error(failure); break;
            }
        });
}

void Service::Subscribe() { parts_.subscribed(); }

void Service::Caches(sdbus::Result<wire::Window, std::uint64_t, std::uint64_t, double, std::vector<wire::CacheRow>>&& result,
                     Options options) {
    parts_.touched();
    try {
        auto request = api::parse_caches(decode(options));
        answer_later(std::move(result), [request, now = parts_.now()](const store::Database& db) {
            auto r = queries::caches(db, request, now);
            return std::make_tuple(wire::window(r.days), r.substituted, r.built, r.hit_rate, wire::cache_rows(r));
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

// The lifetime totals the writer published at its last commit and the activities in flight from the
// reading thread's snapshot: no query lane, so that a scrape never waits behind any user's slow query.
// The reading thread only hands the snapshot over; the answer is made on the loop's thread, as a flood of
// calls costs that thread anyway.
void Service::Totals(sdbus::Result<std::vector<double>, std::vector<wire::TotalsActivity>, std::vector<wire::TotalsDurations>,
                                   std::vector<wire::TotalsSubstituter>, std::vector<wire::TotalsRunning>>&& result) {
    parts_.touched();
    try {
        std::uint32_t uid = busglue::caller_uid(getObject()).value_or(UINT32_MAX);
        LaterReply reply(replies_, std::move(result), parts_.mailbox, parts_.touched, uid == 0);
        parts_.listener.running([reply, lifetime = parts_.writer.lifetime()](NixListener::RunningSnapshot live) {
            reply.values_made([lifetime, live] { return wire::totals(*lifetime, *live); });
        });
    } catch (...) {
        result.returnError(to_bus_error(std::current_exception()));
    }
}

void Service::emit(const LiveEvents& events) {
    if (!events.started.empty() || events.more_started) emitStarted(wire::started_rows(events.started), events.more_started);
    if (!events.finished.empty() || events.more_finished)
        emitFinished(wire::finished_rows(events.finished), events.more_finished);
    if (events.running_changed) busglue::properties_changed(getObject(), "net.bergsoe.Nod1", "Running");
}

std::string Service::Version() { return NOD_VERSION; }
std::uint32_t Service::Running() { return parts_.listener.running_now(); }
std::string Service::DatabasePath() { return parts_.database_path; }
std::uint64_t Service::Rows() { return parts_.writer.rows(); }
std::uint64_t Service::OldestRow() { return static_cast<std::uint64_t>(parts_.oldest_start / 1'000'000); }
std::uint32_t Service::Connections() { return parts_.listener.connections(); }

std::uint64_t Service::LinesRead() { return parts_.listener.counters().lines; }
std::uint64_t Service::WriteErrors() { return parts_.writer.write_errors(); }

// The file and its WAL as they are now (the -shm index is memory, not history); a file that is not there
// (yet) counts 0.
std::uint64_t Service::DatabaseBytes() {
    std::uint64_t total = 0;
    for (const std::string& path : {parts_.database_path, parts_.database_path + "-wal"}) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0) total += static_cast<std::uint64_t>(st.st_size);
    }
    return total;
}

std::vector<sdbus::Struct<std::string, std::uint32_t, std::uint64_t>> Service::Refusals() {
    std::vector<sdbus::Struct<std::string, std::uint32_t, std::uint64_t>> out;
    for (const auto& r : parts_.listener.refusals()) out.emplace_back(std::string(to_string(r.reason)), r.uid, r.count);
    for (const auto& [uid, count] : parts_.writer.dropped())
        out.emplace_back(std::string(to_string(RefusalReason::rows_dropped)), uid, count);
    return out;
}

}  // namespace nod::collector
