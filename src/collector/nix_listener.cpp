#include "collector/nix_listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "collector/clock.hpp"
#include "collector/log.hpp"

namespace nod::collector {

namespace {

constexpr std::size_t read_size = 64 * 1024;
constexpr int reads_per_turn = 16;           // then the other connections get their turn
constexpr std::size_t flush_rows_at = 1000;  // rows handed to the writer at once
constexpr std::uint64_t flush_every_usec = 200'000;
// Backpressure: past --max-unwritten-mib of rows waiting for the database, a non-root connection that hands
// over rows is not read until the writer is back under a quarter of it (the kernel then holds its writer, as
// Nix's synchronous log is meant to be held). Root's connections are always read.
// Out of file descriptors: accepting waits this long instead of spinning on EMFILE.
constexpr std::uint64_t accept_retry_usec = 250'000;
constexpr std::uint32_t unknown_uid = UINT32_MAX;

ReaderLimits limits_of(const Config& c) {
    ReaderLimits l;
    l.max_line = c.max_line_bytes;
    l.max_activities = c.max_activities;
    return l;
}

std::string peer_text(const Peer& p) { return "pid " + std::to_string(p.pid) + ", uid " + std::to_string(p.uid); }

void check(int r, const char* what) {
    if (r < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-r));
}

// The reader's counters of refusals, by reason.
struct CountedRefusal {
    RefusalReason reason;
    std::uint64_t ReaderCounters::*counter;
    const char* what;
};
constexpr CountedRefusal counted_refusals[] = {
    {RefusalReason::line_too_long, &ReaderCounters::oversized_lines, "log lines longer than --max-line-bytes"},
    {RefusalReason::too_deep, &ReaderCounters::too_deep_lines, "records nested deeper than nod reads"},
    {RefusalReason::path_too_long, &ReaderCounters::refused_long_paths, "paths or machines longer than 4096 bytes"},
    {RefusalReason::activities, &ReaderCounters::refused_activities, "activities over --max-activities in flight"},
    {RefusalReason::held_bytes, &ReaderCounters::refused_held_bytes,
     "activities over the bytes a connection (8 MiB) or a user (32 MiB) may keep in flight"},
};

}  // namespace

struct NixListener::Client {
    NixListener* owner = nullptr;
    ConnectionId id = 0;
    Peer peer;
    SourcePtr source;
    bool paused = false;
};

NixListener::NixListener(const ListenSocket& socket, const Config& config, StoreWorker& writer)
    : socket_(socket),
      config_(config),
      writer_(writer),
      reader_(limits_of(config),
              [this](Row&& row) {
                  if (!within_daily_rows(row)) return;
                  if (events_handler_) events_.add_finished(row);
                  pending_.push_back(std::move(row));
                  if (pending_.size() >= flush_rows_at) flush_rows();
              }),
      read_buffer_(read_size) {}

NixListener::~NixListener() { stop(); }

void NixListener::start() {
    sd_event* event = nullptr;
    check(sd_event_new(&event), "creating the Nix reading loop");
    event_.reset(event);
    sd_event_source* s = nullptr;
    check(sd_event_add_io(event_.get(), &s, socket_.fd.get(), EPOLLIN, &NixListener::on_accept, this), "watching the socket");
    accept_source_.reset(s);
    check(sd_event_add_io(event_.get(), &s, control_.fd(), EPOLLIN, &NixListener::on_control, this), "watching controls");
    control_source_.reset(s);
    check(sd_event_add_time_relative(event_.get(), &s, CLOCK_MONOTONIC, flush_every_usec, 0, &NixListener::on_flush, this),
          "adding the flush timer");
    flush_timer_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_ON);
    check(sd_event_add_time_relative(event_.get(), &s, CLOCK_MONOTONIC, accept_retry_usec, 0,
                                     &NixListener::on_accept_retry, this),
          "adding the accept retry timer");
    accept_retry_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    last_activity_ = monotonic_now();
    thread_ = std::thread([this] { loop(); });
}

void NixListener::loop() {
    int r = sd_event_loop(event_.get());
    if (r < 0) log::error(std::string("the Nix reading loop failed: ") + std::strerror(-r));
    drain_and_close_all();
    flush_rows();
    publish_counters();
}

void NixListener::stop() {
    if (!thread_.joinable()) return;
    control_.post([this] { sd_event_exit(event_.get(), 0); });
    thread_.join();
}

void NixListener::stop_accepting() {
    control_.post([this] {
        accepting_ = false;
        sd_event_source_set_enabled(accept_source_.get(), SD_EVENT_OFF);
        sd_event_source_set_enabled(accept_retry_.get(), SD_EVENT_OFF);
    });
}

void NixListener::running(RunningHandler done) {
    control_.post([this, done = std::move(done)] {
        // A snapshot walks every activity of every connection on the reading thread and copies them: callers
        // within running_reuse of one another share one, and while earlier callers still wait with it (slow
        // queries), so do callers within running_reuse_held, so that a caller who asks every 250 ms does not
        // keep a copy of every activity alive per call.
        auto now = std::chrono::steady_clock::now();
        auto age = now - running_taken_;
        bool shared = running_snapshot_ && running_snapshot_.use_count() > 1 && age <= running_reuse_held;
        if (!running_snapshot_ || (age > running_reuse && !shared)) {
            running_snapshot_ = std::make_shared<const std::vector<LiveActivity>>(reader_.running());
            running_taken_ = now;
        }
        done(running_snapshot_);
    });
}

void NixListener::publish_events() {
    auto running = static_cast<std::uint32_t>(reader_.running_count());
    running_now_ = running;
    if (!events_handler_) return;
    events_.more_started += reader_.take_started(events_.started);
    events_.running = running;
    events_.running_changed = running != running_published_;
    running_published_ = running;
    if (events_.empty()) return;
    events_.fit();
    events_handler_(std::exchange(events_, LiveEvents{}));
}

ReaderCounters NixListener::counters() const {
    std::lock_guard lock(counters_mutex_);
    return published_;
}

std::vector<Refusals::Count> NixListener::refusals() const {
    std::lock_guard lock(counters_mutex_);
    return published_refusals_;
}

void NixListener::publish_counters() {
    std::lock_guard lock(counters_mutex_);
    published_ = reader_.counters();
    published_refusals_ = refusals_.counts();
}

int NixListener::on_control(sd_event_source*, int, std::uint32_t, void* self) {
    static_cast<NixListener*>(self)->control_.run_pending();
    return 0;
}

int NixListener::on_flush(sd_event_source* s, std::uint64_t, void* self) {
    auto* l = static_cast<NixListener*>(self);
    l->flush_rows();
    l->resume_if_caught_up();
    l->publish_counters();
    l->publish_events();
    sd_event_source_set_time_relative(s, flush_every_usec);
    return 0;
}

// A user other than root stores at most --max-rows-per-user-day rows a day (a rolling 24 hours): any user
// can write made-up builds as fast as the disk takes them, and the history must not grow without bound.
// Root's rows (the daemon's workers report every user's builds) are not counted.
bool NixListener::within_daily_rows(const Row& row) {
    if (row.uid == 0 || config_.max_rows_per_user_day == 0) return true;
    constexpr Micros day = 86'400'000'000LL;
    Micros now = realtime_now();
    auto& [since, count] = rows_today_[row.uid];
    if (now - since >= day) {
        since = now;
        count = 0;
    }
    if (count < config_.max_rows_per_user_day) {
        ++count;
        return true;
    }
    refuse(RefusalReason::rows_per_day, Peer{row.pid, row.uid, row.uid}, 1);
    return false;
}

void NixListener::flush_rows() {
    if (pending_.empty()) return;
    writer_.write(std::move(pending_));
    pending_.clear();
}

// ---- connections -----------------------------------------------------------------------------------

int NixListener::on_accept(sd_event_source*, int, std::uint32_t, void* self) {
    static_cast<NixListener*>(self)->accept_clients();
    return 0;
}

int NixListener::on_accept_retry(sd_event_source*, std::uint64_t, void* self) {
    auto* l = static_cast<NixListener*>(self);
    if (l->accepting_) sd_event_source_set_enabled(l->accept_source_.get(), SD_EVENT_ON);
    return 0;
}

void NixListener::accept_clients() {
    for (;;) {
        UniqueFd fd(accept4(socket_.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == EMFILE || errno == ENFILE) {
                pause_accepting();
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
                log::warning(std::string("accepting a Nix connection: ") + std::strerror(errno));
            }
            return;
        }
        last_activity_ = monotonic_now();
        Peer peer{0, unknown_uid, unknown_uid};
        ucred cred{};
        socklen_t len = sizeof cred;
        if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) peer = {cred.pid, cred.uid, cred.gid};
        if (auto refused = admission(peer)) {
            refuse(*refused, peer, 1);
            continue;  // closing it: Nix notes the error and builds on without its log
        }
        auto client = std::make_unique<Client>();
        client->owner = this;
        client->peer = peer;
        sd_event_source* s = nullptr;
        int r = sd_event_add_io(event_.get(), &s, fd.get(), EPOLLIN, &NixListener::on_client, client.get());
        if (r < 0) {
            log::error(std::string("watching a Nix connection: ") + std::strerror(-r));
            continue;
        }
        sd_event_source_set_io_fd_own(s, 1);
        fd.release();
        client->source.reset(s);
        client->id = reader_.open(peer, realtime_now());
        if (peer.uid != 0) {
            ++non_root_open_;
            ++open_per_user_[peer.uid];
        }
        clients_.emplace(client->id, std::move(client));
        connections_ = static_cast<std::uint32_t>(clients_.size());
    }
}

// Root (the nix-daemon's workers, root's own Nix) may take every slot; the others share all but the
// slots kept for root, each user at most --max-connections-per-user of them.
std::optional<RefusalReason> NixListener::admission(const Peer& peer) const {
    std::uint32_t total = config_.max_connections;
    if (clients_.size() >= total) return RefusalReason::connections;
    if (peer.uid == 0) return std::nullopt;
    std::uint32_t kept_for_root = std::max<std::uint32_t>(1, total / 16);
    if (non_root_open_ >= total - kept_for_root) return RefusalReason::connections;
    auto open = open_per_user_.find(peer.uid);
    if (open != open_per_user_.end() && open->second >= config_.max_connections_per_user)
        return RefusalReason::connections_per_user;
    return std::nullopt;
}

// Out of file descriptors: new connections wait in the socket's backlog while accepting pauses a moment,
// instead of a loop that spins on EMFILE (and logs each time).
void NixListener::pause_accepting() {
    refuse(RefusalReason::fd_limit, Peer{0, unknown_uid, unknown_uid}, 1);
    sd_event_source_set_enabled(accept_source_.get(), SD_EVENT_OFF);
    sd_event_source_set_time_relative(accept_retry_.get(), accept_retry_usec);
    sd_event_source_set_enabled(accept_retry_.get(), SD_EVENT_ONESHOT);
}

void NixListener::refuse(RefusalReason reason, const Peer& peer, std::uint64_t n, const char* what) {
    auto since = refusals_.note(reason, peer.uid, realtime_now(), n);
    if (!since) return;
    std::string who = peer.uid == unknown_uid ? std::string("a Nix connection") : "a Nix connection (" + peer_text(peer) + ")";
    std::string message;
    switch (reason) {
    case RefusalReason::connections:
        message = "refused " + who + ": every connection slot it may take is in use (--max-connections " +
                  std::to_string(config_.max_connections) + ", 1 in 16 kept for root)";
        break;
    case RefusalReason::connections_per_user:
        message = "refused " + who + ": its user has " + std::to_string(config_.max_connections_per_user) +
                  " connections open (--max-connections-per-user)";
        break;
    case RefusalReason::fd_limit:
        message = "out of file descriptors (raise LimitNOFILE= or lower --max-connections); accepting "
                  "Nix connections pauses for " + std::to_string(accept_retry_usec / 1000) + " ms at a time";
        break;
    case RefusalReason::rows_per_day:
        message = "dropped a row from " + who + ": its user stored " + std::to_string(config_.max_rows_per_user_day) +
                  " rows in the last 24 hours (--max-rows-per-user-day)";
        break;
    case RefusalReason::paused:
        message = "not reading " + who + " for now: more than " + std::to_string(config_.max_unwritten_mib) +
                  " MiB of rows wait for the database (--max-unwritten-mib; root's connections are still read)";
        break;
    default: message = "refused " + std::string(what ? what : to_string(reason)) + " from " + who; break;
    }
    log::warning(message + "; " + std::to_string(*since) + " since the last such line, further ones are counted and "
                 "logged once a minute");
}

int NixListener::on_client(sd_event_source*, int, std::uint32_t, void* client) {
    auto* c = static_cast<Client*>(client);
    c->owner->read_client(*c);
    return 0;
}

void NixListener::read_client(Client& c) {
    last_activity_ = monotonic_now();
    int fd = sd_event_source_get_io_fd(c.source.get());
    for (int i = 0; i < reads_per_turn; ++i) {
        ssize_t n = ::read(fd, read_buffer_.data(), read_buffer_.size());
        if (n > 0) {
            ReaderCounters before = reader_.counters();
            reader_.feed(c.id, read_buffer_.data(), static_cast<std::size_t>(n), realtime_now());
            note_refusals(c, before);
            if (reader_.counters().rows > before.rows && must_pause(c)) {
                pause(c);
                return;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) log::warning("reading a Nix connection (" + peer_text(c.peer) + "): " + std::strerror(errno));
        close_client(c);  // EOF or error: c is gone after this
        return;
    }
}

// What the reader refused of this connection's bytes, counted per (reason, uid).
void NixListener::note_refusals(Client& c, const ReaderCounters& before) {
    const ReaderCounters& after = reader_.counters();
    for (const auto& r : counted_refusals) {
        std::uint64_t n = after.*r.counter - before.*r.counter;
        if (n > 0) refuse(r.reason, c.peer, n, r.what);
    }
}

bool NixListener::must_pause(const Client& c) const {
    std::size_t pause_at = std::size_t{config_.max_unwritten_mib} << 20;
    return c.peer.uid != 0 && !writer_.failing() && writer_.unwritten_bytes() > pause_at;
}

void NixListener::pause(Client& c) {
    c.paused = true;
    sd_event_source_set_enabled(c.source.get(), SD_EVENT_OFF);
    ++paused_;
    refuse(RefusalReason::paused, c.peer, 1);
}

// Paused connections are read again once the writer has caught up (or cannot write at all: then rows are
// kept up to a bound instead, and the oldest non-root ones dropped past it).
void NixListener::resume_if_caught_up() {
    std::size_t resume_at = (std::size_t{config_.max_unwritten_mib} << 20) / 4;
    if (paused_ == 0 || (writer_.unwritten_bytes() > resume_at && !writer_.failing())) return;
    for (auto& [id, c] : clients_) {
        if (!c->paused) continue;
        c->paused = false;
        sd_event_source_set_enabled(c->source.get(), SD_EVENT_ON);
    }
    paused_ = 0;
}

void NixListener::close_client(Client& c) {
    reader_.close(c.id, realtime_now());
    if (c.paused) --paused_;
    if (c.peer.uid != 0) {
        --non_root_open_;
        if (auto open = open_per_user_.find(c.peer.uid); open != open_per_user_.end() && --open->second == 0)
            open_per_user_.erase(open);
    }
    clients_.erase(c.id);
    connections_ = static_cast<std::uint32_t>(clients_.size());
}

void NixListener::drain_and_close_all() {
    if (!socket_.activated && socket_.fd) accept_clients();
    std::vector<ConnectionId> ids;
    for (const auto& [id, c] : clients_) ids.push_back(id);
    for (ConnectionId id : ids) {
        auto it = clients_.find(id);
        if (it == clients_.end()) continue;
        Client& c = *it->second;
        int fd = sd_event_source_get_io_fd(c.source.get());
        for (;;) {
            ssize_t n = ::read(fd, read_buffer_.data(), read_buffer_.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            reader_.feed(c.id, read_buffer_.data(), static_cast<std::size_t>(n), realtime_now());
        }
        close_client(c);
    }
}

}  // namespace nod::collector
