#include "collector/nix_listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "collector/clock.hpp"
#include "collector/log.hpp"

namespace nod::collector {

namespace {

constexpr std::size_t read_size = 64 * 1024;
constexpr int reads_per_turn = 16;           // then the other connections get their turn
constexpr std::size_t flush_rows_at = 1000;  // rows handed to the writer at once
constexpr std::uint64_t flush_every_usec = 200'000;

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

}  // namespace

struct NixListener::Client {
    NixListener* owner = nullptr;
    ConnectionId id = 0;
    Peer peer;
    SourcePtr source;
    bool logged_line_cap = false;
    bool logged_activity_cap = false;
};

NixListener::NixListener(const ListenSocket& socket, const Config& config, StoreWorker& writer)
    : socket_(socket),
      config_(config),
      writer_(writer),
      reader_(limits_of(config),
              [this](Row&& row) {
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
    control_.post([this] { sd_event_source_set_enabled(accept_source_.get(), SD_EVENT_OFF); });
}

ReaderCounters NixListener::counters() const {
    std::lock_guard lock(counters_mutex_);
    return published_;
}

void NixListener::publish_counters() {
    std::lock_guard lock(counters_mutex_);
    published_ = reader_.counters();
}

int NixListener::on_control(sd_event_source*, int, std::uint32_t, void* self) {
    static_cast<NixListener*>(self)->control_.run_pending();
    return 0;
}

int NixListener::on_flush(sd_event_source* s, std::uint64_t, void* self) {
    auto* l = static_cast<NixListener*>(self);
    l->flush_rows();
    l->publish_counters();
    sd_event_source_set_time_relative(s, flush_every_usec);
    return 0;
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

void NixListener::accept_clients() {
    for (;;) {
        UniqueFd fd(accept4(socket_.fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log::warning(std::string("accepting a Nix connection: ") + std::strerror(errno));
            return;
        }
        last_activity_ = monotonic_now();
        Peer peer;
        ucred cred{};
        socklen_t len = sizeof cred;
        if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) peer = {cred.pid, cred.uid, cred.gid};
        if (clients_.size() >= config_.max_connections) {
            ++refused_connections_;
            Micros now = realtime_now();
            if (now - last_refusal_log_ > 10'000'000) {  // a flood gets one line per 10 s, with the count
                log::warning("refused a Nix connection (" + peer_text(peer) + "): " +
                             std::to_string(config_.max_connections) + " are open (--max-connections); " +
                             std::to_string(refused_connections_) + " refused so far");
                last_refusal_log_ = now;
            }
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
        clients_.emplace(client->id, std::move(client));
        connections_ = static_cast<std::uint32_t>(clients_.size());
    }
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
            log_refusals(c, before);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) log::warning("reading a Nix connection (" + peer_text(c.peer) + "): " + std::strerror(errno));
        close_client(c);  // EOF or error: c is gone after this
        return;
    }
}

void NixListener::close_client(Client& c) {
    reader_.close(c.id, realtime_now());
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

// Once per connection and limit: a stream that keeps hitting a limit would otherwise flood the journal.
void NixListener::log_refusals(Client& c, const ReaderCounters& before) {
    const ReaderCounters& after = reader_.counters();
    if (!c.logged_line_cap && after.oversized_lines > before.oversized_lines) {
        c.logged_line_cap = true;
        log::warning("skipped a log line longer than " + std::to_string(config_.max_line_bytes) +
                     " bytes from a Nix connection (" + peer_text(c.peer) + "); further ones are only counted");
    }
    if (!c.logged_activity_cap && after.refused_activities > before.refused_activities) {
        c.logged_activity_cap = true;
        log::warning("a Nix connection (" + peer_text(c.peer) + ") has " + std::to_string(config_.max_activities) +
                     " activities in flight (--max-activities); further ones are ignored and counted");
    }
}

}  // namespace nod::collector
