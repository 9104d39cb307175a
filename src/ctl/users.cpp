#include "ctl/users.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace nod::ctl {

namespace {

// getpwnam_r and getpwuid_r alike: `call(entry, buffer, size, result)`, the buffer grown while too small.
// The entry (its strings in `buffer`), or nothing when there is no such user.
template <typename Call>
std::optional<passwd> look_up(Call call, std::vector<char>& buffer, const std::string& what) {
    long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    buffer.resize(hint > 0 ? static_cast<std::size_t>(hint) : 16384);
    while (true) {
        passwd entry{};
        passwd* result = nullptr;
        int e = call(&entry, buffer.data(), buffer.size(), &result);
        if (e == ERANGE && buffer.size() < (std::size_t{1} << 24)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (result != nullptr) return entry;
        // 0: not there. ENOENT, ESRCH, EBADF, EPERM: also "not there" on some systems (getpwnam_r(3)).
        if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM) return std::nullopt;
        throw std::runtime_error("cannot look up " + what + ": " + std::strerror(e));
    }
}

}  // namespace

std::optional<std::uint32_t> uid_of_user(const std::string& name) {
    std::vector<char> buffer;
    auto entry = look_up(
        [&](passwd* p, char* b, std::size_t n, passwd** r) { return getpwnam_r(name.c_str(), p, b, n, r); },
        buffer, "user '" + name + "'");
    if (!entry) return std::nullopt;
    return static_cast<std::uint32_t>(entry->pw_uid);
}

std::string user_name(std::uint32_t uid) {
    std::vector<char> buffer;
    std::optional<passwd> entry;
    try {
        entry = look_up(
            [&](passwd* p, char* b, std::size_t n, passwd** r) { return getpwuid_r(uid, p, b, n, r); }, buffer,
            "uid " + std::to_string(uid));
    } catch (const std::runtime_error&) {
        entry.reset();  // a name is only a nicety: the uid stands in
    }
    if (!entry || entry->pw_name == nullptr || *entry->pw_name == '\0') return std::to_string(uid);
    return entry->pw_name;
}

const std::string& UserNames::of(std::uint32_t uid) {
    auto [it, fresh] = names_.try_emplace(uid);
    if (fresh) it->second = user_name(uid);
    return it->second;
}

}  // namespace nod::ctl
