// Users of this machine, from the passwd database (getpwnam_r, getpwuid_r: NSS included): the edge where
// --user's names become uids and the uids of rows grouped by user become names.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nod::ctl {

// The uid of the user called `name`; nothing when there is none. Throws std::runtime_error when the
// lookup itself fails (e.g. an NSS service that does not answer).
std::optional<std::uint32_t> uid_of_user(const std::string& name);

// The name of the user with `uid`, or the uid in decimal when this machine has none.
std::string user_name(std::uint32_t uid);

// user_name, each uid looked up once: an answer has a row per kind and user, a live view many frames.
class UserNames {
public:
    const std::string& of(std::uint32_t uid);

private:
    std::map<std::uint32_t, std::string> names_;
};

}  // namespace nod::ctl
