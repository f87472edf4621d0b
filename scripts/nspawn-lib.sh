# Sourced by the nspawn-*.sh checks of the installed job on a real systemd (bash, set -euo pipefail). It boots a
# systemd-nspawn container: overlayfs over the host's "/" with a tmpfs upper layer, private network (loopback only),
# no CAP_SYS_TIME, the usual time daemons and noisy timers masked, a stand-in controller.service that records its
# environment, the built ntp-systemd.jar in /root, and a chronyd -x configuration for 127.0.0.1:11123.
#
#   nspawn_prepare NAME   checks root and tools (exit 77 when one is missing), mounts the root, arms the teardown;
#                         then the caller adjusts $r (the container's root, seen from the host)
#   nspawn_boot           boots it and waits until systemd runs; then `inside CMD...` runs CMD in it
#   nspawn_start_chronyd  starts the chronyd -x server inside (unit lab-chrony)
#   nspawn_timer_setup NAME  all of these for the checks that watch the timer's runs (below)
# Everything is torn down on exit (container stopped, mounts and temp dir removed), also after a failure.

# shellcheck disable=SC2034 # JAR and r are for the sourcing script
nspawn_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$nspawn_repo/ntp-systemd/target/ntp-systemd.jar
C=
NSPAWN=
L=

nspawn_teardown() {
    if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
        kill -TERM "$NSPAWN" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$NSPAWN" 2>/dev/null || true
    fi
    if [ -n "$C" ]; then
        mountpoint -q "$C/root" && umount "$C/root"
        mountpoint -q "$C/tmp" && umount "$C/tmp"
        rm -rf "$C"
    fi
}

inside() { nsenter -t "$L" -a "$@"; }

# fail WHAT: says so, shows the job's last journal lines when the container is up, exits 1
fail() {
    echo "FAIL: $*" >&2
    if [ -n "$L" ]; then inside journalctl -u ntp-monitor.service --no-pager -n 15 -o short-monotonic || true; fi
    exit 1
}

nspawn_prepare() {
    local name=$1
    [ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root" >&2; exit 77; }
    command -v systemd-nspawn >/dev/null || { echo "SKIPPED: systemd-nspawn missing" >&2; exit 77; }
    [ -x /usr/sbin/chronyd ] || { echo "SKIPPED: chronyd missing" >&2; exit 77; }
    [ -f "$JAR" ] || { echo "build first: mvn -q -B -pl ntp-systemd -am package -DskipTests" >&2; exit 2; }
    nspawn_name=$name
    C=$(mktemp -d "/tmp/ntp-monitor-$name.XXXXXX")
    trap nspawn_teardown EXIT
    mkdir -p "$C/tmp" "$C/root"
    mount -t tmpfs -o mode=0755,size=1g "ntp-$name" "$C/tmp"
    mkdir -p "$C/tmp/upper" "$C/tmp/work"
    mount -t overlay "ntp-$name" -o "lowerdir=/,upperdir=$C/tmp/upper,workdir=$C/tmp/work" "$C/root"
    r=$C/root
    head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$r/etc/machine-id"; echo >>"$r/etc/machine-id"
    local u
    for u in chrony.service chronyd.service ntpsec.service ntp.service systemd-timesyncd.service postgresql.service \
             apt-daily.timer apt-daily-upgrade.timer man-db.timer fstrim.timer logrotate.timer e2scrub_all.timer \
             getty@tty1.service console-getty.service ssh.service cron.service; do
        rm -f "$r/etc/systemd/system/$u"; ln -s /dev/null "$r/etc/systemd/system/$u"
    done
    cat >"$r/etc/systemd/system/controller.service" <<'UNIT'
[Service]
ExecStart=/bin/sh -c 'env | grep -E "^(CONSERVE_POWER|NTP_)" > /run/controller-env; exec sleep infinity'
[Install]
WantedBy=multi-user.target
UNIT
    mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
    ln -sf ../controller.service "$r/etc/systemd/system/multi-user.target.wants/controller.service"
    cp "$JAR" "$r/root/ntp-systemd.jar"
    mkdir -p "$r/etc/ntp-monitor"
    printf 'port 11123\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 1\ncmdport 0\npidfile /run/lab-chrony.pid\ndriftfile /run/lab-chrony.drift\n' \
        >"$r/etc/lab-chrony.conf"
}

nspawn_boot() {
    setsid systemd-nspawn --quiet --directory="$r" --machine="ntp-$nspawn_name-$$" --register=no --keep-unit \
        --console=passive --private-network --drop-capability=CAP_SYS_TIME --resolv-conf=off --timezone=off \
        --link-journal=no --boot </dev/null >"$C/container.log" 2>&1 &
    NSPAWN=$!
    local leader=
    for _ in $(seq 1 300); do
        leader=$(pgrep -P "$NSPAWN" | head -n1 || true)
        if [ -n "$leader" ]; then
            case $(nsenter -t "$leader" -a systemctl is-system-running 2>/dev/null || true) in running|degraded) break ;; esac
        fi
        sleep 0.1
    done
    [ -n "$leader" ] || fail "container did not boot"
    L=$leader
}

nspawn_start_chronyd() {
    inside systemd-run --quiet --unit=lab-chrony /usr/sbin/chronyd -x -d -f /etc/lab-chrony.conf
    sleep 1
}

# For the checks that watch the timer's runs: nspawn_timer_setup NAME prepares the container without any
# systemd-timesyncd configuration, writes the job's loopback configuration with Interval=5s and no steering ($GOOD,
# a printf format, kept for writing it again), boots, and starts chronyd.
nspawn_timer_setup() {
    nspawn_prepare "$1"
    rm -f "$r/etc/systemd/timesyncd.conf"; rm -rf "$r/etc/systemd/timesyncd.conf.d"
    GOOD='[Servers]\nPrimary=127.0.0.1:11123\nFallback=\nTimeout=300ms\n[Decision]\nInterval=5s\n[Timesyncd]\nSteering=no\n'
    # shellcheck disable=SC2059 # GOOD is the format
    printf "$GOOD" >"$r/etc/ntp-monitor/ntp-monitor.conf"
    nspawn_boot
    inside systemctl --version | head -n1
    nspawn_start_chronyd
}
# For the checks that watch the timer's runs:
env_has_power() { inside systemctl show controller.service -p Environment | grep -q 'CONSERVE_POWER=1'; }
not_power() { ! env_has_power; }
failed_runs() {
    inside journalctl -u ntp-monitor.service --no-pager -p err -o cat | grep -c '^run failed, no power saving: ' || true
}
more_failures_than() { [ "$(failed_runs)" -gt "$1" ]; }
run_ended() { [ "$(inside systemctl show ntp-monitor.service -p ActiveState --value)" != activating ]; }
# wait_for SECONDS DESCRIPTION COMMAND...: prints the time and DESCRIPTION once COMMAND succeeds, fails after SECONDS
wait_for() {
    local t=$1 what=$2; shift 2
    for _ in $(seq 1 $((t * 5))); do "$@" && { echo "$(date -u +%T) $what"; return 0; }; sleep 0.2; done
    fail "not within $t s: $what"
}
