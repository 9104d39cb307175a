// Recorded Nix log streams (the corpus format) and replaying them through a Reader.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reader/reader.hpp"

namespace nod::replay {

struct CapturedLine {
    double seconds = 0;  // on the capture's shared clock
    std::string text;    // bare JSON, no newline
};

struct CapturedConnection {
    std::string name;
    Peer peer;
    double opened = 0;
    double closed = 0;
    std::vector<CapturedLine> lines;
};

struct TruthEntry {
    std::string name;
    double start = 0;
    bool ended = false;
    double end = 0;
    int rc = 0;
};

// `conn-NNN.tsv` files of a Nix ≥ 2.30 capture folder: `# peer pid=P uid=U gid=G opened=T`,
// `SECONDS<TAB>JSON` lines, `# closed=T`. Throws std::runtime_error naming the file on bad input.
std::vector<CapturedConnection> load_capture_folder(const std::filesystem::path& folder);
CapturedConnection load_tsv(const std::filesystem::path& file);
// A Nix 2.8 stderr capture: `NAME.ts` (`SECONDS<TAB>@nix JSON`) when there is one, else `NAME.json`
// (one JSON per line, no clock: every line at second 0).
CapturedConnection load_stderr_capture(const std::filesystem::path& file);
// `truth.log`: `NAME start EPOCH` and `NAME end EPOCH rc=N` lines written by the builders.
std::vector<TruthEntry> load_truth(const std::filesystem::path& file);

struct ReplayOptions {
    Micros base = 0;          // receipt time of second 0
    bool peer_pids = true;    // false: as if replayed by another process (no pid matches an id)
    std::uint64_t split_seed = 0;  // non-zero: each line goes in two reads, split at a random point
};

// Replays the connections interleaved by their clock, each line as its own read.
void replay(const std::vector<CapturedConnection>& conns, Reader& reader, const ReplayOptions& options);

// Sends the connections to a listening Unix socket (a collector) at their recorded pace, each on a
// connection and a thread of its own, as Nix would. Throws std::runtime_error when it cannot connect.
void send_to_socket(const std::vector<CapturedConnection>& conns, const std::filesystem::path& socket);

}  // namespace nod::replay
