// A file replaced whole: written to a temporary file in the same folder, synced, then renamed over the
// target, so that a reader (node_exporter's textfile collector) sees the old file or the new one, never half.
#pragma once

#include <string>
#include <string_view>

namespace nod::ctl {

// Throws std::runtime_error naming the path and the failure; leaves no temporary file behind, also when
// nodctl is told to stop meanwhile. Refuses a target that exists and is not a regular file (or a link to one).
void write_file_atomically(const std::string& path, std::string_view content, unsigned mode = 0644);

}  // namespace nod::ctl
