// nod-exporter end to end, with the real engine: the nix-2.30 corpus streams into a real collector on a
// private bus, nod-exporter is started by systemd-socket-activate on a free port, Debian's promtool checks
// what it serves, and a real Prometheus scrapes it every second and answers over its HTTP API. Then the
// exporter under bad requests. Nothing is mocked; Grafana alone does not run here (docs/metrics.md).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "collector_fixture.hpp"
#include "replay/capture.hpp"

namespace nod::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const fs::path exporter_binary = NOD_EXPORTER;
const fs::path nodctl_binary = NODCTL;
const fs::path metrics_doc = NOD_METRICS_DOC;
const fs::path man_page = NOD_EXPORTER_MAN;
const std::string promtool = NOD_PROMTOOL;
const std::string prometheus_binary = NOD_PROMETHEUS;
const std::vector<std::string> scenarios = {"h1-daemon-newcli", "h2-daemon-legacy", "h3-daemon-depfail",
                                            "h4-local-fail",    "h5-daemon-subst",  "h6-daemon-many",
                                            "h7-local-interrupt"};
// The exporter's histogram bounds (nod-exporter(8)), to say how far apart two quantiles are.
const std::array<double, 19> bounds = {0.1, 0.25, 0.5,  1,     2.5,   5,     10,    30,    60,   120,
                                       300, 600,  1800, 3600, 7200, 14400, 28800, 86400, 172800};

// ---- plain TCP, for requests no HTTP client would send ---------------------------------------------

// An owned socket descriptor.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

Fd connect_to(std::uint16_t port) {
    Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a = loopback_address(port);
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return Fd();
    return s;
}

// Sends what it can (the peer may close first) without SIGPIPE; false once the peer has gone.
bool send_all(const Fd& s, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(s.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads until the peer closes or `timeout` passes; `closed` says which.
struct Received {
    std::string bytes;
    bool closed = false;
};
Received receive_until_close(const Fd& s, std::chrono::milliseconds timeout) {
    Received r;
    auto deadline = Clock::now() + timeout;
    char buf[65536];
    while (Clock::now() < deadline) {
        pollfd p{s.get(), POLLIN, 0};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (::poll(&p, 1, static_cast<int>(std::max<long>(left, 1))) <= 0) continue;
        ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
        if (n <= 0) {
            r.closed = true;  // EOF or reset: either way the exporter let go
            return r;
        }
        r.bytes.append(buf, static_cast<std::size_t>(n));
    }
    return r;
}

// One request, the whole answer: "HTTP/1.1 200 OK\r\n..." (the exporter closes after each answer).
Received http_exchange(std::uint16_t port, const std::string& request, std::chrono::milliseconds timeout = 10s) {
    Fd s = connect_to(port);
    if (s.get() < 0) return {};
    send_all(s, request);
    return receive_until_close(s, timeout);
}

int status_of(const std::string& response) {
    static const std::regex status_line(R"(^HTTP/1\.[01] (\d{3}) )");
    std::smatch m;
    return std::regex_search(response, m, status_line) ? std::stoi(m[1]) : 0;
}

std::string body_of(const std::string& response) {
    auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? "" : response.substr(end + 4);
}

std::string get(std::uint16_t port, const std::string& path, const std::string& headers = "") {
    return http_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + "\r\n").bytes;
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A man page as text, its \- as plain dashes.
std::string man_text(const fs::path& page) {
    return std::regex_replace(read_text(page), std::regex(R"(\\-)"), "-");
}

std::size_t open_fds(pid_t pid) {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
        ++n;
    return n;
}

// ---- Prometheus' HTTP API -----------------------------------------------------------------------------

// Percent-encodes a query for a URL.
std::string url_encode(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

struct QueryAnswer {
    std::string status;  // "success" or "error"
    std::string error;
    std::vector<double> values;  // one per series of a vector result, or the scalar
    std::string raw;
};

QueryAnswer parse_answer(const std::string& body) {
    QueryAnswer a;
    a.raw = body;
    rapidjson::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("status")) {
        a.status = "unparsable";
        return a;
    }
    a.status = d["status"].GetString();
    if (d.HasMember("error")) a.error = d["error"].GetString();
    if (a.status != "success") return a;
    const auto& data = d["data"];
    std::string type = data["resultType"].GetString();
    auto number = [](const rapidjson::Value& pair) { return std::stod(pair[1].GetString()); };
    if (type == "vector") {
        for (const auto& series : data["result"].GetArray()) a.values.push_back(number(series["value"]));
    } else if (type == "scalar") {
        a.values.push_back(number(data["result"]));
    }
    return a;
}

// A Prometheus server of our own: its config, its TSDB and its port, for as long as the object lives.
class Prometheus {
public:
    Prometheus(const fs::path& dir, std::uint16_t target_port) : port_(free_loopback_port()) {
        fs::create_directories(dir / "tsdb");
        std::ofstream(dir / "prometheus.yml") << "global:\n"
                                                 "  scrape_interval: 1s\n"
                                                 "  evaluation_interval: 1s\n"
                                                 "scrape_configs:\n"
                                                 "  - job_name: nod\n"
                                                 "    static_configs:\n"
                                                 "      - targets: ['127.0.0.1:"
                                              << target_port << "']\n";
        process_.emplace(std::vector<std::string>{prometheus_binary, "--config.file=" + (dir / "prometheus.yml").string(),
                                                  "--storage.tsdb.path=" + (dir / "tsdb").string(),
                                                  "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                         Env{}, dir / "prometheus.log");
        log_ = dir / "prometheus.log";
    }

    QueryAnswer query(const std::string& promql) const {
        std::string response = get(port_, "/api/v1/query?query=" + url_encode(promql));
        return parse_answer(body_of(response));
    }
    // The one value of a query, once Prometheus has it; NaN if it never does.
    double value(const std::string& promql, std::chrono::milliseconds timeout = 20s) const {
        double v = std::nan("");
        eventually(
            [&] {
                auto a = query(promql);
                if (a.values.size() != 1) return false;
                v = a.values[0];
                return true;
            },
            timeout);
        return v;
    }
    std::string log_text() const {
        std::ifstream in(log_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    std::uint16_t port_;
    fs::path log_;
    std::optional<Process> process_;
};

// ---- the fixture: a collector, and nod-exporter on a socket systemd-socket-activate holds -------------

class ExporterTest : public CollectorTest {
protected:
    std::uint16_t port = 0;
    std::optional<Process> exporter;

    void SetUp() override {
        ASSERT_FALSE(promtool.empty()) << "promtool is missing: scripts/setup installs Debian's prometheus";
        ASSERT_FALSE(prometheus_binary.empty()) << "prometheus is missing: scripts/setup installs it";
    }

    void start_exporter(std::vector<std::string> extra = {}) {
        port = free_loopback_port();
        std::vector<std::string> argv = {"systemd-socket-activate", "--listen=127.0.0.1:" + std::to_string(port),
                                         exporter_binary.string(), "--bus-address", bus.address()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        exporter.emplace(argv, Env{}, dir / "exporter.log");
        ASSERT_TRUE(eventually([&] { return status_of(get(port, "/metrics")) == 200; })) << exporter_log();
    }

    std::string exporter_log() const {
        std::ifstream in(dir / "exporter.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    CommandResult nodctl(std::vector<std::string> args) const {
        args.insert(args.begin(), nodctl_binary.string());
        return run(args, {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}, {"LC_ALL", "C.UTF-8"}});
    }

    // The corpus through the collector's socket, every connection at its recorded pace and all at once,
    // as Nix sends it; returns when the collector has stored every row.
    void stream_corpus() {
        std::vector<replay::CapturedConnection> all;
        for (const auto& s : scenarios) {
            auto conns = replay::load_capture_folder(corpus / "nix-2.30" / s);
            all.insert(all.end(), conns.begin(), conns.end());
        }
        replay::send_to_socket(all, socket);
        std::size_t expected = 2;  // the two substitutions of h5, and the builds of truth.log
        for (const auto& s : scenarios) expected += replay::load_truth(corpus / "nix-2.30" / s / "truth.log").size();
        ASSERT_TRUE(eventually([&] { return property_rows() == expected; }, 20s)) << property_rows() << "\n" << log_text();
    }

    // The row of `kind` in `nodctl stats -o json`.
    rapidjson::Document stats_json() const {
        auto r = nodctl({"stats", "--output", "json"});
        EXPECT_EQ(r.status, 0) << r.err;
        rapidjson::Document d;
        d.Parse(r.out.c_str());
        return d;
    }
    static const rapidjson::Value* kind_row(const rapidjson::Document& d, const char* kind) {
        for (const auto& row : d["rows"].GetArray())
            if (std::string(row["kind"].GetString()) == kind) return &row;
        return nullptr;
    }

    // The collector still answers, promptly.
    void expect_collector_answers() const {
        auto r = nodctl({"stats", "--output", "json"});
        EXPECT_EQ(r.status, 0) << r.err;
    }
};

// promtool check metrics reads the exposition of a collector holding the corpus: text 0.0.4 and
// OpenMetrics 1.0 alike.
TEST_F(ExporterTest, PromtoolAcceptsBothFormats) {
    start();
    ASSERT_NO_FATAL_FAILURE(stream_corpus());
    ASSERT_NO_FATAL_FAILURE(start_exporter());

    std::string text = get(port, "/metrics");
    ASSERT_EQ(status_of(text), 200) << text;
    EXPECT_NE(text.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos) << text;
    std::string openmetrics = get(port, "/metrics", "Accept: application/openmetrics-text; version=1.0.0\r\n");
    ASSERT_EQ(status_of(openmetrics), 200) << openmetrics;
    EXPECT_NE(openmetrics.find("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8\r\n"),
              std::string::npos);
    EXPECT_TRUE(body_of(openmetrics).ends_with("# EOF\n"));

    auto check = [&](const std::string& format, const std::string& response) {
        fs::path file = dir / (format + ".prom");
        std::ofstream(file) << body_of(response);
        return run({"sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, file.string()});
    };
    auto checked = check("text", text);
    EXPECT_EQ(checked.status, 0) << checked.out << checked.err << body_of(text);
    EXPECT_EQ(checked.out + checked.err, "") << "no lint findings either";

    // promtool 2.42 reads OpenMetrics with its text-format parser and linter: it parses (exit 1 would be a
    // parse error), but a counter family `F` (OpenMetrics names it without _total) has samples `F_total`,
    // which the linter takes for a family of its own without HELP (exit 3). Exactly those findings, one per
    // counter with samples, and nothing else.
    checked = check("openmetrics", openmetrics);
    std::string expected;
    std::regex counter_type(R"(^# TYPE (\S+) counter$)", std::regex::multiline);
    std::string om = body_of(openmetrics);
    std::vector<std::string> counters;
    for (auto it = std::sregex_iterator(om.begin(), om.end(), counter_type); it != std::sregex_iterator(); ++it)
        if (om.find("\n" + (*it)[1].str() + "_total") != std::string::npos)  // a family with samples
            counters.push_back((*it)[1].str() + "_total no help text\n");
    std::sort(counters.begin(), counters.end());
    for (const auto& c : counters) expected += c;
    EXPECT_GE(counters.size(), 7u);
    EXPECT_EQ(checked.status, 3) << checked.out << checked.err << om;
    EXPECT_EQ(checked.out + checked.err, expected) << om;
    // nod-exporter(8) documents every family it serves.
    std::string man = man_text(man_page);
    std::regex family(R"(^# TYPE (\S+) )", std::regex::multiline);
    std::string served = body_of(text);
    int families = 0;
    for (auto it = std::sregex_iterator(served.begin(), served.end(), family); it != std::sregex_iterator(); ++it, ++families)
        EXPECT_NE(man.find((*it)[1].str()), std::string::npos) << (*it)[1].str() << " is not in " << man_page;
    EXPECT_GE(families, 14);

    // nodctl metrics prints what the exporter serves (the snapshot aside: the same counters).
    auto printed = nodctl({"metrics"});
    EXPECT_EQ(printed.status, 0) << printed.err;
    std::regex activity_lines(R"(^nod_activities_total\{.*$)", std::regex::multiline);
    auto lines = [&](const std::string& s) {
        std::string out;
        for (auto it = std::sregex_iterator(s.begin(), s.end(), activity_lines); it != std::sregex_iterator(); ++it)
            out += it->str() + "\n";
        return out;
    };
    EXPECT_EQ(lines(printed.out), lines(body_of(text)));
    EXPECT_NE(lines(printed.out), "");
}

// A real Prometheus scrapes the exporter every second; its answers match nodctl's, and survive a Clean.
TEST_F(ExporterTest, PrometheusAgreesWithNodctlAndCountersOutliveClean) {
    start();
    ASSERT_NO_FATAL_FAILURE(stream_corpus());
    ASSERT_NO_FATAL_FAILURE(start_exporter());
    TempDir prometheus_dir;
    Prometheus prom(prometheus_dir.path(), port);

    auto stats = stats_json();
    const rapidjson::Value* build = kind_row(stats, "build");
    const rapidjson::Value* substitute = kind_row(stats, "substitute");
    ASSERT_TRUE(build && substitute);
    auto builds = static_cast<double>((*build)["count"].GetUint64());
    auto failed = static_cast<double>((*build)["failed"].GetUint64());
    ASSERT_GT(builds, 20.0);
    ASSERT_GT(failed, 0.0);

    ASSERT_EQ(prom.value("nod_up"), 1.0) << prom.log_text();
    EXPECT_EQ(prom.value(R"(sum(nod_activities_total{kind="build"}))"), builds);
    EXPECT_EQ(prom.value(R"(sum(nod_activities_total{kind="build",outcome="failed"}))"), failed);
    EXPECT_EQ(prom.value(R"(sum(nod_substitutions_total))"), static_cast<double>((*substitute)["count"].GetUint64()));
    EXPECT_EQ(prom.value(R"(sum(nod_transferred_bytes_total{kind="substitute",direction="in"}))"),
              static_cast<double>((*substitute)["bytes"].GetUint64()));
    EXPECT_EQ(prom.value(R"(nod_rows)"), static_cast<double>(property_rows()));

    // The median from the histogram's buckets lands in nodctl's p50's bucket or a neighbour.
    double p50 = (*build)["p50_seconds"].GetDouble();
    double estimated = prom.value(R"(histogram_quantile(0.5, sum by (le) (nod_activity_duration_seconds_bucket{kind="build"})))");
    auto bucket = [](double seconds) { return std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin(); };
    EXPECT_LE(std::abs(bucket(estimated) - bucket(p50)), 1) << "histogram " << estimated << " s, nodctl " << p50 << " s";

    // Every query of docs/metrics.md's PromQL section runs (the Grafana dashboard's among them).
    std::ifstream doc(metrics_doc);
    ASSERT_TRUE(doc) << metrics_doc;
    std::string line, block;
    bool in_promql = false, in_block = false;
    int blocks = 0;
    while (std::getline(doc, line)) {
        if (line.starts_with("## ")) in_promql = line == "## PromQL";
        if (!in_promql) continue;
        if (!in_block && line == "```promql") {
            in_block = true;
            block.clear();
        } else if (in_block && line == "```") {
            in_block = false;
            ++blocks;
            auto a = prom.query(block);
            EXPECT_EQ(a.status, "success") << block << "\n" << a.raw;
        } else if (in_block) {
            block += line + "\n";
        }
    }
    EXPECT_GE(blocks, 8) << "the PromQL section's queries";

    // Clean deletes every row; no counter goes down, and the scrape after it says so.
    auto clean = nodctl({"clean"});
    ASSERT_EQ(clean.status, 0) << clean.err;
    ASSERT_TRUE(eventually([&] { return prom.value("nod_rows", 2s) == 0.0; }, 20s)) << "Prometheus saw the clean";
    auto after = stats_json();
    const rapidjson::Value* build_after = kind_row(after, "build");
    EXPECT_TRUE(build_after == nullptr || (*build_after)["count"].GetUint64() == 0) << "nodctl sees no builds now";
    EXPECT_EQ(prom.value(R"(sum(nod_activities_total{kind="build"}))"), builds);
    EXPECT_EQ(prom.value(R"(sum(nod_activities_total{kind="build",outcome="failed"}))"), failed);
    EXPECT_EQ(prom.value(R"(sum(resets(nod_activities_total[1m])) + sum(resets(nod_activity_duration_seconds_count[1m])))"), 0.0);
    EXPECT_EQ(prom.value(R"(sum(nod_activity_duration_seconds_count{kind="build"}))"), builds);
}

// Without a collector the exporter still answers: nod_up 0, and Prometheus sees it.
TEST_F(ExporterTest, WithoutTheCollectorNodUpIsZero) {
    ASSERT_NO_FATAL_FAILURE(start_exporter());
    std::string response = get(port, "/metrics");
    EXPECT_EQ(status_of(response), 200);
    EXPECT_NE(body_of(response).find("\nnod_up 0\n"), std::string::npos) << response;
    auto printed = nodctl({"metrics"});
    EXPECT_EQ(printed.status, 1);
    EXPECT_NE(printed.out.find("\nnod_up 0\n"), std::string::npos) << printed.out;
    EXPECT_NE(printed.err, "");
}

// nodctl metrics --file, for node_exporter's textfile collector: a whole file or none, mode 0644, nothing
// left beside it, and a symbolic link in its place replaced rather than followed.
TEST_F(ExporterTest, NodctlMetricsFileIsWrittenAtomically) {
    start();
    fs::path folder = dir / "textfile";
    fs::create_directory(folder);
    fs::path target = folder / "nod.prom";
    auto written = nodctl({"metrics", "--file", target.string()});
    ASSERT_EQ(written.status, 0) << written.err;
    EXPECT_EQ(written.out, "");
    EXPECT_EQ(fs::status(target).permissions(), fs::perms(0644));
    std::string first = read_text(target);
    EXPECT_NE(first.find("\nnod_up 1\n"), std::string::npos) << first;
    EXPECT_TRUE(first.starts_with("# HELP "));

    fs::path elsewhere = dir / "elsewhere";
    std::ofstream(elsewhere) << "keep\n";
    fs::remove(target);
    fs::create_symlink(elsewhere, target);
    ASSERT_EQ(nodctl({"metrics", "--file", target.string()}).status, 0);
    EXPECT_FALSE(fs::is_symlink(target)) << "the link is replaced";
    EXPECT_EQ(read_text(elsewhere), "keep\n") << "not written through";

    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"nod.prom"}) << "no temporary file left";

    // Not a regular file: refused, left as it is (a rename would replace the node itself).
    fs::path fifo = folder / "fifo.prom";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
    fs::path to_fifo = folder / "to-fifo.prom";
    fs::create_symlink(fifo, to_fifo);
    for (const fs::path& p : {fifo, to_fifo}) {
        auto refused = nodctl({"metrics", "--file", p.string()});
        EXPECT_EQ(refused.status, 1) << p;
        EXPECT_NE(refused.err.find("it is a FIFO, not a regular file"), std::string::npos) << refused.err;
    }
    EXPECT_TRUE(fs::is_fifo(fifo));
    EXPECT_TRUE(fs::is_symlink(to_fifo));
    fs::remove(fifo);
    fs::remove(to_fifo);

    auto missing = nodctl({"metrics", "--file", (dir / "no-such-folder" / "nod.prom").string()});
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find((dir / "no-such-folder" / "nod.prom").string()), std::string::npos) << missing.err;
    EXPECT_NE(missing.err.find("No such file or directory"), std::string::npos) << missing.err;

    // Without the collector the file still says so (nod_up 0), and nodctl fails.
    ASSERT_EQ(stop(), 0);
    auto down = nodctl({"metrics", "--file", target.string()});
    EXPECT_EQ(down.status, 1);
    EXPECT_NE(read_text(target).find("\nnod_up 0\n"), std::string::npos);
}

// nod-exporter(8) names every option of --help.
TEST(ExporterManPage, CoversEveryOption) {
    auto help = run({exporter_binary.string(), "--help"});
    ASSERT_EQ(help.status, 0) << help.err;
    std::string man = man_text(man_page);
    std::regex flag(R"(--[a-z][a-z-]*)");
    std::set<std::string> flags;
    for (auto it = std::sregex_iterator(help.out.begin(), help.out.end(), flag); it != std::sregex_iterator(); ++it)
        flags.insert(it->str());
    EXPECT_GE(flags.size(), 6u) << help.out;
    for (const auto& f : flags) EXPECT_NE(man.find(f), std::string::npos) << f << " is not in " << man_page;
}

// Connections that send nothing hold a slot only until the header deadline (2 s), not the request time:
// with every slot taken by silent clients, a scrape still gets through well before the request timeout.
TEST_F(ExporterTest, SilentConnectionsGiveUpTheirSlotsEarly) {
    start();
    ASSERT_NO_FATAL_FAILURE(start_exporter({"--request-timeout-sec", "30", "--max-connections", "4"}));
    std::vector<Fd> silent;
    for (int i = 0; i < 12; ++i) silent.push_back(connect_to(port));  // three rounds of four slots
    auto started = Clock::now();
    Received scrape = http_exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 25s);
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    EXPECT_EQ(status_of(scrape.bytes), 200) << scrape.bytes.substr(0, 200);
    EXPECT_LT(waited, 15s) << "three rounds of silent clients at 2 s each, not at the 30 s request timeout";
    EXPECT_TRUE(receive_until_close(silent.front(), 1s).closed) << "the first silent client was let go";
}

// ---- bad requests ---------------------------------------------------------------------------------------

class ExporterUnderAttack : public ExporterTest {
protected:
    static constexpr int timeout_sec = 2;
    static constexpr int max_connections = 8;

    void SetUp() override {
        ExporterTest::SetUp();
        start();
        ASSERT_NO_FATAL_FAILURE(start_exporter({"--request-timeout-sec", std::to_string(timeout_sec),
                                                "--max-connections", std::to_string(max_connections)}));
    }
    void TearDown() override {
        // It is still there, serves a scrape, and the collector noticed nothing.
        EXPECT_TRUE(exporter->running()) << exporter_log();
        EXPECT_TRUE(eventually([&] { return status_of(get(port, "/metrics")) == 200; }, 3s * timeout_sec)) << exporter_log();
        expect_collector_answers();
    }
};

TEST_F(ExporterUnderAttack, OtherMethodsGet405) {
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FROB"}) {
        SCOPED_TRACE(method);
        std::string response =
            http_exchange(port, std::string(method) + " /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").bytes;
        EXPECT_EQ(status_of(response), 405) << response;
        EXPECT_NE(response.find("\r\nAllow: GET, HEAD\r\n"), std::string::npos) << response;
        EXPECT_EQ(response.find("nod_up"), std::string::npos);
    }
    std::string head = http_exchange(port, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n").bytes;
    EXPECT_EQ(status_of(head), 200) << head;
    EXPECT_EQ(body_of(head), "") << "HEAD has no body";
    EXPECT_EQ(status_of(get(port, "/")), 404);
    EXPECT_EQ(status_of(get(port, "/metrics/../etc/passwd")), 404);
}

// A 1 MB header: refused (431) or the connection closed, never served, and the exporter's memory stays small.
TEST_F(ExporterUnderAttack, AHugeHeaderIsRefused) {
    long before = peak_rss_kib(exporter->pid());
    for (int i = 0; i < 4; ++i) {
        Fd s = connect_to(port);
        ASSERT_GE(s.get(), 0);
        send_all(s, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n");
        Received r = receive_until_close(s, 5s);
        EXPECT_TRUE(r.closed) << "closed, not left hanging";
        int status = status_of(r.bytes);
        EXPECT_TRUE(status == 0 || status == 431 || status == 413 || status == 400) << r.bytes.substr(0, 200);
        EXPECT_EQ(r.bytes.find("nod_up"), std::string::npos) << "not served";
    }
    long after = peak_rss_kib(exporter->pid());
    EXPECT_LT(after - before, 4 * 1024) << "KiB more at its peak, for four 1 MB headers";
}

// A client that sends a byte at a time, never finishing its request, is closed at the request timeout
// however busy it keeps the connection; others are served meanwhile.
TEST_F(ExporterUnderAttack, ASlowlorisClientIsClosed) {
    Fd s = connect_to(port);
    ASSERT_GE(s.get(), 0);
    auto opened = Clock::now();
    ASSERT_TRUE(send_all(s, "GET /metrics HTTP/1.1\r\nHost: x\r\n"));
    bool closed = false;
    std::string trickle = "X-Slow: ";
    for (int i = 0; Clock::now() - opened < std::chrono::seconds(4 * timeout_sec); ++i) {
        if (!send_all(s, std::string(1, trickle[static_cast<std::size_t>(i) % trickle.size()]))) {
            closed = true;
            break;
        }
        Received r = receive_until_close(s, 100ms);
        if (r.closed) {
            closed = true;
            break;
        }
        if (i == 3) {
            EXPECT_EQ(status_of(get(port, "/metrics")), 200) << "another client is served meanwhile";
        }
    }
    auto held = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened);
    EXPECT_TRUE(closed) << "still open after " << held.count() << " ms";
    EXPECT_GE(held, std::chrono::seconds(timeout_sec) - 100ms) << "not before the timeout";
}

// 1 000 connections at once (fewer where the fd limit is lower): the exporter holds at most
// --max-connections of them, its descriptors stay bounded, and once they go it serves again.
TEST_F(ExporterUnderAttack, AThousandConnectionsStayBounded) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 4096);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    std::size_t wanted = std::min<std::size_t>(1000, limit.rlim_cur > 100 ? limit.rlim_cur - 100 : 0);
    ASSERT_GE(wanted, 500u) << "the fd limit leaves too few for the test";

    std::size_t fds_before = open_fds(exporter->pid());
    std::vector<Fd> clients;
    for (std::size_t i = 0; i < wanted; ++i) {
        Fd s = connect_to(port);  // the kernel's backlog takes what the exporter does not accept yet
        if (s.get() < 0) break;
        send_all(s, "GET /metrics HTTP/1.1\r\nHost: x\r\n");  // and never the end of the header
        clients.push_back(std::move(s));
    }
    EXPECT_GE(clients.size(), std::size_t{max_connections});
    std::size_t peak = 0;
    for (int i = 0; i < 10; ++i) {
        peak = std::max(peak, open_fds(exporter->pid()));
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_LE(peak, fds_before + max_connections) << "descriptors with " << clients.size() << " clients";
    expect_collector_answers();
    clients.clear();
    // TearDown: a scrape is served again within the timeout.
}

}  // namespace
}  // namespace nod::test
