// An activity in flight, as the Running method shows it: what the reader knows of it before its row.
#pragma once

#include <cstdint>
#include <string>

#include "reader/row.hpp"

namespace nod {

struct LiveActivity {
    Kind kind = Kind::build;
    std::string path;
    std::string name;  // as its row's: no store folder, hash or .drv
    Micros start = 0;  // receipt of its start
    std::uint32_t user = 0;  // whom it is for, as its row will say
    bool trusted = false;    // a root connection reported it
    std::string machine;     // remote builder, substituter or copy peer; "" = this machine
    std::string phase;       // builds: Nix's last resSetPhase ("buildPhase"); "" when none came
    // Builds: the Worker's builds done and expected on that connection; substitutions and copies: bytes
    // copied and the NAR's size. 0/0 when Nix said nothing.
    std::uint64_t done = 0, expected = 0;
};

}  // namespace nod
