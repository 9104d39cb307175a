#!/bin/bash
# The Nix side, as far as it can be checked without nixpkgs:
# - every .nix file of the project parses (nix-instantiate --parse, Debian's Nix 2.8);
# - nixos/module.nix, evaluated by nixpkgs' own module system (the real nixpkgs lib, from
#   tests/data/nixpkgs-lib-de42d442.tar.gz, checked against its sha256) together with
#   nixos/tests/nixos-options.nix (the NixOS options it touches, declared as nixpkgs declares them),
#   produces the expected configuration and nix.conf line (nixos/tests/module-test.nix).
# Runs as any user. Neither the flake's package nor the NixOS VM test is built or run here.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"

need_tools nix-instantiate python3 tar sha256sum
src=${NOD_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
lib_tarball=$src/tests/data/nixpkgs-lib-de42d442.tar.gz
# git archive of nix-community/nixpkgs.lib at de42d442 (nixpkgs' lib/, lib.version 26.11pre-git).
lib_sha256=01112dc4939a7d687e955867756b6500ad8b2e6455d93d86b5ee8b218fcaccf9

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
err=$work/err
# Nix 2.8 opens its state folder even to evaluate: a private one works for any user and leaves /nix/var
# alone. Nothing is built, so no build users (keeps it from warning about a missing nixbld group), and no
# nix.conf or NIX_PATH of the machine's.
export NIX_STATE_DIR=$work/state NIX_LOG_DIR=$work/log NIX_CONF_DIR=$work/conf HOME=$work/home
export XDG_CACHE_HOME=$work/cache NIX_CONFIG='build-users-group ='
unset NIX_PATH NIX_REMOTE
mkdir -p "$NIX_CONF_DIR" "$HOME"

files=$(cd "$src" && find . -name '*.nix' -not -path './.git/*' -not -path './subprojects/*' -not -path './build*' | sort)
[ -n "$files" ] || { fail "the project has .nix files"; finish; exit; }
for f in $files; do
    if nix-instantiate --parse "$src/$f" >/dev/null 2>"$err"; then pass "parses: ${f#./}"; else cat "$err"; fail "parses: ${f#./}"; fi
done
for f in flake.nix nixos/module.nix nixos/package.nix nixos/tests/vm.nix; do
    check "exists: $f" test -f "$src/$f"
done

if ! echo "$lib_sha256  $lib_tarball" | sha256sum --check --status; then
    fail "$lib_tarball has sha256 $lib_sha256"
    finish
    exit
fi
pass "nixpkgs lib: the tarball's sha256 is $lib_sha256"
tar -xzf "$lib_tarball" -C "$work"
lib=$work/nixpkgs-lib-de42d442/lib
version=$(nix-instantiate --eval --expr "(import $lib).version" 2>"$err" | tr -d '"') || cat "$err"
check "nixpkgs lib: version $version is 26.11pre-git" test "$version" = 26.11pre-git

out=$(nix-instantiate --eval --strict --json "$src/nixos/tests/module-test.nix" --arg lib "import $lib" 2>"$err")
if [ $? -ne 0 ]; then
    cat "$err"
    fail "nixos/tests/module-test.nix evaluates"
else
    while IFS=$'\t' read -r ok name detail; do
        if [ "$ok" = 1 ]; then pass "module: $name"; else fail "module: $name ($detail)"; fi
    done < <(printf '%s' "$out" | python3 -c '
import json, sys
for c in json.load(sys.stdin):
    detail = "" if c["ok"] else "got %s, want %s" % (json.dumps(c.get("got")), json.dumps(c.get("want")))
    print("%d\t%s\t%s" % (c["ok"], c["name"], detail))')
fi
finish
