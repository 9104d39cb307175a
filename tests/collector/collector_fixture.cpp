#include "collector_fixture.hpp"

#include <fstream>
#include <sstream>

#include "store/database.hpp"
#include "store/row_reader.hpp"

namespace nod::test {

namespace fs = std::filesystem;

namespace {

// The shipped unit runs with retention on, so every test does too.
void with_retention(std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a.starts_with("--retain-days")) return;
    args.insert(args.end(), {"--retain-days", "3650"});
}

}  // namespace

void CollectorTest::start(std::vector<std::string> extra) {
    notify.emplace(dir / ("notify-" + std::to_string(std::rand())));
    std::vector<std::string> argv = {collector_binary.string(), "--socket", socket.string(), "--db", db.string()};
    with_retention(extra);
    argv.insert(argv.end(), extra.begin(), extra.end());
    Env env = bus_env();
    env["NOTIFY_SOCKET"] = notify->path().string();
    collector.emplace(argv, env, log);
    ASSERT_TRUE(notify->wait_for("READY=1")) << log_text();
}

void CollectorTest::spawn(std::vector<std::string> wrapper, std::vector<std::string> extra,
                          std::optional<RunAs> as) {
    notify.emplace(dir / ("notify-" + std::to_string(std::rand())));
    // Whoever the collector runs as must be able to send READY=1.
    std::filesystem::permissions(notify->path(), std::filesystem::perms::all);
    std::vector<std::string> argv = std::move(wrapper);
    fs::path program = as ? copy_for_anyone(collector_binary, dir.path()) : collector_binary;
    for (const auto& a : {program.string(), std::string("--socket"), socket.string(), std::string("--db"), db.string()})
        argv.push_back(a);
    with_retention(extra);
    argv.insert(argv.end(), extra.begin(), extra.end());
    Env env = bus_env();
    env["NOTIFY_SOCKET"] = notify->path().string();
    collector.emplace(argv, env, log, as);
}

int CollectorTest::stop() {
    collector->signal(SIGTERM);
    auto status = collector->wait(20s);
    return status.value_or(-1);
}

std::string CollectorTest::log_text() const {
    std::ifstream in(log);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

CommandResult CollectorTest::busctl(std::vector<std::string> args, std::optional<RunAs> as) const {
    std::vector<std::string> argv = {"busctl", "--system"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, bus_env(), as);
}

CommandResult CollectorTest::call(const std::string& method, std::vector<std::string> args,
                                  std::optional<RunAs> as) const {
    std::vector<std::string> argv = {"--json=short", "call", "net.bergsoe.Nod1", "/net/bergsoe/Nod1",
                                     "net.bergsoe.Nod1", method};
    argv.insert(argv.end(), args.begin(), args.end());
    return busctl(argv, as);
}

std::uint64_t CollectorTest::property_rows() const {
    auto r = busctl({"get-property", "net.bergsoe.Nod1", "/net/bergsoe/Nod1", "net.bergsoe.Nod1", "Rows"});
    if (r.status != 0 || !r.out.starts_with("t ")) return 0;
    return std::stoull(r.out.substr(2));
}

std::vector<DbRow> CollectorTest::rows() const {
    std::vector<DbRow> out;
    store::Database database(db, store::Access::read_only);
    store::for_each_row(database, [&](const store::StoredRow& s) {
        DbRow r;
        r.kind = std::string(to_string(s.row.kind));
        r.name = s.row.name;
        if (s.row.duration) r.seconds = static_cast<double>(*s.row.duration) / 1e6;
        r.outcome = std::string(to_string(s.row.outcome));
        r.bytes = s.row.bytes;
        r.pid = s.row.pid;
        out.push_back(r);
    });
    return out;
}

}  // namespace nod::test
