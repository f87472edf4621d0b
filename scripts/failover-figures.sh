#!/usr/bin/env bash
# Failover time of the probe: how long after its start `ntp-probe --timeout 1s` prints FALLBACK_SYNCED when the
# primary's host is gone (no reply, no ICMP) and a fallback answers.
#
#   sudo scripts/failover-figures.sh [RUNS] [TIMEOUT]      (default 15 runs, --timeout 1s; needs root)
#
# Everything happens inside a private network namespace that this script creates and deletes (trap on exit):
#   - the primary 192.168.4.2 is on a veth link (pi0, 192.168.4.1/24) whose other end (pi0peer, no address) is in the
#     same namespace; a permanent neighbour entry sends its frames to a MAC address nobody has, so pi0peer discards
#     them: the sender sees neither a reply nor an ICMP error nor a local send error (no ARP failure either), like
#     a LAN host that is switched off. (`ip route add blackhole` would not do: a blackhole route fails the send at
#     once, which the probe reports as unreachable without waiting; dummy interfaces need a kernel module.)
#   - the fallback is chronyd -x on 127.0.0.1:123 of the namespace's loopback (scripts/lab-lib.sh).
# No packet leaves the namespace: its only other link has both ends inside it, and there is no route out.
# Each run is timed from just before the process is spawned to the moment its standard output delivers the line
# with FALLBACK_SYNCED, on the monotonic clock (python3). Commands measured:
#   launcher   ntp-probe/src/main/dist/ntp-probe (through pintp-java, as ./probe runs it: JVM flags and the
#              class-data archive, recorded by one untimed run first)
#   jar        java -jar ntp-probe/target/ntp-probe.jar
# both with: --timeout TIMEOUT --primary 192.168.4.2 --fallback 127.0.0.1
# Prints every run, then median and max per command. Requires chrony, iproute2, python3, a JDK; builds the jar if
# it is missing.
set -euo pipefail
runs=${1:-15}
timeout=${2:-1s}
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/ntp-probe/target/ntp-probe.jar"
launcher="$here/ntp-probe/src/main/dist/ntp-probe"

die() { echo "failover-figures: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root: it creates a network namespace and runs chronyd on port 123 inside it"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive number, was '$runs'"
[[ $timeout =~ ^[0-9]+(\.[0-9]+)?(ms|s)$ ]] || die "TIMEOUT must look like 1s or 800ms, was '$timeout'"
for c in chronyd ip java python3; do
    command -v "$c" >/dev/null || die "missing $c"
done
if [[ ! -f "$jar" ]]; then
    mvn -q -B -f "$here/pom.xml" -pl ntp-probe -am package -DskipTests
fi

. "$here/scripts/lab-lib.sh"
lab_chronyd_ns failover-figures
tmp=$lab_tmp
# the primary's link: frames to 192.168.4.2 go to a MAC address nobody has (above)
in_ns ip link add pi0 type veth peer name pi0peer
in_ns ip addr add 192.168.4.1/24 dev pi0
in_ns ip link set pi0 up
in_ns ip link set pi0peer up
in_ns ip neigh replace 192.168.4.2 lladdr 02:00:00:00:00:02 nud permanent dev pi0

# chronyd is up when the probe gets FALLBACK_SYNCED from it (this also warms the page cache for the jar)
ready=
for _ in $(seq 30); do
    # exit code 1 is FALLBACK_SYNCED's: read the output, not the status
    out=$(in_ns java -jar "$jar" --timeout 1s --primary 192.168.4.2 --fallback 127.0.0.1 2>/dev/null || true)
    if [[ $out == *FALLBACK_SYNCED* ]]; then
        ready=1
        break
    fi
    sleep 0.5
done
[[ -n "$ready" ]] || { cat "$tmp/chronyd.log" >&2; die "no FALLBACK_SYNCED from chronyd in the namespace"; }
# one launcher run first: pintp-java records its class-data archive on first use (docs/cost.md), as an installed
# probe has done long before anyone measures it
in_ns env NTP_PROBE_JAR="$jar" "$launcher" --timeout 1s --primary 192.168.4.2 --fallback 127.0.0.1 >/dev/null 2>&1 \
    || true

cat > "$tmp/timeit.py" <<'PY'
import statistics, subprocess, sys, time
runs = int(sys.argv[1])
commands = {"launcher": ["env", "NTP_PROBE_JAR=" + sys.argv[3], sys.argv[2]], "jar": ["java", "-jar", sys.argv[3]]}
args = sys.argv[4:]
for name, command in commands.items():
    times = []
    for i in range(runs):
        start = time.monotonic()
        p = subprocess.Popen(command + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        seen = None
        for line in p.stdout:
            if seen is None and "FALLBACK_SYNCED" in line:
                seen = time.monotonic() - start
        p.wait()
        if seen is None:
            sys.exit(f"{name} run {i + 1}: no FALLBACK_SYNCED (exit {p.returncode})")
        times.append(seen)
        print(f"{name} run {i + 1}: {seen:.3f} s")
    print(f"{name}: {runs} runs, median {statistics.median(times):.3f} s, max {max(times):.3f} s,"
          f" min {min(times):.3f} s")
PY
echo "ntp-probe --timeout $timeout --primary 192.168.4.2 (frames discarded, no ICMP) --fallback 127.0.0.1 (chronyd -x)"
echo "jar: $jar ($(date -r "$jar" -u +%FT%TZ)); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
in_ns python3 "$tmp/timeit.py" "$runs" "$launcher" "$jar" --timeout "$timeout" --primary 192.168.4.2 \
    --fallback 127.0.0.1
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
