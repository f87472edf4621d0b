# Sourced by the measurement scripts that need a time server nobody else can reach (bash, set -euo pipefail):
# chronyd -x (never touches the clock; `local stratum 1`, no sources, no command socket, files in a temp dir) on
# 127.0.0.1:123 of the loopback interface of a private network namespace. No packet leaves the namespace: it has
# no other interface unless the caller adds one, and no route out.
#
#   lab_chronyd_ns NAME   makes $lab_tmp (/tmp/NAME.XXXXXX, mode 755) and the namespace $lab_ns (pintp-NAME-PID)
#                         with its loopback up, starts chronyd in it, and arms a trap that stops chronyd and
#                         deletes the namespace and the temp dir on exit, also after a failure or a signal
#   in_ns CMD...          runs CMD inside the namespace
# The caller waits for chronyd's first answer itself, with the client it measures.

lab_tmp=
lab_ns=
lab_chronyd_pid=

lab_cleanup() {
    if [[ -n "$lab_chronyd_pid" ]]; then
        kill "$lab_chronyd_pid" 2>/dev/null || true
        wait "$lab_chronyd_pid" 2>/dev/null || true
    fi
    if [[ -n "$lab_ns" ]]; then
        ip netns delete "$lab_ns" 2>/dev/null || true
    fi
    if [[ -n "$lab_tmp" ]]; then
        rm -rf "$lab_tmp"
    fi
}

in_ns() { ip netns exec "$lab_ns" "$@"; }

lab_chronyd_ns() {
    local name=$1
    lab_tmp=$(mktemp -d "/tmp/$name.XXXXXX")
    chmod 755 "$lab_tmp"
    lab_ns="pintp-$name-$$"
    trap lab_cleanup EXIT INT TERM
    ip netns add "$lab_ns"
    in_ns ip link set lo up
    cat > "$lab_tmp/chrony.conf" <<CONF
port 123
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 1
cmdport 0
bindcmdaddress /
pidfile $lab_tmp/chronyd.pid
driftfile $lab_tmp/chrony.drift
CONF
    # started directly, not through in_ns: $! of a backgrounded function would be a subshell, and killing that
    # would leave chronyd running
    ip netns exec "$lab_ns" chronyd -x -d -u root -f "$lab_tmp/chrony.conf" >"$lab_tmp/chronyd.log" 2>&1 &
    lab_chronyd_pid=$!
}
