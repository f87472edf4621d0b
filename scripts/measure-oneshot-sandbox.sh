#!/usr/bin/env bash
# Where the CPU of one run of the default install goes: the container's CPU (its cgroup's usage_usec, idle
# subtracted) for runs of ntp-monitor.service started by hand (6 per variant, 5 s apart), with the installed unit
# as it is and with parts of its sandbox or its ExecStopPost= fail-safe taken away (the unit file edited in the
# container; the resident daemon as installed). In one lab container (lab/bin/lab-up: chronyd -x Pi Zero).
#
#   sudo scripts/measure-oneshot-sandbox.sh
#
# Builds nothing: needs lab/target/ntp-lab.jar and ntp-systemd/target/ntp-systemd.jar. Tears the lab down on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/lab/bin
# shellcheck source=../lab/bin/lab-lib.sh
. "$bin/lab-lib.sh"
jar=$here/ntp-systemd/target/ntp-systemd.jar
die() { echo "measure-oneshot-sandbox: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (the lab)"
[[ -f $jar && -f $LAB_JAR ]] || die "build first: mvn -q -B -pl lab,ntp-systemd -am package -DskipTests"
id=sbx$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /tmp/measure-oneshot-sandbox.XXXXXX)
cleanup() {
    trap '' INT TERM HUP PIPE
    "$bin/lab-down" "$id" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
"$bin/lab-up" --run-id "$id" --watch-pid $$ >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; die "lab-up failed"; }
main() { "$bin/lab-ctl" "$id" main "$@"; }
root=$(lab_dir "$id")/container/root
cg=
for d in $(lab_cgroups "$id"); do [[ -f $d/cpu.stat ]] && cg=$d; done
[[ -n $cg ]] || die "cannot find the container's cgroup with cpu.stat"
usage() { awk '$1 == "usage_usec" {print $2}' "$cg/cpu.stat"; }
"$bin/lab-ctl" "$id" copy-in "$jar" /opt/pintp/ntp-systemd.jar
main java -jar /opt/pintp/ntp-systemd.jar install >/dev/null
main systemctl stop ntp-monitor.timer
main systemctl start ntp-monitor.service
main systemctl restart ntp-monitor-daemon.service # now with the class-data archive the first start recorded
sleep 2
for _ in 1 2 3; do main systemctl reset-failed ntp-monitor.service; main systemctl start ntp-monitor.service; sleep 1; done
u0=$(usage); sleep 20; idle=$(( ($(usage) - u0) / 20 ))
echo "idle container: $idle us of CPU per second (subtracted below)"
forced() { # NAME
    local total=0 u0 t0 _
    for _ in 1 2 3 4 5 6; do
        main systemctl reset-failed ntp-monitor.service; sleep 3
        u0=$(usage); t0=$(date +%s%N)
        main systemctl start ntp-monitor.service
        sleep 2
        total=$(( total + $(usage) - u0 - idle * ($(date +%s%N) - t0) / 1000000000 ))
    done
    printf '%-66s %4d ms CPU per run\n' "$1" $(( total / 6 / 1000 ))
}
unit=/etc/systemd/system/ntp-monitor.service
cp "$root$unit" "$work/unit"
without() { # KEYS (a regular expression of unit keys): the unit without those lines
    grep -v -E "^($1)=" "$work/unit" >"$root$unit"
    main systemctl daemon-reload
}
forced "as installed (client + ExecStopPost, full sandbox)"
without 'ExecStopPost'
forced "without ExecStopPost="
without 'ProtectSystem|ReadWritePaths'
forced "without ProtectSystem=, ReadWritePaths="
without 'PrivateTmp|PrivateDevices|PrivateMounts|PrivateIPC'
forced "without Private*="
without 'ProtectKernelTunables|ProtectKernelModules|ProtectKernelLogs|ProtectControlGroups|ProtectClock|ProtectHostname|ProtectProc|ProcSubset|ProtectHome'
forced "without ProtectKernel*=, ProtectHome/Proc/Clock/Hostname/ControlGroups="
mounts='ProtectSystem|ReadWritePaths|PrivateTmp|PrivateDevices|PrivateMounts|PrivateIPC|ProtectKernelTunables|ProtectKernelModules|ProtectKernelLogs|ProtectControlGroups|ProtectClock|ProtectHostname|ProtectProc|ProcSubset|ProtectHome'
without "$mounts"
forced "without any namespace option (seccomp, capabilities kept)"
without "$mounts|SystemCallFilter|SystemCallArchitectures|SystemCallErrorNumber|Restrict[A-Za-z]*|LockPersonality"
forced "without namespaces and seccomp (capabilities kept)"
without "$mounts|ExecStart"
printf 'ExecStart=/bin/true\n' >>"$root$unit"; main systemctl daemon-reload
forced "/bin/true, no namespaces, seccomp and ExecStopPost= kept"
