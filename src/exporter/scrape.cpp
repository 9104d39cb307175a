#include "exporter/scrape.hpp"

#include "metrics/accept.hpp"
#include "metrics/exposition.hpp"

namespace nod::exporter {

Scraper::Scraper(Fetch fetch, std::chrono::milliseconds share, Clock now)
    : fetch_(std::move(fetch)), share_(share), now_(std::move(now)) {}

const metrics::Snapshot& Scraper::snapshot() {
    auto now = now_();
    if (!last_ || now - taken_ >= share_) {
        last_ = fetch_();
        // From when the answer came: a slow collector is not asked again at once.
        taken_ = now_();
    }
    return *last_;
}

Response Scraper::respond(const Request& request) {
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    if (request.method != "GET" && request.method != "HEAD") {
        r.status = 405;
        r.headers.emplace_back("Allow", "GET, HEAD");
        r.body = "nod-exporter serves GET and HEAD only\n";
        return r;
    }
    if (request.path != "/metrics") {
        r.status = 404;
        r.body = "nod-exporter serves /metrics only\n";
        return r;
    }
    metrics::Format format = metrics::negotiate(request.accept);
    r.content_type = std::string(metrics::content_type(format));
    r.body = metrics::render(snapshot(), format);
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Vary", "Accept");
    return r;
}

}  // namespace nod::exporter
