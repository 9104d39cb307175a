// A real nod-collector on a private bus, with its own socket and database.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/processes.hpp"

namespace nod::test {

inline const std::filesystem::path collector_binary = NOD_COLLECTOR;
inline const std::filesystem::path policy_dir = NOD_POLICY_DIR;
inline const std::filesystem::path corpus = std::filesystem::path(NOD_TEST_DATA) / "corpus";

// The shipped policy gives the name to user "nod"; the tests run the collector as themselves, root or not.
inline const std::string collector_may_own = this_user_may_own("net.bergsoe.Nod1");

struct DbRow {
    std::string kind, name;
    std::optional<double> seconds;
    std::string outcome;
    std::uint64_t bytes = 0;
    std::int64_t pid = 0;
};

class CollectorTest : public ::testing::Test {
protected:
    TempDir dir;
    PrivateBus bus{policy_dir, collector_may_own};
    std::filesystem::path socket = dir / "nod.sock";
    std::filesystem::path db = dir / "nod.db";
    std::filesystem::path log = dir / "collector.log";
    std::optional<NotifySocket> notify;
    std::optional<Process> collector;

    Env bus_env() const { return {{"DBUS_SYSTEM_BUS_ADDRESS", bus.address()}}; }

    // Starts nod-collector listening on its own socket and waits for READY=1. Retention is on (ten years,
    // unless `extra` sets --retain-days), as in the shipped unit.
    void start(std::vector<std::string> extra = {});
    // Starts nod-collector like start(), behind `wrapper` (a command that ends by exec'ing the rest of its
    // arguments, e.g. unshare) and as user `as` (a copy of the collector any user may run), without waiting
    // for READY=1: for starts that are meant to fail, or to be killed before they are ready.
    void spawn(std::vector<std::string> wrapper = {}, std::vector<std::string> extra = {},
               std::optional<RunAs> as = {});
    // Stops it with SIGTERM and returns its exit status.
    int stop();
    std::string log_text() const;

    CommandResult busctl(std::vector<std::string> args, std::optional<RunAs> as = {}) const;
    CommandResult call(const std::string& method, std::vector<std::string> args, std::optional<RunAs> as = {}) const;
    std::uint64_t property_rows() const;
    std::vector<DbRow> rows() const;
};

}  // namespace nod::test
