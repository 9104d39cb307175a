// Stats and Bucket rows as a table for people and as CSV for programs.
#pragma once

#include <string>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

std::string stats_table(const StatsResult& result, const ViewOptions& view);
std::string bucket_table(const BucketResult& result, const ViewOptions& view);
std::string stats_csv(const StatsResult& result);
std::string bucket_csv(const BucketResult& result);

// "2026-11-19 to 2026-11-25", or "all time" for an empty window.
std::string window_text(const Window& window);

}  // namespace nod::ctl
