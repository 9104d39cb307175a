// Test's comparisons as benchstat prints them: old and new median, the change or "~" when it is not
// significant, the p-value and the sample sizes; plus the warnings that belong on stderr.
#pragma once

#include <string>
#include <vector>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

std::string comparison_table(const ComparisonResult& result, const ViewOptions& view);
std::string comparison_csv(const ComparisonResult& result);
// One line each (without "nodctl: "), empty when every comparison had samples enough.
std::vector<std::string> comparison_warnings(const ComparisonResult& result);

}  // namespace nod::ctl
