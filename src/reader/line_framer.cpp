#include "reader/line_framer.hpp"

namespace nod {

void LineFramer::drop_carry() {
    // Give the memory back too: one 64 MiB line must not pin 64 MiB for the connection's lifetime.
    std::string().swap(carry_);
}

}  // namespace nod
