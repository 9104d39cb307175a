// Small text helpers for what Nix sends: store paths, ANSI-coloured messages, stray bytes.
#pragma once

#include <string>
#include <string_view>

namespace nod {

// "/nix/store/<32-char hash>-hello-2.12.drv" → "hello-2.12". Anything that does not look like a
// store path keeps its last component, so a name is never empty when the path is not.
std::string_view name_from_store_path(std::string_view path);

// Copies `text`, replacing each invalid UTF-8 sequence with U+FFFD as Nix itself does, so that what
// nod stores and sends over D-Bus is always valid UTF-8. Sets `repaired` when it had to.
std::string valid_utf8(std::string_view text, bool& repaired);

// Removes ANSI escape sequences (CSI … final byte, and lone ESC pairs): Nix colours its messages.
std::string strip_ansi(std::string_view text);

}  // namespace nod
