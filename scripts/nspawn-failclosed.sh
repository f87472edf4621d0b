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
# Everything is torn down on exit (nspawn-lib.sh). Needs root, systemd-nspawn, chrony, a built jar
# (mvn -q -B -pl ntp-systemd -am package -DskipTests). Prints the timestamps it saw; exit 0 when all held.
set -euo pipefail
. "$(dirname "$0")/nspawn-lib.sh"
nspawn_timer_setup failclosed
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
