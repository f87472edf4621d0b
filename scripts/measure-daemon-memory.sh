#!/usr/bin/env bash
# The default install's resident daemon (ntp-monitor-daemon.service) under other JVM options: its resident set
# (VmRSS, RssAnon, RssFile) and its CPU per check, in one lab container (lab/bin/lab-up: chronyd -x Pi Zero at
# 192.168.4.2, the main Pi a booted systemd-nspawn container). Each variant replaces the launcher's daemon options
# (the `opts=` lines of pintp-java's daemon branch), records the class-data archive with a first start, starts the
# daemon again with it, runs 5 warm-up checks and then 10 measured ones (systemctl start ntp-monitor.service, 2 s
# apart), and reads the daemon's /proc/PID/stat and /proc/PID/status. With NMT=1 the last variant also prints the
# JVM's native memory summary (-XX:NativeMemoryTracking=summary, printed at exit to the daemon's journal).
#
#   sudo scripts/measure-daemon-memory.sh            # the launcher's options, C1 against -Xint
#   sudo NMT=1 scripts/measure-daemon-memory.sh
#
# Builds nothing: needs lab/target/ntp-lab.jar and ntp-systemd/target/ntp-systemd.jar. Tears the lab down on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/lab/bin
# shellcheck source=../lab/bin/lab-lib.sh
. "$bin/lab-lib.sh"
jar=$here/ntp-systemd/target/ntp-systemd.jar
launcher=$here/ntp-systemd/src/main/dist/pintp-java
die() { echo "measure-daemon-memory: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (the lab)"
[[ -f $jar && -f $LAB_JAR ]] || die "build first: mvn -q -B -pl lab,ntp-systemd -am package -DskipTests"
id=mem$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /tmp/measure-daemon-memory.XXXXXX)
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
"$bin/lab-ctl" "$id" copy-in "$jar" /opt/pintp/ntp-systemd.jar
main java -jar /opt/pintp/ntp-systemd.jar install >/dev/null
run() { main systemctl reset-failed ntp-monitor.service; main systemctl start ntp-monitor.service || echo "a run failed" >&2; }

variant() { # NAME "OPTIONS": the daemon branch's options replaced by OPTIONS
    local name=$1 opts=$2 pid c0 c1
    # the launcher's daemon options are the three opts= lines after "trap : TERM INT HUP"
    awk -v o="$opts" '/^        opts="\$common -Xms/ {print "        opts=\"" o "\""; skip = 2; next}
        skip > 0 && /^        opts="\$opts/ {skip--; next} {print}' "$launcher" >"$work/pintp-java"
    grep -qF "opts=\"$opts\"" "$work/pintp-java" || die "cannot place the options in the launcher"
    "$bin/lab-ctl" "$id" copy-in "$work/pintp-java" /usr/local/lib/ntp-monitor/pintp-java
    main sh -c 'rm -f /var/cache/ntp-monitor/*-daemon.* /var/cache/ntp-monitor/.*-daemon.*'
    main systemctl restart ntp-monitor-daemon.service
    run                                           # the first start records the archive when it ends
    main systemctl restart ntp-monitor-daemon.service
    for _ in 1 2 3 4 5; do run; sleep 1; done     # warm-up
    pid=$(main systemctl show -p MainPID --value ntp-monitor-daemon.service)
    [[ $(main cat "/proc/$pid/comm") == java ]] || die "$name: the daemon's main process is not the JVM"
    c0=$(main cat "/proc/$pid/stat" | awk '{print $14 + $15}')
    for _ in 1 2 3 4 5 6 7 8 9 10; do run; sleep 2; done
    c1=$(main cat "/proc/$pid/stat" | awk '{print $14 + $15}')
    sleep 3
    printf '%-10s %s CPU per check %d ms (10 checks, 10 ms ticks)\n' "$name" \
        "$(main grep -E '^(VmRSS|RssAnon|RssFile):' "/proc/$pid/status" | awk '{printf "%s %.1f MiB  ", $1, $2 / 1024}')" \
        $(( (c1 - c0) * 10 / 10 ))
}
common="-XX:+UseSerialGC -XX:-UsePerfData -Xss512k"
rest="-Xms4m -Xmx24m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxMetaspaceSize=48m -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=10000 -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=1000"
variant C1 "$common -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=12m $rest"
variant Xint "$common -Xint $rest"
variant before "$common -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xms8m -Xmx24m -XX:ReservedCodeCacheSize=12m -XX:MaxMetaspaceSize=48m -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=10000"
if [[ ${NMT:-} == 1 ]]; then
    variant C1+NMT "$common -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=12m $rest -XX:NativeMemoryTracking=summary -XX:+PrintNMTStatistics"
    main systemctl stop ntp-monitor-daemon.service
    main journalctl -u ntp-monitor-daemon.service --no-pager -o cat -n 200 \
        | sed -n '/^Native Memory Tracking/,$p' | grep -E '^(Total|-)' | sed 's/^/  /'
fi
