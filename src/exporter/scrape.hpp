// What nod-exporter answers to a request: GET or HEAD /metrics the exposition in the format the Accept
// header asks for, 404 elsewhere, 405 for other methods. Concurrent scrapes within `share` of one another
// share one snapshot, so that a flood of scrapes costs the collector at most one round of calls per
// `share`. Pure but for the injected fetch and clock; the HTTP thread calls it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/snapshot.hpp"

namespace nod::exporter {

struct Request {
    std::string_view method;
    std::string_view path;    // without the query string
    std::string_view accept;  // "" when absent
};

struct Response {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

class Scraper {
public:
    using Fetch = std::function<metrics::Snapshot()>;
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    Scraper(Fetch fetch, std::chrono::milliseconds share, Clock now = std::chrono::steady_clock::now);

    Response respond(const Request& request);

private:
    const metrics::Snapshot& snapshot();

    Fetch fetch_;
    std::chrono::milliseconds share_;
    Clock now_;
    std::optional<metrics::Snapshot> last_;
    std::chrono::steady_clock::time_point taken_{};
};

}  // namespace nod::exporter
