#!/usr/bin/env bash
# Smoke test of the installed, hardened ntp-monitor.service on a real systemd: boots a systemd-nspawn container
# (overlayfs over the host's "/", tmpfs upper layer, private network: loopback only, no CAP_SYS_TIME), runs a chronyd
# -x server on 127.0.0.1:11123 inside it, installs the jar with `install`, starts the service and checks that the
# stand-in controller.service got the variables; stops chronyd and checks they are gone; then uninstall.
# Everything is torn down on exit (nspawn-lib.sh). Needs root, systemd-nspawn (systemd-container), chrony, a built jar
# (mvn -q -B -pl ntp-systemd -am package -DskipTests).
# The lab suite (issue 6) is the full version of this on the lab network; this is the quick check for the job alone.
set -euo pipefail
. "$(dirname "$0")/nspawn-lib.sh"
nspawn_prepare smoke
printf '[Servers]\nPrimary=127.0.0.1:11123\nFallback=\nTimeout=300ms\n' \
    >"$r/etc/ntp-monitor/ntp-monitor.conf"

nspawn_boot
nspawn_start_chronyd
inside java -jar /root/ntp-systemd.jar install
inside systemctl is-enabled ntp-monitor.timer | grep -qx enabled || fail "timer not enabled"
inside systemctl start ntp-monitor.service || { inside journalctl -u ntp-monitor.service --no-pager -n 20; fail "service failed"; }
inside journalctl -u ntp-monitor.service --no-pager -n 5 -o cat
inside systemctl show controller.service -p Environment | grep -q 'CONSERVE_POWER=1 NTP_SYNCED=true NTP_SERVER=127.0.0.1 NTP_SYNC_LEVEL=3' \
    || fail "the controller did not get the variables"
echo "OK: the hardened unit set the controller's environment"
inside systemctl stop lab-chrony.service
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
