#!/usr/bin/env bash
# Fail-closed on a real systemd: boots a systemd-nspawn container as nspawn-smoke.sh does (overlayfs over the host's
# "/", tmpfs upper layer, private network: loopback only, no CAP_SYS_TIME), runs chronyd -x on 127.0.0.1:11123
# inside it, installs the jar with a loopback configuration and Interval=5s, and lets ntp-monitor.timer run it:
#   1. power saving is granted (the stand-in controller gets CONSERVE_POWER=1);
#   2. the configuration is broken: the next timer run fails (exit 2, a "run failed" line at err), the drop-in is
#      gone and the controller was restarted without the variables;
#   3. the timer keeps firing although each run fails (the oneshot unit has no Restart=): more failed runs follow;
#   4. the configuration is repaired: a later timer run grants power saving again;
#   5. sync-state is corrupted: the next timer run moves it aside and ends power saving, the one after grants it again.
# Everything is torn down on exit. Needs root, systemd-nspawn, chrony, a built jar
# (mvn -q -B -pl ntp-systemd -am package -DskipTests). Prints the timestamps it saw; exit 0 when all held.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root" >&2; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "SKIPPED: systemd-nspawn missing" >&2; exit 77; }
[ -x /usr/sbin/chronyd ] || { echo "SKIPPED: chronyd missing" >&2; exit 77; }
JAR=$(cd "$(dirname "$0")/.." && pwd)/target/ntp-systemd.jar
[ -f "$JAR" ] || { echo "build first: mvn -q -B -pl ntp-systemd -am package -DskipTests" >&2; exit 2; }
C=$(mktemp -d /tmp/ntp-monitor-failclosed.XXXXXX)
NSPAWN=""
teardown() {
    if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
        kill -TERM "$NSPAWN" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$NSPAWN" 2>/dev/null || true
    fi
    mountpoint -q "$C/root" && umount "$C/root"
    mountpoint -q "$C/tmp" && umount "$C/tmp"
    rm -rf "$C"
}
trap teardown EXIT
fail() { echo "FAIL: $*" >&2; inside journalctl -u ntp-monitor.service --no-pager -n 15 -o short-monotonic || true; exit 1; }

mkdir -p "$C/tmp" "$C/root"
mount -t tmpfs -o mode=0755,size=1g ntp-failclosed "$C/tmp"
mkdir -p "$C/tmp/upper" "$C/tmp/work"
mount -t overlay ntp-failclosed -o "lowerdir=/,upperdir=$C/tmp/upper,workdir=$C/tmp/work" "$C/root"
r=$C/root
head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$r/etc/machine-id"; echo >>"$r/etc/machine-id"
for u in chrony.service chronyd.service ntpsec.service ntp.service systemd-timesyncd.service postgresql.service \
         apt-daily.timer apt-daily-upgrade.timer man-db.timer fstrim.timer logrotate.timer e2scrub_all.timer \
         getty@tty1.service console-getty.service ssh.service cron.service; do
    rm -f "$r/etc/systemd/system/$u"; ln -s /dev/null "$r/etc/systemd/system/$u"
done
rm -f "$r/etc/systemd/timesyncd.conf"; rm -rf "$r/etc/systemd/timesyncd.conf.d"
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
GOOD='[Servers]\nPrimary=127.0.0.1:11123\nFallback=\nTimeout=300ms\n[Decision]\nInterval=5s\n[Timesyncd]\nSteering=no\n'
printf "$GOOD" >"$r/etc/ntp-monitor/ntp-monitor.conf"
printf 'port 11123\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 1\ncmdport 0\npidfile /run/fc-chrony.pid\ndriftfile /run/fc-chrony.drift\n' \
    >"$r/etc/fc-chrony.conf"

setsid systemd-nspawn --quiet --directory="$r" --machine="ntp-failclosed-$$" --register=no --keep-unit \
    --console=passive --private-network --drop-capability=CAP_SYS_TIME --resolv-conf=off --timezone=off \
    --link-journal=no --boot </dev/null >"$C/container.log" 2>&1 &
NSPAWN=$!
L=""
for _ in $(seq 1 300); do
    L=$(pgrep -P "$NSPAWN" | head -n1 || true)
    if [ -n "$L" ]; then
        case $(nsenter -t "$L" -a systemctl is-system-running 2>/dev/null || true) in running|degraded) break ;; esac
    fi
    sleep 0.1
done
[ -n "$L" ] || { echo "FAIL: container did not boot" >&2; exit 1; }
inside() { nsenter -t "$L" -a "$@"; }
inside systemctl --version | head -n1
env_has_power() { inside systemctl show controller.service -p Environment | grep -q 'CONSERVE_POWER=1'; }
failed_runs() { inside journalctl -u ntp-monitor.service --no-pager -p err -o cat | grep -c '^run failed, no power saving: ' || true; }
# wait_for SECONDS DESCRIPTION COMMAND...
wait_for() {
    local t=$1 what=$2; shift 2
    for _ in $(seq 1 $((t * 5))); do "$@" && { echo "$(date -u +%T) $what"; return 0; }; sleep 0.2; done
    fail "not within $t s: $what"
}
more_failures_than() { [ "$(failed_runs)" -gt "$1" ]; }
not_power() { ! env_has_power; }
run_ended() { [ "$(inside systemctl show ntp-monitor.service -p ActiveState --value)" != activating ]; }

inside systemd-run --quiet --unit=fc-chrony /usr/sbin/chronyd -x -d -f /etc/fc-chrony.conf
sleep 1
inside java -jar /root/ntp-systemd.jar install >/dev/null
inside systemctl cat ntp-monitor.timer | grep -E '^(OnUnitActiveSec|RandomizedDelaySec)='
inside systemctl start ntp-monitor.service
wait_for 90 "1. power saving granted by the timer's runs" env_has_power

printf "$GOOD[Bogus]\nKey=1\n" >"$r/etc/ntp-monitor/ntp-monitor.conf"
before=$(failed_runs)
wait_for 60 "2. a timer run failed on the broken configuration" more_failures_than "$before"
wait_for 10 "2. and the controller lost CONSERVE_POWER" not_power
inside test ! -e /run/systemd/system/controller.service.d/ntp-environment.conf || fail "the drop-in stayed"
inside journalctl -u ntp-monitor.service --no-pager -p err -o cat | grep '^run failed' | tail -n1
inside systemctl show ntp-monitor.service -p Result -p ExecMainStatus -p ActiveState
inside systemctl show ntp-monitor.timer -p ActiveState -p SubState
n=$(failed_runs)
wait_for 60 "3. the timer fired again after a failed run" more_failures_than "$n"
n=$(failed_runs)
wait_for 60 "3. and again" more_failures_than "$n"
inside systemctl show ntp-monitor.timer -p ActiveState -p SubState

printf "$GOOD" >"$r/etc/ntp-monitor/ntp-monitor.conf"
wait_for 90 "4. repaired: power saving granted again by the timer" env_has_power

# the controller is restarted before the run saves its state: let that run end before corrupting the file
wait_for 30 "4. that run has ended" run_ended
inside sh -c 'printf "garbage\n" > /var/lib/ntp-monitor/sync-state'
n=$(failed_runs)
wait_for 60 "5. a timer run failed on the corrupt sync-state" more_failures_than "$n"
wait_for 10 "5. and the controller lost CONSERVE_POWER" not_power
inside journalctl -u ntp-monitor.service --no-pager -p err -o cat | grep '^run failed' | tail -n1
inside ls /var/lib/ntp-monitor/ | grep -q '^sync-state.corrupt-' || fail "no corrupt copy kept"
wait_for 90 "5. power saving granted again from the initial state" env_has_power
echo "OK: failed runs ended power saving, the timer kept firing, good runs restored it"
