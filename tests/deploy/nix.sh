#!/bin/bash
# The Nix side, as far as it can be checked without nixpkgs: every .nix file of the project parses
# (nix-instantiate --parse), and nixos/module.nix, evaluated against nixos/tests/stand-in.nix (a stand-in
# for the nixpkgs lib functions it uses), produces the expected configuration (nixos/tests/module-test.nix).
# Neither the flake nor the NixOS VM test is built or run here.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"

need_tools nix-instantiate python3
src=${NOD_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
export NIX_CONFIG='build-users-group ='  # nothing is built; keeps Debian's nix.conf from warning
err=$(mktemp)
trap 'rm -f "$err"' EXIT

files=$(cd "$src" && find . -name '*.nix' -not -path './.git/*' -not -path './subprojects/*' | sort)
[ -n "$files" ] || { fail "the project has .nix files"; finish; exit; }
for f in $files; do
    if nix-instantiate --parse "$src/$f" >/dev/null 2>"$err"; then pass "parses: ${f#./}"; else cat "$err"; fail "parses: ${f#./}"; fi
done
for f in flake.nix nixos/module.nix; do
    check "exists: $f" test -f "$src/$f"
done

out=$(nix-instantiate --eval --strict --json "$src/nixos/tests/module-test.nix" 2>"$err")
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
