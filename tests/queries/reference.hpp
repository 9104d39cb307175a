// The expected figures, counted directly from raw rows in the test: the independent side of every
// query check.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "queries/figures.hpp"
#include "store/histogram.hpp"
#include "store/row_reader.hpp"

namespace nod::queries::testing {

inline std::vector<store::StoredRow> all_rows(const store::Database& db) {
    std::vector<store::StoredRow> rows;
    store::for_each_row(db, [&](const store::StoredRow& row) { rows.push_back(row); });
    return rows;
}

struct Expected {
    Figures figures;  // p50/p90 exact nearest-rank here
};

inline Expected expected_figures(const std::vector<store::StoredRow>& rows,
                                 const std::function<bool(const store::StoredRow&)>& include) {
    Expected e;
    std::vector<Micros> durations;
    Micros total = 0, max = 0;
    for (const auto& stored : rows) {
        if (!include(stored)) continue;
        const Row& row = stored.row;
        ++e.figures.count;
        e.figures.failed += row.outcome == Outcome::failed ? 1 : 0;
        e.figures.cancelled += row.outcome == Outcome::cancelled ? 1 : 0;
        e.figures.bytes += row.bytes;
        e.figures.download_bytes += row.download_bytes;
        if (row.cpu_user_us || row.cpu_system_us) {
            ++e.figures.cpu_rows;
            e.figures.cpu_user_seconds += static_cast<double>(row.cpu_user_us.value_or(0)) / 1e6;
            e.figures.cpu_system_seconds += static_cast<double>(row.cpu_system_us.value_or(0)) / 1e6;
        }
        if (!row.duration) {
            ++e.figures.unknown_duration;
            continue;
        }
        durations.push_back(*row.duration);
        total += *row.duration;
        max = std::max(max, *row.duration);
    }
    if (durations.empty()) return e;
    std::sort(durations.begin(), durations.end());
    auto rank = [&](double p) {
        auto r = static_cast<std::size_t>(std::ceil(p * static_cast<double>(durations.size())));
        return static_cast<double>(durations[std::clamp<std::size_t>(r, 1, durations.size()) - 1]) / 1e6;
    };
    e.figures.total_seconds = static_cast<double>(total) / 1e6;
    e.figures.mean_seconds = e.figures.total_seconds / static_cast<double>(durations.size());
    e.figures.max_seconds = static_cast<double>(max) / 1e6;
    e.figures.p50_seconds = rank(0.5);
    e.figures.p90_seconds = rank(0.9);
    return e;
}

inline void expect_figures(const Figures& actual, const Expected& expected, const std::string& what) {
    const Figures& e = expected.figures;
    EXPECT_EQ(actual.count, e.count) << what;
    EXPECT_EQ(actual.failed, e.failed) << what;
    EXPECT_EQ(actual.cancelled, e.cancelled) << what;
    EXPECT_EQ(actual.unknown_duration, e.unknown_duration) << what;
    EXPECT_EQ(actual.bytes, e.bytes) << what;
    EXPECT_EQ(actual.download_bytes, e.download_bytes) << what;
    EXPECT_EQ(actual.cpu_rows, e.cpu_rows) << what;
    EXPECT_NEAR(actual.cpu_user_seconds, e.cpu_user_seconds, 1e-6) << what;
    EXPECT_NEAR(actual.cpu_system_seconds, e.cpu_system_seconds, 1e-6) << what;
    EXPECT_NEAR(actual.total_seconds, e.total_seconds, 1e-6) << what;
    EXPECT_NEAR(actual.mean_seconds, e.mean_seconds, 1e-6) << what;
    EXPECT_NEAR(actual.max_seconds, e.max_seconds, 1e-6) << what;
    EXPECT_LE(std::abs(actual.p50_seconds - e.p50_seconds), e.p50_seconds * store::percentile_error_bound + 1e-9)
        << what << " p50";
    EXPECT_LE(std::abs(actual.p90_seconds - e.p90_seconds), e.p90_seconds * store::percentile_error_bound + 1e-9)
        << what << " p90";
}

}  // namespace nod::queries::testing
