// Running's answer: what is in flight, the earliest started first, with how long it has run and how
// long its history says it takes.
#pragma once

#include <string>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

std::string running_table(const RunningResult& result, const ViewOptions& view);
std::string running_csv(const RunningResult& result);
// "2/7 builds", "300 B/1000 B", "" when Nix said nothing.
std::string progress_text(const RunningRow& row);

}  // namespace nod::ctl
