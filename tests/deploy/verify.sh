#!/bin/bash
# meson install into a DESTDIR, then check what landed where, and run systemd-analyze verify and security
# on the installed units. The installed tree is laid over the prefix in a private mount namespace (an
# overlay, read-only) so that the units find nod-collector at the path meson wrote into them, exactly as
# on an installed system; the host's file systems are not changed.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root (a private mount namespace with an overlay over the prefix)"
need_tools meson systemd-analyze unshare mount
[ -d "$NOD_PREFIX" ] || skip "the prefix $NOD_PREFIX does not exist on this machine"
unshare --mount true 2>/dev/null || skip "cannot create a mount namespace here (unshare --mount failed)"

work=$(mktemp -d /var/tmp/nod-verify.XXXXXX)
trap 'rm -rf "$work" "$work.install.log"' EXIT
dest=$work/dest
install_into "$dest" || { fail "meson install --destdir"; finish; exit; }
pass "meson install --destdir"

socket=$(installed "$dest" '*/systemd/system/nod-collector.socket') &&
    service=$(installed "$dest" '*/systemd/system/nod-collector.service') &&
    sysusers=$(installed "$dest" '*/sysusers.d/nod.conf') &&
    policy=$(installed "$dest" '*/share/dbus-1/system.d/net.bergsoe.Nod1.conf') &&
    activation=$(installed "$dest" '*/share/dbus-1/system-services/net.bergsoe.Nod1.service') &&
    interface=$(installed "$dest" '*/share/dbus-1/interfaces/net.bergsoe.Nod1.xml') &&
    exporter_socket=$(installed "$dest" '*/systemd/system/nod-exporter.socket') &&
    exporter_service=$(installed "$dest" '*/systemd/system/nod-exporter.service') &&
    textfile_service=$(installed "$dest" '*/systemd/system/nod-metrics-textfile.service') &&
    textfile_timer=$(installed "$dest" '*/systemd/system/nod-metrics-textfile.timer') ||
    { fail "every deployment file is installed once"; finish; exit; }
pass "every deployment file is installed once"
for f in "$socket" "$service" "$sysusers" "$policy" "$activation" "$interface" "$exporter_socket" \
    "$exporter_service" "$textfile_service" "$textfile_timer"; do
    case $f in
    "$NOD_PREFIX"/*) pass "under the prefix: $f" ;;
    *) fail "not under the prefix $NOD_PREFIX: $f" ;;
    esac
done
check "units in systemd's unit folder below the prefix" test "$(dirname "$service")" = "$NOD_PREFIX/lib/systemd/system"
check "sysusers entry in $NOD_PREFIX/lib/sysusers.d" test "$sysusers" = "$NOD_PREFIX/lib/sysusers.d/nod.conf"

collector=$NOD_LIBEXECDIR/nod-collector
check "the installed collector is at $collector" test -x "$dest$collector"
exec_start=$(sed -n 's/^ExecStart=//p' "$dest$service")
check "ExecStart runs the installed collector ($exec_start)" test "${exec_start%% *}" = "$collector"
check "no @placeholder@ left in the service" sh -c "! grep -q '@[A-Za-z_]*@' '$dest$service'"
check "the service's idle exit is set" grep -q -- '--idle-exit-sec=' "$dest$service"
check "the socket is not removed on stop" sh -c "! grep -q '^RemoveOnStop=' '$dest$socket'"
check "the activation file names the service" grep -qx 'SystemdService=nod-collector.service' "$dest$activation"

# The exporter's units. Its binary comes from the exporter's own build target (nod_exporter_exe): without
# it these checks fail rather than skip, since the units would point at nothing.
exporter=$NOD_LIBEXECDIR/nod-exporter
check "the installed exporter is at $exporter" test -x "$dest$exporter"
exec_start=$(sed -n 's/^ExecStart=//p' "$dest$exporter_service")
check "the exporter's ExecStart runs the installed exporter ($exec_start)" test "$exec_start" = "$exporter"
check "the exporter's socket listens on 127.0.0.1:8463" grep -qx 'ListenStream=127.0.0.1:8463' "$dest$exporter_socket"
textfile=/var/lib/prometheus/node-exporter
exec_start=$(sed -n 's/^ExecStart=//p' "$dest$textfile_service")
check "the textfile service runs the installed nodctl into $textfile ($exec_start)" \
    test "$exec_start" = "$NOD_BINDIR/nodctl metrics --file $textfile/nod.prom"
check "the textfile service may write $textfile, and only there" \
    test "$(sed -n 's/^ReadWritePaths=//p' "$dest$textfile_service")" = "-$textfile"
check "the timer fires every minute" grep -qx 'OnCalendar=minutely' "$dest$textfile_timer"
for f in "$exporter_service" "$textfile_service"; do
    check "no @placeholder@ left in $(basename "$f")" sh -c "! grep -q '@[A-Za-z_]*@' '$dest$f'"
done

# Run inside a private mount namespace where $NOD_PREFIX shows the installed tree on top of the host's.
in_installed() {
    unshare --mount --propagation private sh -c '
        mount -t overlay nod-verify -o "ro,lowerdir=$1$2:$2" "$2" || exit 99
        shift 2
        exec "$@"' sh "$dest" "$NOD_PREFIX" "$@"
}

# verify_units WHAT UNIT...: systemd-analyze verify, silent and successful. Each group on its own, so that
# a missing exporter fails its own check and no other.
verify_units() {
    local what=$1 out rc
    shift
    out=$(in_installed systemd-analyze verify --man=no "$@" 2>&1)
    rc=$?
    [ -n "$out" ] && printf '%s\n' "$out"
    check "systemd-analyze verify --man=no on $what (rc $rc)" test "$rc" -eq 0 -a -z "$out"
}
verify_units "the collector's units" "$socket" "$service"
verify_units "the exporter's units" "$exporter_socket" "$exporter_service"
verify_units "the textfile service and timer" "$textfile_service" "$textfile_timer"

for f in "$service" "$exporter_service" "$textfile_service"; do
    out=$(in_installed systemd-analyze security --offline=yes --threshold=10 --no-pager "$f" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep 'Overall exposure'
    check "systemd-analyze security --offline=yes --threshold=10 on $(basename "$f"): exposure 1.0 or better (rc $rc)" \
        test "$rc" -eq 0
done

# A broken unit must fail the same check, or the check proves nothing.
cp "$dest$service" "$work/broken.service"
sed -i 's|^ExecStart=[^ ]*|ExecStart=/nonexistent/nod-collector|' "$work/broken.service"
in_installed systemd-analyze verify --man=no "$work/broken.service" >/dev/null 2>&1
check "systemd-analyze verify fails a copy whose ExecStart does not exist" test $? -ne 0

finish
