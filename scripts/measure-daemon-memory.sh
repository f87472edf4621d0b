#!/usr/bin/env bash
# The default install's resident daemon (ntp-monitor-daemon.service) under other JVM options: its resident set
# (VmRSS, RssAnon, RssFile) and its CPU per check, in one lab container (lab/bin/lab-up: chronyd -x Pi Zero at
# 192.168.4.2, the main Pi a booted systemd-nspawn container). Each variant replaces the launcher's daemon options
# (the `opts=` lines of pintp-java's daemon branch), records the class-data archive with a first start, starts the
# daemon again with it, runs 5 warm-up checks and then 10 measured ones (systemctl start ntp-monitor.service, 2 s
# apart), and reads the daemon's /proc/PID/stat, /proc/PID/status and /proc/PID/smaps: its CPU per check and per
# second idle (20 s without a check), VmRSS, RssAnon, RssFile, its number of threads, Pss, and Rss by mapping
# (libjvm.so, the class-data archive, the Java heap, the code cache, the rest of the anonymous memory: metaspace,
# thread stacks, malloc). The jar's build decides the threads: since serve's query threads end 10 s after a check,
# the 20 s idle finds none of them.
# The last lines are the floor: an empty JVM (a main that sleeps) under the daemon's options, with the JDK's default
# archive and without any, on each JDK (JDKS, default: java on PATH). With NMT=1 the last variant also prints the
# JVM's native memory summary (-XX:NativeMemoryTracking=summary, printed at exit to the daemon's journal).
#
#   sudo scripts/measure-daemon-memory.sh            # the launcher's options, before, -Xint, no archive
#   sudo NMT=1 scripts/measure-daemon-memory.sh
#   sudo JDKS="/usr/bin/java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java" scripts/measure-daemon-memory.sh
#   sudo VARIANTS=launcher CLASSES=/tmp/classes.txt JAR=/tmp/other.jar scripts/measure-daemon-memory.sh
# VARIANTS (default "launcher before Xint no-archive") picks the variants; JAR another build of ntp-systemd.jar; with
# CLASSES=FILE a last variant runs the launcher's options with -Xlog:class+load (to the journal) and writes the
# daemon's loaded classes, in load order, to FILE, and prints their number (which is not this variant's memory).
#
# Builds nothing: needs lab/target/ntp-lab.jar and ntp-systemd/target/ntp-systemd.jar. Tears the lab down on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/lab/bin
# shellcheck source=../lab/bin/lab-lib.sh
. "$bin/lab-lib.sh"
jar=${JAR:-$here/ntp-systemd/target/ntp-systemd.jar}
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

# Rss and Pss (KiB) of /proc/PID/smaps on stdin by kind of mapping, one "KIND=MiB" each; an anonymous mapping below
# 4 GiB (8 hex digits) is the Java heap (-Xmx24m with compressed oops is placed there), an executable one the code cache
breakdown() {
    awk 'function add() { if (k != "") { r[k] += rss; p += pss } }
        /^[0-9a-f]+-[0-9a-f]+ / { add(); split($1, a, "-"); path = $6; rss = 0; pss = 0
            if (path ~ /libjvm\.so$/) k = "libjvm"; else if (path ~ /\.jsa$/) k = "archive"
            else if (path ~ /\.so/) k = "other.so"; else if (path != "" && path !~ /^\[/) k = "files"
            else if (path == "[heap]" || path == "[stack]" || path == "") {
                if (path == "" && $2 ~ /x/) k = "code"; else if (path == "" && length(a[1]) <= 8) k = "heap"; else k = "anon" }
            else k = "other"; next }
        /^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 }
        END { add(); printf "Pss %.1f MiB; Rss by mapping:", p / 1024
            n = split("libjvm archive other.so files heap code anon other", o, " ")
            for (i = 1; i <= n; i++) printf " %s %.1f", o[i], r[o[i]] / 1024; print "" }'
}
ticks() { main cat "/proc/$1/stat" | awk '{print $14 + $15}'; }
report() { # NAME PID CPU-PER-CHECK-TEXT
    printf '%-12s %s%s\n' "$1" \
        "$(main grep -E '^(VmRSS|RssAnon|RssFile|Threads):' "/proc/$2/status" \
            | awk '$1 == "Threads:" {printf "%s %d  ", $1, $2; next} {printf "%s %.1f MiB  ", $1, $2 / 1024}')" "$3"
    printf '%-12s %s\n' "" "$(main cat "/proc/$2/smaps" | breakdown)"
}

want() { [[ " ${VARIANTS:-launcher before Xint no-archive} " == *" $1 "* ]]; }
variant() { # NAME "OPTIONS": the daemon branch's options replaced by OPTIONS
    local name=$1 opts=$2 pid c0 c1 c2
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
    c0=$(ticks "$pid")
    for _ in 1 2 3 4 5 6 7 8 9 10; do run; sleep 2; done
    c1=$(ticks "$pid")
    sleep 20
    c2=$(ticks "$pid")
    report "$name" "$pid" "CPU per check $(( (c1 - c0) * 10 / 10 )) ms (10 checks), idle $(( (c2 - c1) * 10 )) ms in 20 s (10 ms ticks)"
}

floor() { # JAVA "OPTIONS": an empty JVM that sleeps, in the container's system slice
    local unit pid
    unit=pintp-mem-floor-$RANDOM
    # shellcheck disable=SC2086 # $2 is a list of options
    main systemd-run --quiet --unit="$unit" -p Type=simple "$1" $2 -cp /var/tmp/pintp-mem Sleep
    sleep 5
    pid=$(main systemctl show -p MainPID --value "$unit")
    [[ $pid != 0 ]] || die "the empty JVM ($1 $2) did not start"
    report "empty JVM" "$pid" "  ($1, ${2##* })"
    main systemctl kill -s KILL "$unit" || true
    sleep 0.5
    main systemctl reset-failed "$unit" 2>/dev/null || true
}
common="-XX:+UseSerialGC -XX:-UsePerfData -Xss512k"
now="-XX:CompileThresholdScaling=10 -XX:StringTableSize=1024" # added 2026-12-04
c1="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=12m"
rest="-Xms4m -Xmx24m -Xmn1m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxMetaspaceSize=48m -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=10000 -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=1000"
read -r -a jdks <<<"${JDKS:-$(main sh -c 'command -v java')}"
for java in "${jdks[@]}"; do
    main test -x "$java" || die "no $java in the container"
    main mkdir -p /etc/systemd/system/ntp-monitor-daemon.service.d
    main sh -c "printf '[Service]\nEnvironment=JAVA=%s\n' '$java' >/etc/systemd/system/ntp-monitor-daemon.service.d/50-measure-java.conf"
    main systemctl daemon-reload
    version=$(main "$java" -version 2>&1 | sed -n 1p)
    echo "== $java: $version"
    want launcher && variant launcher "$common $c1 $now $rest"     # the launcher's options now
    want before && variant before "$common $c1 $rest"  # before 2026-12-04: C1 at the usual thresholds, 65536 buckets
    want Xint && variant Xint "$common -Xint $now $rest"
    # no archive at all (classes parsed into metaspace); JDK 25's AOT cache recording refuses -Xshare:off
    if want no-archive && [[ $version =~ \"(1[3-9]|2[0-4])[.\"] ]]; then
        variant no-archive "$common $c1 $now $rest -Xshare:off"
    fi
    if [[ -n ${CLASSES:-} ]]; then
        variant launcher+classes "$common $c1 $now $rest -Xlog:class+load"
        pid=$(main systemctl show -p MainPID --value ntp-monitor-daemon.service)
        main journalctl "_PID=$pid" --no-pager -o cat | grep -F '[class,load]' >"$CLASSES" || true
        echo "launcher+classes: $(wc -l <"$CLASSES") classes loaded (in $CLASSES)"
    fi
done
if [[ ${NMT:-} == 1 ]]; then
    variant launcher+NMT "$common $c1 $now $rest -XX:NativeMemoryTracking=summary -XX:+PrintNMTStatistics"
    main systemctl stop ntp-monitor-daemon.service
    main journalctl -u ntp-monitor-daemon.service --no-pager -o cat -n 200 \
        | sed -n '/^Native Memory Tracking/,$p' | grep -E '^(Total|-)' | sed 's/^/  /'
fi
command -v javac >/dev/null || die "javac is needed for the empty JVM"
printf 'public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(600_000); } }\n' >"$work/Sleep.java"
javac --release 17 -d "$work" "$work/Sleep.java"
"$bin/lab-ctl" "$id" copy-in "$work/Sleep.class" /var/tmp/pintp-mem/Sleep.class
for java in "${jdks[@]}"; do
    floor "$java" "$common $c1 $now -Xms4m -Xmx24m -Xshare:auto"
    floor "$java" "$common $c1 $now -Xms4m -Xmx24m -Xshare:off"
done
