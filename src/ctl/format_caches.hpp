// Caches' answer: per substituter what it delivered and how fast, and the window's hit rate.
#pragma once

#include <string>

#include "ctl/model.hpp"
#include "ctl/view_options.hpp"

namespace nod::ctl {

std::string caches_table(const CachesResult& result, const ViewOptions& view);
std::string caches_csv(const CachesResult& result);

}  // namespace nod::ctl
