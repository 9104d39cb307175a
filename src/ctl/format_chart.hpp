// Bucket's time series as a horizontal bar chart: one bar per bucket (the time of every kind shown,
// added up), scaled so that the longest fills the terminal's width, labelled with the bucket and the time.
#pragma once

#include <string>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

std::string bucket_chart(const BucketResult& result, const ViewOptions& view);

}  // namespace nod::ctl
