// Users of this machine, from the passwd database (getpwnam_r, getpwuid_r: NSS included): the edge where
// --user's names become uids and the uids of rows grouped by user become names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nod::ctl {

// The uid of the user called `name`; nothing when there is none. Throws std::runtime_error when the
// lookup itself fails (e.g. an NSS service that does not answer).
std::optional<std::uint32_t> uid_of_user(const std::string& name);

// The name of the user with `uid`, or the uid in decimal when this machine has none.
std::string user_name(std::uint32_t uid);

}  // namespace nod::ctl
