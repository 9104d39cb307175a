// nod-exporter's answers without the network: routes, formats and the shared snapshot.
#include "exporter/scrape.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "exporter/listen_address.hpp"
#include "exporter/options.hpp"

namespace nod::exporter {
namespace {

struct Fixture : ::testing::Test {
    int fetches = 0;
    std::chrono::steady_clock::time_point now{};
    Scraper scraper{[this] {
                        ++fetches;
                        metrics::Snapshot s;
                        s.up = true;
                        s.health.rows = static_cast<std::uint64_t>(fetches);
                        return s;
                    },
                    std::chrono::milliseconds(1000), [this] { return now; }};
};

using ScrapeTest = Fixture;

TEST_F(ScrapeTest, GetAndHeadServeMetrics) {
    Response r = scraper.respond({"GET", "/metrics", ""});
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(r.body.find("nod_up 1\n"), std::string::npos);
    Response head = scraper.respond({"HEAD", "/metrics", ""});
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.body, r.body);  // libmicrohttpd sends its length, not the body
}

TEST_F(ScrapeTest, OpenMetricsWhenAsked) {
    Response r = scraper.respond({"GET", "/metrics", "application/openmetrics-text;version=1.0.0"});
    EXPECT_EQ(r.content_type, "application/openmetrics-text; version=1.0.0; charset=utf-8");
    EXPECT_TRUE(r.body.ends_with("# EOF\n"));
}

TEST_F(ScrapeTest, OtherPathsAndMethods) {
    EXPECT_EQ(scraper.respond({"GET", "/", ""}).status, 404u);
    EXPECT_EQ(scraper.respond({"GET", "/metrics/", ""}).status, 404u);
    EXPECT_EQ(scraper.respond({"GET", "/metricsx", ""}).status, 404u);
    Response post = scraper.respond({"POST", "/metrics", ""});
    EXPECT_EQ(post.status, 405u);
    ASSERT_EQ(post.headers.size(), 1u);
    EXPECT_EQ(post.headers[0], std::make_pair(std::string("Allow"), std::string("GET, HEAD")));
    EXPECT_EQ(scraper.respond({"DELETE", "/x", ""}).status, 405u);
    EXPECT_EQ(fetches, 0);  // none of these asked the collector
}

TEST_F(ScrapeTest, ScrapesWithinOneSecondShareOneSnapshot) {
    scraper.respond({"GET", "/metrics", ""});
    now += std::chrono::milliseconds(999);
    Response second = scraper.respond({"GET", "/metrics", ""});
    EXPECT_EQ(fetches, 1);
    EXPECT_NE(second.body.find("nod_rows 1\n"), std::string::npos);
    now += std::chrono::milliseconds(1);
    Response third = scraper.respond({"GET", "/metrics", ""});
    EXPECT_EQ(fetches, 2);
    EXPECT_NE(third.body.find("nod_rows 2\n"), std::string::npos);
}

TEST(ListenAddress, Parses) {
    ListenAddress v4 = parse_listen_address("127.0.0.1:8463");
    ASSERT_EQ(v4.address.ss_family, AF_INET);
    EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in*>(&v4.address)->sin_port), 8463);
    ListenAddress v6 = parse_listen_address("[::1]:9");
    ASSERT_EQ(v6.address.ss_family, AF_INET6);
    EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in6*>(&v6.address)->sin6_port), 9);
    EXPECT_EQ(parse_listen_address("0.0.0.0:1").address.ss_family, AF_INET);
}

TEST(ListenAddress, RefusesWhatIsNotAnAddress) {
    for (const char* bad : {"", "8463", ":8463", "localhost:8463", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                            "127.0.0.1:84x", "::1:8463", "[::1]", "[nope]:1", "1.2.3.4.5:1"})
        EXPECT_THROW(parse_listen_address(bad), AddressError) << bad;
}

ParsedOptions parse(std::vector<const char*> args) {
    args.insert(args.begin(), "nod-exporter");
    return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(ExporterOptions, DefaultsAndLimits) {
    Options o = *parse({}).options;
    EXPECT_EQ(o.listen, "127.0.0.1:8463");
    EXPECT_EQ(o.limits.max_connections, 32u);
    EXPECT_EQ(o.limits.request_timeout, std::chrono::seconds(10));
    EXPECT_EQ(o.bus_timeout, std::chrono::milliseconds(3333)) << "both calls of a scrape end before the request's timeout";
    o = *parse({"--listen", "[::1]:9000", "--max-connections", "4", "--request-timeout-sec", "2"}).options;
    EXPECT_EQ(o.listen, "[::1]:9000");
    EXPECT_EQ(o.limits.max_connections, 4u);
    EXPECT_EQ(o.limits.request_timeout, std::chrono::seconds(2));
    EXPECT_EQ(o.bus_timeout, std::chrono::milliseconds(666));
    EXPECT_EQ(parse({"--request-timeout-sec", "60"}).options->bus_timeout, std::chrono::seconds(5));
    EXPECT_FALSE(parse({"--help"}).options);
    EXPECT_NE(parse({"--help"}).output.find("--request-timeout-sec"), std::string::npos);
}

TEST(ExporterOptions, RefusesNonsense) {
    EXPECT_THROW(parse({"--listen", "localhost"}), OptionsError);
    EXPECT_THROW(parse({"--max-connections", "0"}), OptionsError);
    EXPECT_THROW(parse({"--max-connections", "-1"}), OptionsError);
    EXPECT_THROW(parse({"--request-timeout-sec", "0"}), OptionsError);
    EXPECT_THROW(parse({"--frobnicate"}), OptionsError);
}

}  // namespace
}  // namespace nod::exporter
