// Numbers as people read them (table, chart) and as programs read them (CSV).
#pragma once

#include <cstdint>
#include <string>

namespace nod::ctl {

// 850ms, 3.4s, 2min 05s, 1h 02min, 3d 04h; "-" for NaN or negative values.
std::string human_duration(double seconds);
// 512 B, 12.3 KiB, 4.0 MiB, 1.2 GiB (IEC).
std::string human_bytes(std::uint64_t bytes);
// Decimal seconds without exponent, at most 6 decimals, trailing zeros dropped: 1234.5, 0.0123, 0;
// "" for NaN.
std::string machine_seconds(double seconds);
// The shortest text that reads back as the same double (may use an exponent: 1.2e-30); "" for NaN.
// For figures without a natural precision: p-values, percentages, effect sizes.
std::string machine_number(double value);
// A percentage with sign and one decimal: +12.5%, -3.0%; "" for NaN.
std::string signed_percent(double percent);
// A p-value with three decimals (0.008, 1.000); "<0.001" below that; "-" for NaN.
std::string p_value_text(double p);

}  // namespace nod::ctl
