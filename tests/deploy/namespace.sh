#!/bin/bash
# End to end under a real systemd: systemd 252 runs as PID 1 in private pid, mount, UTS and IPC namespaces,
# with a unit path that holds only nod's installed units, a dbus.socket/dbus.service pair for a private system
# bus (dbus-daemon with the installed policy and activation file), and stub targets. In that namespace:
#   - the installed tree (meson install --destdir) is laid over the prefix (a read-only overlay), so the units
#     run the installed binaries at the paths meson wrote into them;
#   - /etc/passwd, group, shadow and gshadow are copies to which systemd-sysusers added the user from the
#     installed sysusers entry; /var/lib is an overlay whose changes land in the test's folder;
#   - /run, /tmp and /var/tmp are fresh tmpfs, so nothing the units do reaches the host's.
# The test shows: the socket exists before the collector runs; the first connection starts it (socket
# activation); a nodctl call while it is down starts it (D-Bus activation); it exits when idle and comes back
# on the next connection or call with every row kept; it runs as nod, hardened, with its state in
# /var/lib/nod; a non-root Clean is denied, root's works; nod-exporter.socket starts the exporter on the first
# scrape, unprivileged, and its counters still hold what the Clean deleted. Every client runs inside
# the namespace via nsenter.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"

IDLE=3  # seconds; the test's drop-in sets NOD_IDLE_EXIT_SEC, the way the NixOS module does

[ "$(id -u)" -eq 0 ] || skip "needs root (namespaces, mounts, systemd as PID 1)"
need_tools meson unshare nsenter setpriv socat systemd-sysusers dbus-daemon busctl systemctl mount curl python3
systemd_bin=
for s in /lib/systemd/systemd /usr/lib/systemd/systemd; do [ -x "$s" ] && systemd_bin=$s && break; done
[ -n "$systemd_bin" ] || skip "no systemd binary (/lib/systemd/systemd)"
[ -d "$NOD_PREFIX" ] || skip "the prefix $NOD_PREFIX does not exist on this machine"
unshare --pid --mount --uts --ipc --fork true 2>/dev/null ||
    skip "cannot create pid+mount namespaces here (unshare --pid --mount --fork failed: not allowed in this container?)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip "no overlay file system in this kernel"

stream_a=$NOD_CORPUS/nix-2.30/h2-daemon-legacy/conn-001.tsv   # 12 builds: a chain and 8 parallel leaves
stream_b=$NOD_CORPUS/nix-2.30/h4-local-fail/conn-001.tsv      # 2 builds: one fails, one is cancelled
[ -r "$stream_a" ] && [ -r "$stream_b" ] || skip "the corpus streams are missing ($NOD_CORPUS)"

# The test's folder: not under /tmp (the service's PrivateTmp), readable by dbus-daemon's user.
W=$(mktemp -d /var/tmp/nod-namespace.XXXXXX)
chmod 755 "$W"
pid1=
unshare_pid=
# systemd builds its cgroup tree below the cgroup it starts in: give it one of its own, in each hierarchy it
# tracks processes with (name=systemd and/or the unified one), so that the tree can be removed afterwards and
# the host's stays as it was.
cg_join=()  # cgroup folders the namespace starts in
cg_rels=()  # their paths relative to the hierarchy's root (systemd uses the same path in every hierarchy)
add_cgroup() {  # add_cgroup HIERARCHY PATH_OF_OURS_IN_IT
    [ -f "$1/cgroup.procs" ] && [ -n "$2" ] || return 0
    local rel=${2%/}/nod-namespace.$$
    mkdir "$1$rel" 2>/dev/null || return 0
    cg_join+=("$1$rel")
    cg_rels+=("$rel")
}
if [ -d /sys/fs/cgroup/systemd ]; then  # legacy or hybrid
    add_cgroup /sys/fs/cgroup/systemd "$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)"
    add_cgroup /sys/fs/cgroup/unified "$(sed -n 's/^0:://p' /proc/self/cgroup)"
else
    add_cgroup /sys/fs/cgroup "$(sed -n 's/^0:://p' /proc/self/cgroup)"
fi
remove_cgroups() {
    local h rel tries
    for rel in ${cg_rels[@]+"${cg_rels[@]}"}; do
        for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
            [ -d "$h$rel" ] || continue
            for tries in 1 2 3 4 5 6 7 8 9 10; do
                find "$h$rel" -depth -type d -exec rmdir {} \; 2>/dev/null
                [ -d "$h$rel" ] || break
                sleep 0.2
            done
            [ -d "$h$rel" ] && echo "warning: could not remove the cgroup $h$rel"
        done
    done
}
cleanup() {
    [ -z "$pid1" ] || kill -KILL "$pid1" 2>/dev/null  # ends the namespace and every process in it
    if [ -n "$unshare_pid" ]; then
        kill -KILL "$unshare_pid" 2>/dev/null  # --kill-child: takes the namespace with it if it is still there
        wait "$unshare_pid" 2>/dev/null
    fi
    remove_cgroups
    if [ "$FAILED" -ne 0 ] || [ -n "${NOD_KEEP:-}" ]; then
        echo "--- systemd (PID 1) log, last 60 lines"
        tail -n 60 "$W/console.log" 2>/dev/null
        echo "--- collector log"
        cat "$W/log/collector.log" 2>/dev/null
        echo "--- dbus-daemon log"
        cat "$W/log/dbus.log" 2>/dev/null
        echo "--- exporter log"
        cat "$W/log/exporter.log" 2>/dev/null
    fi
    if [ -n "${NOD_KEEP:-}" ]; then echo "kept $W"; else rm -rf "$W" "$W/dest.install.log" "$W.install.log"; fi
}
trap cleanup EXIT

# --- the installed tree
install_into "$W/dest" || { fail "meson install --destdir"; finish; exit; }
mv "$W/dest.install.log" "$W/install.log"
socket_unit=$(installed "$W/dest" '*/systemd/system/nod-collector.socket') &&
    service_unit=$(installed "$W/dest" '*/systemd/system/nod-collector.service') &&
    sysusers=$(installed "$W/dest" '*/sysusers.d/nod.conf') &&
    policy=$(installed "$W/dest" '*/share/dbus-1/system.d/net.bergsoe.Nod1.conf') &&
    activation=$(installed "$W/dest" '*/share/dbus-1/system-services/net.bergsoe.Nod1.service') &&
    exporter_socket=$(installed "$W/dest" '*/systemd/system/nod-exporter.socket') &&
    exporter_service=$(installed "$W/dest" '*/systemd/system/nod-exporter.service') ||
    { fail "the deployment files are installed"; finish; exit; }
for f in "$socket_unit" "$service_unit" "$sysusers" "$policy" "$activation" "$exporter_socket" "$exporter_service"; do
    case $f in "$NOD_PREFIX"/*) ;; *) skip "$f is installed outside the prefix; the overlay covers only $NOD_PREFIX" ;; esac
done
if [ "$NOD_CLIENT" = nodctl ]; then
    nodctl=$NOD_BINDIR/nodctl
    [ -x "$W/dest$nodctl" ] || { fail "nodctl is installed at $nodctl"; finish; exit; }
fi
echo "client: $NOD_CLIENT"

# --- users: the host's files, plus nod from the installed sysusers entry
mkdir -p "$W/root/etc"
for f in passwd group shadow gshadow; do
    if [ -e "/etc/$f" ]; then cp -p "/etc/$f" "$W/root/etc/$f"; else : >"$W/root/etc/$f"; fi
done
systemd-sysusers --root="$W/root" "$W/dest$sysusers" >"$W/sysusers.log" 2>&1 ||
    { cat "$W/sysusers.log"; fail "systemd-sysusers creates nod from the installed entry"; finish; exit; }
nod_uid=$(awk -F: '$1 == "nod" { print $3 }' "$W/root/etc/passwd")
check "systemd-sysusers creates nod from the installed entry (uid ${nod_uid:-none})" test -n "$nod_uid"

# --- units: nod's (installed), the private bus, stubs. Inside the namespace $W is /run/nodtest.
T=/run/nodtest
mkdir -p "$W/units/nod-collector.service.d" "$W/units/nod-exporter.socket.d" "$W/units/nod-exporter.service.d" \
    "$W/log" "$W/var/upper" "$W/var/work" "$W/bus"
cp "$W/dest$socket_unit" "$W/dest$service_unit" "$W/dest$exporter_socket" "$W/dest$exporter_service" "$W/units/"
# The namespace shares the host's network: the exporter listens on a free port rather than 8463, the way
# an administrator moves it (an empty ListenStream= first).
exporter_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$W/units/nod-exporter.socket.d/test.conf" <<EOF
[Socket]
ListenStream=
ListenStream=127.0.0.1:$exporter_port
EOF
# The one change to the exporter's hardening: this test's dbus-daemon hangs up on every dynamic user right
# after its Hello (any DynamicUser= service here, busctl included, although getent resolves the user), so the
# exporter runs as nobody instead; everything else is as shipped.
cat >"$W/units/nod-exporter.service.d/test.conf" <<EOF
[Service]
DynamicUser=no
User=nobody
StandardOutput=append:$T/log/exporter.log
StandardError=inherit
EOF
cat >"$W/units/nod-collector.service.d/test.conf" <<EOF
# The test's only changes to the installed service: a short idle timeout, and its output in a file
# (there is no journal in the namespace).
[Service]
Environment=NOD_IDLE_EXIT_SEC=$IDLE
StandardOutput=append:$T/log/collector.log
StandardError=inherit
EOF
# The bus: Debian's system.conf, with nod's installed activation file and policy as its only services and
# policies, plus systemd's own policy (PID 1 must own org.freedesktop.systemd1 to receive activations).
systemd_policy=/usr/share/dbus-1/system.d/org.freedesktop.systemd1.conf
[ -r "$systemd_policy" ] || skip "no $systemd_policy (systemd's bus policy)"
sed -e "s|<standard_system_servicedirs/>|<servicedir>$(dirname "$activation")</servicedir>|" \
    -e "s|<includedir>system.d</includedir>|<includedir>$(dirname "$policy")</includedir><include>$systemd_policy</include>|" \
    -e "\|<includedir>/etc/dbus-1/system.d</includedir>|d" \
    /usr/share/dbus-1/system.conf >"$W/bus/system.conf"
cat >"$W/units/dbus.socket" <<EOF
[Unit]
Description=D-Bus system bus socket (nod test)
DefaultDependencies=no
[Socket]
ListenStream=/run/dbus/system_bus_socket
EOF
cat >"$W/units/dbus.service" <<EOF
[Unit]
Description=D-Bus system bus (nod test)
DefaultDependencies=no
Requires=dbus.socket
After=dbus.socket
[Service]
ExecStart=$(command -v dbus-daemon) --config-file=$T/bus/system.conf --address=systemd: --nofork --nopidfile --systemd-activation --nosyslog
ExecReload=$(command -v busctl) call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
StandardOutput=append:$T/log/dbus.log
StandardError=inherit
EOF
cat >"$W/units/nodtest.target" <<EOF
[Unit]
Description=nod test
Wants=dbus.socket nod-collector.socket nod-exporter.socket
After=dbus.socket nod-collector.socket nod-exporter.socket
EOF
for t in basic sysinit sockets timers paths slices local-fs local-fs-pre swap shutdown umount; do
    printf '[Unit]\nDescription=stub %s\nDefaultDependencies=no\n' "$t" >"$W/units/$t.target"
done
printf '[Unit]\nDefaultDependencies=no\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
    >"$W/units/systemd-remount-fs.service"

: >"$W/console.log"
cat >"$W/start.sh" <<EOF
#!/bin/sh
# Runs in the new namespaces, then becomes systemd (PID 1).
set -e
mount --make-rprivate /
mount -t overlay nod-prefix -o "ro,lowerdir=$W/dest$NOD_PREFIX:$NOD_PREFIX" "$NOD_PREFIX"
for f in passwd group shadow gshadow; do mount --bind "$W/root/etc/\$f" "/etc/\$f"; done
mount -t overlay nod-var-lib -o "lowerdir=/var/lib,upperdir=$W/var/upper,workdir=$W/var/work" /var/lib
mount --bind "$W/console.log" /dev/console
mount -t tmpfs -o mode=755 tmpfs /run
mkdir $T
mount --bind "$W" $T
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount -t proc proc /proc
export container=nodtest SYSTEMD_UNIT_PATH=$T/units
exec "$systemd_bin" --system --unit=nodtest.target --log-target=console --log-level=info --show-status=no
EOF
chmod +x "$W/start.sh"

started=$(date +%s)
(
    for cg in ${cg_join[@]+"${cg_join[@]}"}; do echo "$BASHPID" >"$cg/cgroup.procs"; done
    exec unshare --pid --mount --uts --ipc --fork --kill-child "$W/start.sh"
) </dev/null >"$W/unshare.log" 2>&1 &
unshare_pid=$!
for _ in $(seq 100); do
    pid1=$(pgrep -P "$unshare_pid" || true)
    [ -n "$pid1" ] && [ "$(readlink "/proc/$pid1/exe" 2>/dev/null)" = "$(readlink -f "$systemd_bin")" ] && break
    sleep 0.05
done

# ns COMMAND...: run inside the namespace (as root, with the private bus as the system bus).
ns() {
    nsenter -t "$pid1" -m -p -u -i -- env -u DBUS_SYSTEM_BUS_ADDRESS -u DBUS_SESSION_BUS_ADDRESS "$@"
}
# as_nobody COMMAND...: the same, as an ordinary user.
as_nobody() {
    ns setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
# wait_for SECONDS COMMAND...: until the command succeeds.
wait_for() {
    local deadline=$(($(date +%s%N) + $1 * 1000000000))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s%N)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}
state() { ns systemctl show -P ActiveState "$1"; }
is_state() { [ "$(state "$1")" = "$2" ]; }
running() { case "$(ns systemctl is-system-running 2>/dev/null)" in running | degraded) return 0 ;; esac; return 1; }
main_pid() { ns systemctl show -P MainPID nod-collector.service; }
invocation() { ns systemctl show -P InvocationID nod-collector.service; }
feed() {  # feed STREAM: the stream's lines to the socket on one connection, like Nix does
    grep -v '^#' "$1" | cut -f2- | ns socat -u - UNIX-CONNECT:/run/nod.sock
}
# builds [ns|as_nobody]: the number of builds the collector reports (starting it if need be), via the client.
builds() {
    local out run=${1:-ns}
    if [ "$NOD_CLIENT" = nodctl ]; then
        out=$($run "$nodctl" stats --kind build --output json) || return 1
        printf '%s\n' "$out" | grep -o '"count":[0-9]*' | head -n 1 | cut -d: -f2
    else
        out=$($run busctl --system call net.bergsoe.Nod1 /net/bergsoe/Nod1 net.bergsoe.Nod1 Stats 'a{sv}' 1 kind s build) || return 1
        # (ss) "first" "last" N "build" "" COUNT ...
        printf '%s\n' "$out" | awk '{ print $7 }'
    fi
}
clean() {
    local run=${1:-ns}
    if [ "$NOD_CLIENT" = nodctl ]; then
        $run "$nodctl" clean
    else
        $run busctl --system call net.bergsoe.Nod1 /net/bergsoe/Nod1 net.bergsoe.Nod1 Clean 'a{sv}' 0
    fi
}

if [ -z "$pid1" ] || ! wait_for 20 running; then
    cat "$W/unshare.log"
    fail "systemd runs as PID 1 in the namespace ($(ns systemctl is-system-running 2>&1))"
    finish
    exit
fi
pass "systemd runs as PID 1 in the namespace (up after $(($(date +%s) - started)) s)"

# --- before anything connects
check "nod-collector.socket is listening" is_state nod-collector.socket active
check "/run/nod.sock is a socket with mode 0666" \
    test "$(ns stat -c '%F %a' /run/nod.sock)" = "socket 666"
check "the collector is not running yet" is_state nod-collector.service inactive

# --- socket activation
feed "$stream_a"
check "the first connection to /run/nod.sock starts the collector (socket activation)" \
    wait_for 5 is_state nod-collector.service active
first=$(invocation)
pid=$(main_pid)
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    check "the collector runs as nod (uid $nod_uid)" \
        test "$(ns awk '/^Uid:/ { print $2 "," $3 }' "/proc/$pid/status")" = "$nod_uid,$nod_uid"
    check "... with no capabilities, no new privileges, a seccomp filter" \
        test "$(ns awk '/^(CapBnd|NoNewPrivs|Seccomp):/ { printf "%s ", $2 }' "/proc/$pid/status")" = "0000000000000000 1 2 "
    check "... in a network namespace of its own (PrivateNetwork=yes), and still on the bus" \
        test "$(ns readlink "/proc/$pid/ns/net")" != "$(ns readlink /proc/1/ns/net)"
    check "... with STATE_DIRECTORY=/var/lib/nod" \
        sh -c "nsenter -t $pid1 -m -p -- cat /proc/$pid/environ | tr '\0' '\n' | grep -qx STATE_DIRECTORY=/var/lib/nod"
else
    fail "the collector has a main pid"
fi

# --- idle exit
check "it exits when idle (${IDLE} s)" wait_for $((IDLE + 7)) is_state nod-collector.service inactive
check "... cleanly (Result=success, status 0)" \
    test "$(ns systemctl show -P Result nod-collector.service) $(ns systemctl show -P ExecMainStatus nod-collector.service)" = "success 0"
check "... and the socket stays (no RemoveOnStop)" \
    sh -c "[ \"\$(nsenter -t $pid1 -m -p -- stat -c %F /run/nod.sock)\" = socket ]"
check "the database is /var/lib/nod/nod.db, owned by nod, private" \
    test "$(ns stat -c '%U %a' /var/lib/nod /var/lib/nod/nod.db | tr '\n' ' ')" = "nod 750 nod 600 "

# --- D-Bus activation: a call while it is down
n_a=$(builds)
check "a $NOD_CLIENT stats call while it is down starts it (D-Bus activation) and answers" \
    test -n "$n_a" -a "$(invocation)" != "$first"
check "... with every build of the first stream (12 = $n_a)" test "$n_a" = 12
check "... an ordinary user may read the history" test "$(builds as_nobody)" = 12
second=$(invocation)
pid=$(main_pid)
check "... and, started by D-Bus, it got the listening socket too (Sockets=; LISTEN_FDNAMES=nod)" \
    sh -c "nsenter -t $pid1 -m -p -- cat /proc/$pid/environ | tr '\0' '\n' | grep -qx LISTEN_FDNAMES=nod"

# --- the next connection after an idle exit
check "it exits when idle again" wait_for $((IDLE + 7)) is_state nod-collector.service inactive
feed "$stream_b"
check "the next connection brings it back" wait_for 5 is_state nod-collector.service active
third=$(invocation)
check "... as a new instance" test -n "$third" -a "$third" != "$second"
# (rows reach the database in batches, within a fraction of a second)
builds_are() { [ "$(builds)" = "$1" ]; }
wait_for 5 builds_are 14
check "nothing lost across three instances (12 + 2 = $(builds) builds)" builds_are 14

# --- Clean: root only
out=$(clean as_nobody 2>&1)
rc=$?
echo "      (nobody: rc $rc: $out)"
check "Clean as an ordinary user is denied" sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -qi 'denied\|root'" sh "$out"
check "... and deletes nothing" test "$(builds)" = 14
out=$(clean 2>&1)
rc=$?
echo "      (root: rc $rc: $out)"
check "Clean as root works" test "$rc" -eq 0
check "... and the history is empty" test "$(builds)" = 0

# --- nod-exporter: socket-activated, a dynamic user, a D-Bus client whose counters outlive the Clean
check "nod-exporter.socket is listening, the exporter is not running yet" \
    test "$(state nod-exporter.socket) $(state nod-exporter.service)" = "active inactive"
metrics=$(ns curl -sf "http://127.0.0.1:$exporter_port/metrics")
has_line() { printf '%s\n' "$1" | grep -qx "$2"; }
check "the first GET /metrics starts it (socket activation) and it answers nod_up 1" has_line "$metrics" 'nod_up 1'
build_total=$(printf '%s\n' "$metrics" | awk '/^nod_activities_total[{]kind="build",/ { s += $2 } END { print s + 0 }')
check "... nod_activities_total still counts the 14 builds the Clean deleted ($build_total)" test "$build_total" = 14
check "... while nod_rows is 0" has_line "$metrics" 'nod_rows 0'
pid=$(ns systemctl show -P MainPID nod-exporter.service)
if [ -n "$pid" ] && [ "$pid" != 0 ]; then
    uid=$(ns awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
    check "the exporter runs unprivileged (uid $uid: neither root nor nod)" \
        test -n "$uid" -a "$uid" != 0 -a "$uid" != "$nod_uid"
    check "... with no capabilities, no new privileges, a seccomp filter" \
        test "$(ns awk '/^(CapBnd|NoNewPrivs|Seccomp):/ { printf "%s ", $2 }' "/proc/$pid/status")" = "0000000000000000 1 2 "
    check "... in a network namespace of its own, serving the socket systemd passed" \
        test "$(ns readlink "/proc/$pid/ns/net")" != "$(ns readlink /proc/1/ns/net)"
else
    fail "the exporter has a main pid"
fi
ns systemctl stop nod-exporter.service nod-exporter.socket 2>/dev/null

# --- the service never failed or restarted on the way
check "no restarts (NRestarts=0)" test "$(ns systemctl show -P NRestarts nod-collector.service)" = 0
ns systemctl stop nod-collector.service nod-collector.socket 2>/dev/null

echo "took $(($(date +%s) - started)) s in the namespace"
finish
