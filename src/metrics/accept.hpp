// Which exposition format a scraper asked for in its Accept header (RFC 9110 §12.5.1): OpenMetrics when
// application/openmetrics-text has a higher q than text/plain, else the text format 0.0.4, which every
// scraper reads (no header, */*, or anything nod does not serve).
#pragma once

#include <string_view>

#include "metrics/exposition.hpp"

namespace nod::metrics {

Format negotiate(std::string_view accept);

}  // namespace nod::metrics
