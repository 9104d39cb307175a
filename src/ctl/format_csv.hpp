// CSV as RFC 4180 writes it: fields quoted when they hold a comma, a quote, CR or LF (quotes doubled),
// every record ended by CRLF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nod::ctl {

std::string csv_field(std::string_view text);
std::string csv_record(const std::vector<std::string>& fields);

}  // namespace nod::ctl
