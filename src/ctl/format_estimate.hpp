// Estimate's answer: per name, how long it is expected to take and from what history.
#pragma once

#include <string>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

std::string estimate_table(const EstimateResult& result, const ViewOptions& view);
std::string estimate_csv(const EstimateResult& result);

}  // namespace nod::ctl
