#!/usr/bin/env bash
# A run killed mid-run, on a real systemd: boots a systemd-nspawn container as nspawn-failclosed.sh does (overlayfs
# over the host's "/", tmpfs upper layer, private network: loopback only, no CAP_SYS_TIME), runs chronyd -x on
# 127.0.0.1:11123 inside it, installs the jar with a loopback configuration, Interval=5s and a --java path with a
# space, "%" and "$" (a symlink to the real java), and then:
#   1. the timer's runs grant power saving (the stand-in controller gets CONSERVE_POWER=1);
#   2. with the timer stopped, a run is started and its JVM frozen (SIGSTOP) while it holds the job's lock, that is,
#      mid-run, and then SIGKILLed: the unit's result is "signal", its ExecStopPost= fail-safe removed the drop-in,
#      restarted the controller without the variables, and logged why at err;
#   3. the timer started again: its next good run grants power saving again.
# Everything is torn down on exit (nspawn-lib.sh). Needs root, systemd-nspawn, chrony, a built jar
# (mvn -q -B -pl ntp-systemd -am package -DskipTests). Prints what it saw; exit 0 when all held.
set -euo pipefail
. "$(dirname "$0")/nspawn-lib.sh"
nspawn_timer_setup killed
JAVA_DIR='/opt/my java 100%/$HOME'
mkdir -p "$r$JAVA_DIR"
ln -s "$(readlink -f /usr/bin/java)" "$r$JAVA_DIR/java"
inside java -jar /root/ntp-systemd.jar install --java "$JAVA_DIR/java" >/dev/null
inside systemctl cat ntp-monitor.service | grep -E '^(ExecStart|ExecStopPost)='
inside systemctl start ntp-monitor.service
wait_for 90 "1. power saving granted by the timer's runs" env_has_power
DROPIN=/run/systemd/system/controller.service.d/ntp-environment.conf
inside test -e "$DROPIN" || fail "no drop-in while power saving"

inside systemctl stop ntp-monitor.timer
wait_for 30 "2. the timer is stopped and no run is under way" run_ended
errors_before=$(failed_runs)
ctl_pid_before=$(inside systemctl show controller.service -p MainPID --value)
# mid-run: the run's JVM holds the job's lock (taken before it reads its state, released when it ends); frozen
# there, it cannot finish between our look and the kill. A run that got past the lock before we looked is let end
# and another one started.
killed=
for attempt in $(seq 1 20); do
    inside systemctl start --no-block ntp-monitor.service
    for _ in $(seq 1 200); do
        pid=$(inside systemctl show ntp-monitor.service -p MainPID --value)
        if [ "$pid" != 0 ] && inside sh -c "ls -l /proc/$pid/fd 2>/dev/null | grep -q ' /run/ntp-monitor/lock\$'"; then
            # the run may have ended since we looked: then there is nothing to freeze
            inside kill -STOP "$pid" 2>/dev/null || break
            if inside sh -c "ls -l /proc/$pid/fd 2>/dev/null | grep -q ' /run/ntp-monitor/lock\$'"; then
                echo "$(date -u +%T) 2. run $attempt: JVM $pid frozen while holding /run/ntp-monitor/lock; SIGKILL"
                inside kill -KILL "$pid"
                killed=1
            else
                inside kill -CONT "$pid"
            fi
            break
        fi
        [ "$(inside systemctl show ntp-monitor.service -p ActiveState --value)" = activating ] || break
        sleep 0.01
    done
    [ -n "$killed" ] && break
    wait_for 30 "2. (run $attempt ended before it could be caught; again)" run_ended
done
[ -n "$killed" ] || fail "no run could be caught mid-run in 20 attempts"
# ExecStopPost= runs while the unit is "deactivating": done once it is inactive or failed
unit_done() { case $(inside systemctl show ntp-monitor.service -p ActiveState --value) in inactive|failed) ;; *) false ;; esac; }
wait_for 60 "2. the killed run and its fail-safe have ended" unit_done
result=$(inside systemctl show ntp-monitor.service -p Result --value)
echo "   ntp-monitor.service Result=$result"
[ "$result" = signal ] || fail "the unit's result is $result, not signal"
inside test ! -e "$DROPIN" || fail "the drop-in stayed after the run was killed"
wait_for 10 "2. the controller lost CONSERVE_POWER" not_power
ctl_pid_after=$(inside systemctl show controller.service -p MainPID --value)
[ "$ctl_pid_after" != "$ctl_pid_before" ] || fail "the controller was not restarted"
# the restarted controller's own environment, as the kernel holds it for its process
inside cat "/proc/$ctl_pid_after/environ" | tr '\0' '\n' | grep -E '^(CONSERVE_POWER|NTP_)' \
    && fail "the restarted controller (PID $ctl_pid_after) still has the variables"
echo "$(date -u +%T) 2. the restarted controller (PID $ctl_pid_after, was $ctl_pid_before) has no CONSERVE_POWER"
[ "$(failed_runs)" -gt "$errors_before" ] || fail "no err line says why"
line=$(inside journalctl -u ntp-monitor.service --no-pager -p err -o cat | grep '^run failed' | tail -n1)
echo "   $line"
case $line in
    "run failed, no power saving: the run did not finish (systemd: result signal, killed KILL); removed $DROPIN, restarted controller.service") ;;
    *) fail "unexpected log line: $line" ;;
esac

inside systemctl start ntp-monitor.timer
wait_for 90 "3. the timer's next good run granted power saving again" env_has_power
echo "OK: a run SIGKILLed mid-run left no power saving behind; the fail-safe said why; a good run restored it"
