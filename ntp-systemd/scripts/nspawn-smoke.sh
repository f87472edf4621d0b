#!/usr/bin/env bash
# Smoke test of the installed, hardened ntp-monitor.service on a real systemd: boots a systemd-nspawn container
# (overlayfs over the host's "/", tmpfs upper layer, private network: loopback only, no CAP_SYS_TIME), runs a chronyd
# -x server on 127.0.0.1:11123 inside it, installs the jar with `install`, starts the service and checks that the
# stand-in controller.service got the variables; stops chronyd and checks they are gone; then uninstall.
# Everything is torn down on exit. Needs root, systemd-nspawn (systemd-container), chrony, a built jar.
# The lab suite (issue 6) is the full version of this on the lab network; this is the quick check for the job alone.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIPPED: needs root" >&2; exit 77; }
command -v systemd-nspawn >/dev/null || { echo "SKIPPED: systemd-nspawn missing" >&2; exit 77; }
[ -x /usr/sbin/chronyd ] || { echo "SKIPPED: chronyd missing" >&2; exit 77; }
JAR=$(cd "$(dirname "$0")/.." && pwd)/target/ntp-systemd.jar
[ -f "$JAR" ] || { echo "build first: mvn -q -B -pl ntp-systemd -am package -DskipTests" >&2; exit 2; }
C=$(mktemp -d /tmp/ntp-monitor-smoke.XXXXXX)
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
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$C/tmp" "$C/root"
mount -t tmpfs -o mode=0755,size=1g ntp-smoke "$C/tmp"
mkdir -p "$C/tmp/upper" "$C/tmp/work"
mount -t overlay ntp-smoke -o "lowerdir=/,upperdir=$C/tmp/upper,workdir=$C/tmp/work" "$C/root"
r=$C/root
head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$r/etc/machine-id"; echo >>"$r/etc/machine-id"
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
printf '[Servers]\nPrimary=127.0.0.1:11123\nFallback=\nTimeout=300ms\n' \
    >"$r/etc/ntp-monitor/ntp-monitor.conf"
printf 'port 11123\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 1\ncmdport 0\npidfile /run/smoke-chrony.pid\ndriftfile /run/smoke-chrony.drift\n' \
    >"$r/etc/smoke-chrony.conf"

setsid systemd-nspawn --quiet --directory="$r" --machine="ntp-smoke-$$" --register=no --keep-unit --console=passive \
    --private-network --drop-capability=CAP_SYS_TIME --resolv-conf=off --timezone=off --link-journal=no --boot \
    </dev/null >"$C/container.log" 2>&1 &
NSPAWN=$!
L=""
for _ in $(seq 1 300); do
    L=$(pgrep -P "$NSPAWN" | head -n1 || true)
    if [ -n "$L" ]; then
        case $(nsenter -t "$L" -a systemctl is-system-running 2>/dev/null || true) in running|degraded) break ;; esac
    fi
    sleep 0.1
done
[ -n "$L" ] || fail "container did not boot"
inside() { nsenter -t "$L" -a "$@"; }

inside systemd-run --quiet --unit=smoke-chrony /usr/sbin/chronyd -x -d -f /etc/smoke-chrony.conf
sleep 1
inside java -jar /root/ntp-systemd.jar install
inside systemctl is-enabled ntp-monitor.timer | grep -qx enabled || fail "timer not enabled"
inside systemctl start ntp-monitor.service || { inside journalctl -u ntp-monitor.service --no-pager -n 20; fail "service failed"; }
inside journalctl -u ntp-monitor.service --no-pager -n 5 -o cat
inside systemctl show controller.service -p Environment | grep -q 'CONSERVE_POWER=1 NTP_SYNCED=true NTP_SERVER=127.0.0.1 NTP_SYNC_LEVEL=3' \
    || fail "the controller did not get the variables"
echo "OK: the hardened unit set the controller's environment"
inside systemctl stop smoke-chrony.service
inside systemctl start ntp-monitor.service || fail "service failed"
found=""
for _ in $(seq 1 50); do # journald reads the service's stdout stream asynchronously
    if inside journalctl -u ntp-monitor.service --no-pager -p warning -o cat | grep -q 'stable UNSYNCHRONIZED'; then
        found=yes; break
    fi
    sleep 0.2
done
[ -n "$found" ] || { inside journalctl -u ntp-monitor.service --no-pager -n 10; fail "no <4> line for the loss of sync"; }
inside systemctl show controller.service -p Environment | grep -qx 'Environment=' || fail "the variables stayed"
echo "OK: loss of sync removed them, logged at warning priority"
inside java -jar /root/ntp-systemd.jar uninstall
inside test ! -e /etc/systemd/system/ntp-monitor.service || fail "uninstall left the unit"
echo "OK: uninstall"
