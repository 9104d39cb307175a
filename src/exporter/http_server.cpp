#include "exporter/http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace nod::exporter {

HttpServer::HttpServer(UniqueFd listening, const Limits& limits, Handler handler)
    : limits_(limits), handler_(std::move(handler)) {
    auto timeout = static_cast<unsigned>(limits_.request_timeout.count());
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, nullptr, nullptr, &HttpServer::on_request, this,
        MHD_OPTION_LISTEN_SOCKET, listening.get(),
        MHD_OPTION_CONNECTION_LIMIT, limits_.max_connections,
        // Idle time: the watchdog bounds the whole connection, this ends a silent one sooner on its own.
        MHD_OPTION_CONNECTION_TIMEOUT, timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits_.header_memory,
        MHD_OPTION_NOTIFY_CONNECTION, &HttpServer::on_connection, this,
        MHD_OPTION_END);
    if (daemon_ == nullptr) throw std::runtime_error("starting libmicrohttpd on the listening socket failed");
    listening.release();  // MHD_stop_daemon closes it
    watchdog_ = std::thread([this] { watch(); });
}

HttpServer::~HttpServer() {
    MHD_stop_daemon(daemon_);  // closes every connection (their CLOSED notices come first) and the socket
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    watchdog_.join();
}

std::size_t HttpServer::connections() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

// libmicrohttpd's thread. The CLOSED notice comes before libmicrohttpd closes the socket, so an fd in
// open_ is still this connection's while the mutex is held: the watchdog never shuts down a reused fd.
void HttpServer::on_connection(void* self, MHD_Connection* connection, void**, MHD_ConnectionNotificationCode what) {
    auto* server = static_cast<HttpServer*>(self);
    std::lock_guard lock(server->mutex_);
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (info == nullptr) return;
        auto now = std::chrono::steady_clock::now();
        server->open_[connection] = {info->connect_fd, now,
                                     now + std::min(server->limits_.header_timeout, server->limits_.request_timeout)};
        server->wake_.notify_all();  // the watchdog sleeps until the earliest deadline, or for ever
    } else {
        server->open_.erase(connection);
    }
}

// Cuts off connections past their deadline: shutdown() makes libmicrohttpd see the end of the stream and
// close the connection on its own thread.
void HttpServer::watch() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        auto now = std::chrono::steady_clock::now();
        auto next = std::chrono::steady_clock::time_point::max();
        for (auto& [connection, open] : open_) {
            if (open.fd < 0) continue;
            if (open.deadline > now) {
                next = std::min(next, open.deadline);
                continue;
            }
            ::shutdown(open.fd, SHUT_RDWR);
            open.fd = -1;  // once
        }
        if (next == std::chrono::steady_clock::time_point::max())
            wake_.wait(lock);
        else
            wake_.wait_until(lock, next);
    }
}

MHD_Result HttpServer::on_request(void* self, MHD_Connection* connection, const char* url, const char* method,
                                  const char*, const char*, std::size_t* upload_size, void** request) {
    auto* server = static_cast<HttpServer*>(self);
    {
        // The header is complete: the connection has the rest of the request time.
        std::lock_guard lock(server->mutex_);
        auto found = server->open_.find(connection);
        if (found != server->open_.end() && found->second.fd >= 0)
            found->second.deadline = found->second.accepted + server->limits_.request_timeout;
    }
    // The first call comes with the header; answering then ignores any body (GET and HEAD have none, other
    // methods get 405 without their body being read).
    (void)request;
    (void)upload_size;
    const char* accept = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    Response r;
    try {
        r = server->handler_({method, url, accept == nullptr ? "" : accept});
    } catch (const std::exception& e) {
        r = Response{500, "text/plain; charset=utf-8", std::string("nod-exporter: ") + e.what() + "\n", {}};
    }
    MHD_Response* response = MHD_create_response_from_buffer(r.body.size(), r.body.data(), MHD_RESPMEM_MUST_COPY);
    if (response == nullptr) return MHD_NO;
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, r.content_type.c_str());
    for (const auto& [name, value] : r.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
    MHD_Result queued = MHD_queue_response(connection, r.status, response);
    MHD_destroy_response(response);
    return queued;
}

}  // namespace nod::exporter
