// nodctl: asks nod-collector on D-Bus where Nix time goes.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "ctl/cli.hpp"
#include "ctl/commands.hpp"
#include "ctl/users.hpp"

int main(int argc, char* argv[]) {
    // `nodctl … | head` ends quietly, as systemd's tools do.
    signal(SIGPIPE, SIG_DFL);
    std::vector<std::string> args(argv + 1, argv + argc);
    nod::ctl::Invocation invocation;
    try {
        invocation = nod::ctl::parse_command_line(args);
        if (!invocation.text) nod::ctl::resolve_user(invocation, nod::ctl::uid_of_user);
    } catch (const nod::ctl::UsageError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {  // not expected; still one line, never a trace
        std::cerr << "nodctl: " << e.what() << "\n";
        return 1;
    }
    if (invocation.text) {
        std::cout << *invocation.text;
        return 0;
    }
    return nod::ctl::run(invocation, std::cout, std::cerr);
}
