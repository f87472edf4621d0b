#!/usr/bin/env bash
# Where the CPU of one run of the default install goes: the container's CPU (its cgroup's usage_usec, idle
# subtracted) for runs of ntp-monitor.service started by hand (6 per variant, 5 s apart), with the installed client
# unit as it is and with the full sandbox of the units that run the job (the daemon's) added back, without its
# system call filter, and with /bin/true as its command; and the same runs split by cgroup: the container's PID 1
# (init.scope), the resident daemon (its check), journald, and the rest (the client itself, short-lived helpers).
# The unit file is edited in the container; the resident daemon as installed. In one lab container
# (lab/bin/lab-up: chronyd -x Pi Zero).
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
sub() { # the usage_usec of the container's cgroup whose path ends in $1 (0 when there is none)
    local f; f=$(find "$cg" -path "*/$1/cpu.stat" 2>/dev/null | head -n1)
    [[ -n $f ]] && awk '$1 == "usage_usec" {print $2}' "$f" || echo 0
}
parts() { echo "$(usage) $(sub init.scope) $(sub ntp-monitor-daemon.service) $(sub systemd-journald.service)"; }
u0=$(usage); read -r _ p0 d0 j0 <<<"$(parts)"; sleep 20; idle=$(( ($(usage) - u0) / 20 ))
read -r _ p1 d1 j1 <<<"$(parts)"
echo "idle container: $idle us of CPU per second (subtracted below); of it PID 1 $(( (p1 - p0) / 20 )), the daemon $(( (d1 - d0) / 20 )), journald $(( (j1 - j0) / 20 ))"
forced() { # NAME
    local total=0 u0 t0 _ a b pid1=0 daemon=0 journal=0 t
    for _ in 1 2 3 4 5 6; do
        main systemctl reset-failed ntp-monitor.service; sleep 3
        read -r u0 a0 b0 c0 <<<"$(parts)"; t0=$(date +%s%N)
        main systemctl start ntp-monitor.service
        sleep 2
        read -r u1 a1 b1 c1 <<<"$(parts)"; t=$(( ($(date +%s%N) - t0) / 1000000 ))
        total=$(( total + u1 - u0 - idle * t / 1000 ))
        pid1=$(( pid1 + a1 - a0 )); daemon=$(( daemon + b1 - b0 )); journal=$(( journal + c1 - c0 ))
    done
    printf '%-58s %4d ms CPU per run (PID 1 %d, daemon %d, journald %d, rest %d; idle not subtracted from parts)\n' \
        "$1" $(( total / 6 / 1000 )) $(( pid1 / 6000 )) $(( daemon / 6000 )) $(( journal / 6000 )) \
        $(( (total - pid1 - daemon - journal) / 6000 ))
}
unit=/etc/systemd/system/ntp-monitor.service
cp "$root$unit" "$work/unit"
# the daemon's sandbox lines (from its Environment=JAVA... on), as a client would have them
sed -n '/^Environment=JAVA=/,$p' "$root/etc/systemd/system/ntp-monitor-daemon.service" >"$work/sandbox"
variant() { # FILTER_REGEX_OR_EMPTY EXTRA_FILE_OR_EMPTY: the installed unit without those keys, plus those lines
    if [[ -n $1 ]]; then grep -v -E "^($1)=" "$work/unit"; else cat "$work/unit"; fi >"$root$unit"
    [[ -z $2 ]] || cat "$2" >>"$root$unit"
    main systemctl daemon-reload
}
client_sandbox='CapabilityBoundingSet|AmbientCapabilities|NoNewPrivileges|Restrict[A-Za-z]*|LockPersonality|MemoryDenyWriteExecute|SystemCallArchitectures|SystemCallFilter|SystemCallErrorNumber|UMask|RuntimeDirectory|RuntimeDirectoryPreserve|Environment'
variant '' ''
forced "as installed (client sandbox, OnFailure= fail-safe)"
variant "$client_sandbox" "$work/sandbox"
forced "with the daemon's full sandbox (mount namespaces)"
variant 'SystemCallFilter|SystemCallArchitectures|SystemCallErrorNumber|Restrict[A-Za-z]*|LockPersonality|MemoryDenyWriteExecute' ''
forced "without the system call filter (capabilities kept)"
variant 'ExecStart' ''
printf 'ExecStart=/bin/true\n' >>"$root$unit"; main systemctl daemon-reload
forced "/bin/true as ExecStart, the client's sandbox kept"
