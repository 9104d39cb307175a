#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "collector/config.hpp"

namespace nod::collector {
namespace {

struct Args {
    std::map<std::string, std::string> env;
    ParsedConfig parse(std::vector<const char*> argv) const {
        argv.insert(argv.begin(), "nod-collector");
        return parse_config(static_cast<int>(argv.size()), argv.data(), [this](const char* name) -> const char* {
            auto it = env.find(name);
            return it == env.end() ? nullptr : it->second.c_str();
        });
    }
};

TEST(Config, DefaultsByHandAreInTheCurrentFolder) {
    auto c = Args{}.parse({}).config;
    ASSERT_TRUE(c);
    EXPECT_EQ(c->socket, "nod.sock");
    EXPECT_EQ(c->db, "nod.db");
    EXPECT_EQ(c->bus, BusKind::system);
    EXPECT_EQ(c->idle_exit_sec, 0u);
    EXPECT_EQ(c->retain_days, 0u);
    EXPECT_EQ(c->max_line_bytes, 1u << 20);
}

TEST(Config, UnderSystemdTheStateDirectoryHoldsTheDatabase) {
    auto c = Args{{{"STATE_DIRECTORY", "/var/lib/nod:/var/lib/other"}, {"INVOCATION_ID", "abc"}}}.parse({}).config;
    ASSERT_TRUE(c);
    EXPECT_EQ(c->db, "/var/lib/nod/nod.db");
    EXPECT_EQ(c->socket, "/run/nod.sock");
}

TEST(Config, FlagsBeatTheEnvironmentWhichBeatsDefaults) {
    Args a{{{"NOD_DB", "/env.db"}, {"NOD_SOCKET", "/env.sock"}, {"NOD_IDLE_EXIT_SEC", "30"}, {"NOD_RETAIN_DAYS", "180"}}};
    auto c = a.parse({"--db", "/flag.db", "--retain-days=7"}).config;
    ASSERT_TRUE(c);
    EXPECT_EQ(c->db, "/flag.db");
    EXPECT_EQ(c->socket, "/env.sock");
    EXPECT_EQ(c->idle_exit_sec, 30u);
    EXPECT_EQ(c->retain_days, 7u);
}

TEST(Config, BusChoices) {
    EXPECT_EQ(Args{}.parse({"--bus", "session"}).config->bus, BusKind::session);
    EXPECT_EQ(Args{}.parse({"--bus-address", "unix:path=/x"}).config->bus_address, "unix:path=/x");
    EXPECT_THROW(Args{}.parse({"--bus", "other"}), ConfigError);
}

TEST(Config, BadValuesNameTheFlagOrVariable) {
    try {
        Args{}.parse({"--idle-exit-sec", "soon"});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("idle-exit-sec"), std::string::npos) << e.what();
    }
    try {
        Args{{{"NOD_MAX_CONNECTIONS", "many"}}}.parse({});
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("NOD_MAX_CONNECTIONS=many"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Args{}.parse({"--max-line-bytes", "10"}), ConfigError);
    EXPECT_THROW(Args{}.parse({"--no-such-flag"}), ConfigError);
    EXPECT_THROW(Args{}.parse({"--query-timeout-sec", "0"}), ConfigError);
    EXPECT_THROW(Args{}.parse({"--max-connections-per-user", "0"}), ConfigError);
}

TEST(Config, BoundsOnUsersAndQueries) {
    Config defaults = *Args{}.parse({}).config;
    EXPECT_EQ(defaults.max_connections_per_user, 64u);
    EXPECT_EQ(defaults.query_timeout, std::chrono::seconds(10));
    Config set = *Args{{{"NOD_QUERY_TIMEOUT_SEC", "0.25"}}}.parse({"--max-connections-per-user", "3"}).config;
    EXPECT_EQ(set.max_connections_per_user, 3u);
    EXPECT_EQ(set.query_timeout, std::chrono::milliseconds(250));
}

TEST(Config, HelpAndVersionAnswerWithoutAConfig) {
    auto help = Args{}.parse({"--help"});
    EXPECT_FALSE(help.config);
    EXPECT_NE(help.output.find("--idle-exit-sec"), std::string::npos);
    EXPECT_NE(help.output.find("NOD_DB"), std::string::npos);
    auto version = Args{}.parse({"--version"});
    EXPECT_EQ(version.output, std::string("nod-collector ") + NOD_VERSION + "\n");
}

}  // namespace
}  // namespace nod::collector
