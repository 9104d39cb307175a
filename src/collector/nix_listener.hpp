// Reads every Nix connection on a thread and an sd-event loop of its own, so that nothing the bus side
// does — marshalling a reply of 20,000 rows takes tens of milliseconds — delays a read. Nix writes its
// log synchronously: a connection left unread stalls the build.
#pragma once

#include <systemd/sd-event.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "collector/config.hpp"
#include "collector/event_handles.hpp"
#include "collector/listen_socket.hpp"
#include "collector/live_events.hpp"
#include "collector/mailbox.hpp"
#include "collector/refusals.hpp"
#include "collector/store_worker.hpp"
#include "reader/reader.hpp"

namespace nod::collector {

class NixListener {
public:
    NixListener(const ListenSocket& socket, const Config& config, StoreWorker& writer);
    ~NixListener();  // stop()s if still running
    NixListener(const NixListener&) = delete;
    NixListener& operator=(const NixListener&) = delete;

    void start();  // throws std::runtime_error naming what could not be set up
    // Reads what every open connection has buffered, records their open work as cancelled, hands all
    // rows to the writer and ends the thread. A socket we made ourselves is drained of waiting
    // connections too; systemd's keeps its backlog for the next start.
    void stop();
    // New connections stay in the socket's backlog (for systemd to hand to the next instance).
    void stop_accepting();

    bool started() const { return thread_.joinable(); }  // the owner's thread

    // Any thread.
    std::uint32_t connections() const { return connections_.load(); }
    std::uint32_t running_now() const { return running_now_.load(); }  // in flight, each once, as of the last flush
    std::uint64_t last_activity_usec() const { return last_activity_.load(); }  // CLOCK_MONOTONIC
    ReaderCounters counters() const;
    // Any thread: `done` runs on the reading thread with every activity in flight (a snapshot at most
    // running_reuse old). It must not block: hand the work on.
    using RunningSnapshot = std::shared_ptr<const std::vector<LiveActivity>>;
    using RunningHandler = std::function<void(RunningSnapshot)>;
    void running(RunningHandler done);
    static constexpr std::chrono::milliseconds running_reuse{250};
    static constexpr std::chrono::milliseconds running_reuse_held{2000};  // while callers still hold it
    // Before start(): `handler` gets, on the reading thread every flush (200 ms), what started and
    // finished since the last call and the count in flight, when any of it changed. It must not block.
    using EventsHandler = std::function<void(LiveEvents)>;
    void on_events(EventsHandler handler) { events_handler_ = std::move(handler); }
    std::vector<Refusals::Count> refusals() const;  // as of the last publish (every 200 ms)

private:
    struct Client;

    void loop();
    static int on_accept(sd_event_source*, int, std::uint32_t, void*);
    static int on_client(sd_event_source*, int, std::uint32_t, void*);
    static int on_control(sd_event_source*, int, std::uint32_t, void*);
    static int on_flush(sd_event_source*, std::uint64_t, void*);
    static int on_accept_retry(sd_event_source*, std::uint64_t, void*);

    void accept_clients();
    std::optional<RefusalReason> admission(const Peer& peer) const;
    void pause_accepting();
    void refuse(RefusalReason reason, const Peer& peer, std::uint64_t n, const char* what = nullptr);
    void read_client(Client& c);
    void note_refusals(Client& c, const ReaderCounters& before);
    bool must_pause(const Client& c) const;
    void pause(Client& c);
    void resume_if_caught_up();
    void close_client(Client& c);
    void drain_and_close_all();
    bool within_daily_rows(const Row& row);
    void flush_rows();
    void publish_counters();
    void publish_events();

    const ListenSocket& socket_;
    const Config& config_;
    StoreWorker& writer_;

    // Written by the reading thread, read by any.
    std::atomic<std::uint32_t> connections_{0};
    std::atomic<std::uint32_t> running_now_{0};
    std::atomic<std::uint64_t> last_activity_{0};
    mutable std::mutex counters_mutex_;
    ReaderCounters published_;                        // guarded by counters_mutex_
    std::vector<Refusals::Count> published_refusals_;  // guarded by counters_mutex_

    Mailbox control_;  // any thread posts, the reading thread runs

    // The reading thread's own (before start() and after stop(): the caller's). The loop goes last: the
    // sources below it, the clients' among them, are disabled first.
    EventPtr event_;
    Reader reader_;
    std::vector<Row> pending_;
    std::unordered_map<ConnectionId, std::unique_ptr<Client>> clients_;
    std::vector<char> read_buffer_;
    std::uint32_t non_root_open_ = 0;
    std::unordered_map<std::uint32_t, std::uint32_t> open_per_user_;  // non-root uids
    std::unordered_map<std::uint32_t, std::pair<Micros, std::uint64_t>> rows_today_;  // uid: (since, rows)
    std::size_t paused_ = 0;  // clients not read for backpressure
    RunningSnapshot running_snapshot_;
    EventsHandler events_handler_;  // set before start()
    LiveEvents events_;             // gathered since the last flush
    std::uint32_t running_published_ = 0;
    std::chrono::steady_clock::time_point running_taken_;
    bool accepting_ = true;
    Refusals refusals_;
    SourcePtr accept_source_;
    SourcePtr accept_retry_;
    SourcePtr control_source_;
    SourcePtr flush_timer_;

    std::thread thread_;  // last: started by start(), joined by stop()
};

}  // namespace nod::collector
