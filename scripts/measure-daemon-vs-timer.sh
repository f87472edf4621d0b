#!/usr/bin/env bash
# Measures CPU time and memory of the ntp-monitor job as a timer (one JVM per run) and as a daemon (one JVM, a cycle
# every interval), against a real chronyd serving on 127.0.0.1:11123 (started with -x: it never touches the clock).
# systemctl is replaced by /bin/true and every file goes under a temporary root: nothing on the host changes.
# Usage: scripts/measure-daemon-vs-timer.sh [RUNS] [FAST_SECONDS] [SLOW_MINUTES]
#   RUNS          timer-mode runs (default 30)
#   FAST_SECONDS  daemon with Interval=1s for this long (default 120)
#   SLOW_MINUTES  daemon with Interval=60s measured for this long after two warm-up cycles (default 10; 0 skips)
set -euo pipefail
RUNS=${1:-30}
FAST=${2:-120}
SLOW=${3:-10}
JAR=$(cd "$(dirname "$0")/.." && pwd)/ntp-systemd/target/ntp-systemd.jar
[ -f "$JAR" ] || { echo "build first: mvn -q -B -pl ntp-systemd -am package -DskipTests" >&2; exit 2; }
HZ=$(getconf CLK_TCK)
# the options of the installed units (Render.JVM_FLAGS)
FLAGS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData"
W=$(mktemp -d)
CHRONY_PID=""
DAEMON_PID=""
cleanup() {
    [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null || true
    [ -n "$CHRONY_PID" ] && kill "$CHRONY_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
cp "$JAR" "$W/ntp-systemd.jar" # a rebuild during the measurement must not change the classes under a running JVM
JAR=$W/ntp-systemd.jar

cat > "$W/chrony.conf" <<CONF
port 11123
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 1
cmdport 0
pidfile $W/chronyd.pid
driftfile $W/chrony.drift
CONF
/usr/sbin/chronyd -x -d -f "$W/chrony.conf" > "$W/chronyd.log" 2>&1 &
CHRONY_PID=$!
sleep 1

config() { # $1 root, $2 interval
    mkdir -p "$1/etc/ntp-monitor"
    printf '[Servers]\nPrimary=127.0.0.1:11123\nFallback=\n[Decision]\nInterval=%s\n' "$2" \
        > "$1/etc/ntp-monitor/ntp-monitor.conf"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "== timer: one JVM per run (flags of ntp-monitor.service), $RUNS runs"
config "$W/timer" 60s
java $FLAGS -Xmx48m -jar "$JAR" run --root "$W/timer" --systemctl /bin/true > /dev/null
: > "$W/timer.txt"
for _ in $(seq "$RUNS"); do
    /usr/bin/time -a -o "$W/timer.txt" -f "%U %S %M %e" \
        java $FLAGS -Xmx48m -jar "$JAR" run --root "$W/timer" \
        --systemctl /bin/true > /dev/null
done
awk '{cpu += $1 + $2; rss += $3; wall += $4; if ($3 > max) max = $3} END {
    printf "timer: CPU %.0f ms/run (user+sys), wall %.0f ms/run, peak RSS %.1f MiB mean, %.1f MiB max\n",
        1000 * cpu / NR, 1000 * wall / NR, rss / NR / 1024, max / 1024
    printf "timer: per hour at one run a minute: %.1f s CPU\n", 60 * cpu / NR }' "$W/timer.txt"

echo "== daemon, Interval=1s for ${FAST}s (cost of one cycle)"
config "$W/fast" 1s
java $FLAGS -Xmx32m -jar "$JAR" daemon --root "$W/fast" \
    --systemctl /bin/true > "$W/fast.log" &
DAEMON_PID=$!
sleep 20 # start-up and JIT warm-up, then measure the steady state
t0=$(cpu_ticks $DAEMON_PID); c0=$(grep -c '^check ' "$W/fast.log")
sleep "$FAST"
t1=$(cpu_ticks $DAEMON_PID); c1=$(grep -c '^check ' "$W/fast.log")
rss=$(awk '/VmRSS/ {print $2}' /proc/$DAEMON_PID/status)
kill $DAEMON_PID; wait $DAEMON_PID 2>/dev/null || true; DAEMON_PID=""
awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) -v hz="$HZ" -v rss="$rss" 'BEGIN {
    printf "daemon: %d cycles, CPU %.2f ms/cycle, RSS %.1f MiB\n", c, 1000 * t / hz / c, rss / 1024
    printf "daemon: per hour at one cycle a minute (cycles only): %.2f s CPU\n", 60 * t / hz / c }'

if [ "$SLOW" -gt 0 ]; then
    echo "== daemon, Interval=60s, measured for ${SLOW} min after two warm-up cycles (cycles plus idle JVM)"
    config "$W/slow" 60s
    java $FLAGS -Xmx32m -jar "$JAR" daemon --root "$W/slow" \
        --systemctl /bin/true > "$W/slow.log" &
    DAEMON_PID=$!
    sleep 125
    t0=$(cpu_ticks $DAEMON_PID); c0=$(grep -c '^check ' "$W/slow.log")
    sleep $((SLOW * 60))
    t1=$(cpu_ticks $DAEMON_PID); c1=$(grep -c '^check ' "$W/slow.log")
    rss=$(awk '/VmRSS/ {print $2}' /proc/$DAEMON_PID/status)
    kill $DAEMON_PID; wait $DAEMON_PID 2>/dev/null || true; DAEMON_PID=""
    awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) -v hz="$HZ" -v rss="$rss" -v min="$SLOW" 'BEGIN {
        printf "daemon: %d cycles in %d min, CPU %.2f s, RSS %.1f MiB\n", c, min, t / hz, rss / 1024
        printf "daemon: per hour: %.2f s CPU (resolution %.0f ms)\n", 60 / min * t / hz, 1000 / hz }'
fi
