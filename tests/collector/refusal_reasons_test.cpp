// The exposition shows every refusal reason from the first scrape, from its own list: it must be the
// collector's.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "collector/refusals.hpp"
#include "metrics/exposition.hpp"

namespace nod::collector {
namespace {

TEST(RefusalReasons, TheExpositionKnowsEveryOne) {
    ASSERT_EQ(std::size(metrics::known_refusal_reasons), static_cast<std::size_t>(refusal_reason_count));
    for (int i = 0; i < refusal_reason_count; ++i) {
        auto name = to_string(static_cast<RefusalReason>(i));
        EXPECT_NE(std::find(std::begin(metrics::known_refusal_reasons), std::end(metrics::known_refusal_reasons), name),
                  std::end(metrics::known_refusal_reasons))
            << name;
    }
}

}  // namespace
}  // namespace nod::collector
