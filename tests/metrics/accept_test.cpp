#include "metrics/accept.hpp"

#include <gtest/gtest.h>

namespace nod::metrics {
namespace {

TEST(Accept, PrometheusAsksForOpenMetricsFirst) {
    // What Prometheus 2.42 sends.
    EXPECT_EQ(negotiate("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
                        "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
              Format::openmetrics);
}

TEST(Accept, TextWhenNothingOrTextIsPreferred) {
    EXPECT_EQ(negotiate(""), Format::text);
    EXPECT_EQ(negotiate("*/*"), Format::text);
    EXPECT_EQ(negotiate("text/plain"), Format::text);
    EXPECT_EQ(negotiate("application/json"), Format::text);
    EXPECT_EQ(negotiate("text/plain;version=0.0.4, application/openmetrics-text;q=0.5"), Format::text);
    // Equal preference: the format every scraper reads.
    EXPECT_EQ(negotiate("application/openmetrics-text, text/plain"), Format::text);
}

TEST(Accept, CaseSpacesAndQuality) {
    EXPECT_EQ(negotiate("  Application/OpenMetrics-Text ; Version=1.0.0 "), Format::openmetrics);
    EXPECT_EQ(negotiate("application/openmetrics-text;q=0.9, text/plain;q=0.2"), Format::openmetrics);
    EXPECT_EQ(negotiate("application/openmetrics-text;q=0"), Format::text);
    // A malformed q accepts nothing.
    EXPECT_EQ(negotiate("application/openmetrics-text;q=high"), Format::text);
    EXPECT_EQ(negotiate("application/openmetrics-text;q=2"), Format::text);
    EXPECT_EQ(negotiate(",,;;=,application/openmetrics-text"), Format::openmetrics);
}

}  // namespace
}  // namespace nod::metrics
