// nod-exporter's HTTP side: libmicrohttpd on the listening socket, one internal thread that reads requests
// and answers them through the handler, within bounds: at most `max_connections` at once (more wait in
// the kernel's backlog), a request header that fits `header_memory` (else 431 or a close), and
// `request_timeout` from accept to close, whatever the client sends (a slowloris client is cut off), and
// `header_timeout` to a complete request header, kept by a watchdog thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <microhttpd.h>

#include "collector/unique_fd.hpp"
#include "exporter/scrape.hpp"

namespace nod::exporter {

struct Limits {
    unsigned max_connections = 32;
    std::chrono::seconds request_timeout{10};
    // From accept to a complete request header (at most request_timeout): Prometheus sends it at once, and
    // connections that send nothing must not hold the few slots for the whole request time.
    std::chrono::seconds header_timeout{2};
    std::size_t header_memory = 32 * 1024;  // libmicrohttpd's per-connection memory pool
};

class HttpServer {
public:
    using Handler = std::function<Response(const Request&)>;

    // Starts serving `listening` (bound, listening, non-blocking); throws std::runtime_error when
    // libmicrohttpd cannot start.
    HttpServer(UniqueFd listening, const Limits& limits, Handler handler);
    ~HttpServer();  // stops accepting, closes every connection, joins both threads
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Connections open now (the watchdog's count).
    std::size_t connections() const;

private:
    struct Open {
        int fd;
        std::chrono::steady_clock::time_point accepted, deadline;
    };

    static MHD_Result on_request(void* self, MHD_Connection* connection, const char* url, const char* method,
                                 const char* version, const char* upload_data, std::size_t* upload_size,
                                 void** request);
    static void on_connection(void* self, MHD_Connection* connection, void** socket_context,
                              MHD_ConnectionNotificationCode what);
    void watch();

    const Limits limits_;
    Handler handler_;

    // Shared by libmicrohttpd's thread (adds and removes) and the watchdog (cuts off); guarded by mutex_.
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::map<MHD_Connection*, Open> open_;
    bool stopping_ = false;

    MHD_Daemon* daemon_ = nullptr;  // owns the listening socket; stopped first in the destructor
    std::thread watchdog_;          // last: starts when everything above is ready
};

}  // namespace nod::exporter
