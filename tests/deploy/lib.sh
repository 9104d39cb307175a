# Shared by the deploy tests (sourced). Configuration comes from meson as environment variables:
#   NOD_BUILD_DIR   the build to install (meson install --no-rebuild)
#   NOD_PREFIX      its prefix; NOD_BINDIR and NOD_LIBEXECDIR are absolute
#   NOD_CORPUS      tests/data/corpus (real Nix streams)
#   NOD_CLIENT      nodctl when the build has it, else busctl

set -u
PASSED=0
FAILED=0

skip() {
    echo "SKIP: $*"
    exit 77
}

pass() {
    PASSED=$((PASSED + 1))
    echo "ok    $*"
}

fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL  $*"
}

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

need_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
    done
}

# install_into DIR: meson install of the build into DESTDIR=DIR (the programs must already be built; meson
# test builds them first, see depends: in meson.build).
install_into() {
    meson install -C "$NOD_BUILD_DIR" --no-rebuild --destdir "$1" >"$1.install.log" 2>&1 || {
        cat "$1.install.log"
        return 1
    }
}

# installed DESTDIR PATTERN: the one installed file whose path (below DESTDIR) matches PATTERN; printed
# without the DESTDIR, i.e. as it is on a system it is installed on.
installed() {
    local hits
    hits=$(cd "$1" && find . -path "./$2" -type f | sed 's|^\.||')
    [ -n "$hits" ] && [ "$(printf '%s\n' "$hits" | wc -l)" -eq 1 ] || {
        echo "expected exactly one installed file matching $2, found: ${hits:-none}" >&2
        return 1
    }
    printf '%s\n' "$hits"
}
