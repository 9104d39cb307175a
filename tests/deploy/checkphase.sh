#!/bin/bash
# The package's checkPhase (nixos/package.nix), imitated outside Nix for the unit suite. Nix builds as an
# unprivileged build user, with a cleared environment, HOME=/homeless-shelter, and no /usr/share/zoneinfo
# in its sandbox; package.nix brings tzdata and sets TZDIR=${tzdata}/share/zoneinfo in preCheck. Here,
# in a private mount namespace:
# - /usr/share/zoneinfo is an empty tmpfs, and a copy of it plays ${tzdata}/share/zoneinfo;
# - every test of this build's `unit` suite runs as nobody under `env -i`, with meson's command line and
#   environment for it, in a copy of the build and source folders that nobody owns (as the build user owns
#   /build in the sandbox) laid over the originals (the checkout may sit in a folder nobody cannot enter,
#   e.g. a mode-0700 temporary folder or /root; the host is not changed);
# - first without TZDIR, which must fail (the time-zone tests: that is the bug package.nix fixes, and
#   the proof that this imitation is faithful enough to see it), then with TZDIR, which must pass.
# Needs root (a mount namespace, switching to nobody); skips (77) without it.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"

if [ "${1:-}" != --inside ]; then
    [ "$(id -u)" -eq 0 ] || skip "needs root: a private mount namespace and the tests run as nobody"
    need_tools unshare setpriv mount timeout python3 tar meson
    [ -d /usr/share/zoneinfo/Europe ] || skip "no time zone data in /usr/share/zoneinfo to copy (tzdata)"
    id nobody >/dev/null 2>&1 || skip "there is no user nobody"
    export CP_UID CP_GID CP_BUILD CP_SOURCE CP_STAGE CP_PLAN
    CP_UID=$(id -u nobody)
    CP_GID=$(id -g nobody)
    CP_BUILD=$(readlink -f "${NOD_BUILD_DIR:?}")
    CP_SOURCE=$(readlink -f "${NOD_SOURCE_DIR:-$here/../..}")
    # Its own folder in /tmp, whatever TMPDIR says: it must not lie under the folders covered below.
    CP_STAGE=$(mktemp -d /tmp/nod-checkphase.XXXXXX)
    CP_PLAN=$CP_STAGE.plan
    trap 'rm -rf "$CP_STAGE" "$CP_PLAN"' EXIT
    # The unit suite as meson knows it: name, timeout, working folder, environment, command line.
    if ! meson introspect --tests "$CP_BUILD" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if not any(s.split(":")[-1] == "unit" for s in t["suite"]):
        continue
    env = " ".join("%s=%s" % kv for kv in sorted((t.get("env") or {}).items()))
    print("\x1f".join([t["name"], str(t["timeout"] or 30), t["workdir"] or "", env] + t["cmd"]))
' >"$CP_PLAN"; then
        fail "meson introspect --tests $CP_BUILD"
        finish
        exit
    fi
    [ -s "$CP_PLAN" ] || skip "the build has no unit suite (tests disabled?)"
    unshare --mount --propagation private -- bash "$0" --inside
    exit
fi

# ---- inside the private mount namespace, as root ---------------------------------------------------
uid=$CP_UID
gid=$CP_GID
stage=$CP_STAGE
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }

mount -t tmpfs -o mode=0755 nod-checkphase "$stage" || { fail "a tmpfs for the copies"; finish; exit; }
replica=$stage/root

# The source (without .git and build folders, as package.nix's src) and, of the build, what the unit
# tests run: their programs and any other file of the build folder on their command lines.
mkdir -p "$replica$CP_SOURCE" "$replica$CP_BUILD"
tar -C "$CP_SOURCE" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$replica$CP_SOURCE" -xf - ||
    fail "copying the source"
while IFS=$'\x1f' read -r -a t; do
    for arg in "${t[@]:4}"; do
        case $arg in "$CP_BUILD"/*) ;; *) continue ;; esac
        f=$(readlink -f "$arg")
        case $f in "$CP_BUILD"/*) ;; *) continue ;; esac
        [ -f "$f" ] || continue
        mkdir -p "$replica$(dirname "$f")"
        cp -p "$f" "$replica$f" || fail "copying $f"
    done
done <"$CP_PLAN"
chown -R "$uid:$gid" "$replica$CP_SOURCE" "$replica$CP_BUILD"

# ${tzdata}/share/zoneinfo, then no zoneinfo where the system keeps it.
tzdir=$stage/tzdata/share/zoneinfo
mkdir -p "$(dirname "$tzdir")"
cp -a /usr/share/zoneinfo "$tzdir" || fail "copying /usr/share/zoneinfo"
mount -t tmpfs -o mode=0755,size=1m nod-no-zoneinfo /usr/share/zoneinfo || fail "hiding /usr/share/zoneinfo"
check "/usr/share/zoneinfo is empty" test -z "$(ls -A /usr/share/zoneinfo)"

# Lay the copies over the originals: over the highest folder on the way that nobody cannot enter (the
# copy has every folder on the way open), else over the folder itself.
cover() {
    local path=$1 prefix="" part
    local -a parts
    IFS=/ read -r -a parts <<<"${path#/}"
    for part in "${parts[@]}"; do
        prefix=$prefix/$part
        as_user test -x "$prefix" || { printf '%s\n' "$prefix"; return; }
    done
    printf '%s\n' "$path"
}
covered=()
for path in "$CP_SOURCE" "$CP_BUILD"; do
    point=$(cover "$path")
    case $stage/ in "$point"/*)
        fail "the copies ($stage) lie under $point, which they would cover"
        finish
        exit
        ;;
    esac
    skip_point=0
    for c in "${covered[@]}"; do
        case $point/ in "$c"/*) skip_point=1 ;; esac
    done
    [ "$skip_point" -eq 1 ] && continue
    mount --bind "$replica$point" "$point" || { fail "covering $point with its copy"; finish; exit; }
    covered+=("$point")
done
echo "covered with copies: ${covered[*]}"
check "nobody can read the source and the build's tests" as_user test -r "$CP_SOURCE/tests/data" -a -x "$CP_BUILD"
mkdir -m 0700 "$stage/tmp" && chown "$uid:$gid" "$stage/tmp"

# run_suite LABEL [VAR=VALUE...]: every unit test, as nobody, with a cleared environment; prints
# "status<TAB>name" per test.
run_suite() {
    local label=$1
    shift
    local -a t env
    while IFS=$'\x1f' read -r -a t; do
        local name=${t[0]} timeout=${t[1]} workdir=${t[2]:-$CP_BUILD}
        read -r -a env <<<"${t[3]}"
        (cd "$workdir" && timeout -k 5 "$timeout" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- \
            env -i HOME=/homeless-shelter PATH=/usr/bin:/bin TMPDIR="$stage/tmp" "$@" "${env[@]}" \
            "${t[@]:4}") >"$stage/$label.$name.log" 2>&1
        printf '%d\t%s\n' "$?" "$name"
    done <"$CP_PLAN"
}

declare -A without with
while IFS=$'\t' read -r status name; do without[$name]=$status; done < <(run_suite without)
while IFS=$'\t' read -r status name; do with[$name]=$status; done < <(run_suite with TZDIR="$tzdir")

failing=()
for name in "${!without[@]}"; do
    [ "${without[$name]}" -ne 0 ] && failing+=("$name")
done
if [ "${#failing[@]}" -gt 0 ]; then
    pass "without TZDIR the unit suite fails, as in the sandbox before package.nix set it: ${failing[*]}"
else
    fail "without TZDIR the unit suite fails (the time-zone tests), as in the sandbox before package.nix set it"
fi
for name in "${!with[@]}"; do
    if [ "${with[$name]}" -eq 0 ]; then
        pass "with TZDIR: $name"
    else
        tail -n 30 "$stage/with.$name.log"
        fail "with TZDIR: $name (exit ${with[$name]})"
    fi
done
for name in "${failing[@]}"; do
    echo "--- $name without TZDIR:"
    # Indented: scripts/test counts the failures of the whole run from lines that start with "[  FAILED  ]".
    grep -E '^\[  FAILED  \]|Failure|error' "$stage/without.$name.log" | head -n 8 | sed 's/^/    /'
done
finish
