#!/usr/bin/env bash
# Start-up cost of ntp-probe against ntpdig (ntpsec), both asking the same chronyd in the same run.
#
#   sudo scripts/bench-probe.sh [RUNS]          (default 30 runs per command; needs root)
#
# ntpdig cannot be pointed at another port, so chronyd serves on port 123 of the loopback interface of a private
# network namespace that this script creates and deletes; both clients run inside it, nothing leaves it. chronyd
# runs with -x (never touches the clock), `local stratum 1`, no sources, no command socket, files in a temp dir.
# Prints wall time (hyperfine), CPU time user+sys (hyperfine) and peak RSS (/usr/bin/time -v, median) per command
# and as ratios to ntpdig. Commands measured:
#   ntpdig          ntpdig -t 1 127.0.0.1                  (one sample, ntpdig's default)
#   jar             java -jar ntp-probe.jar 127.0.0.1      (defaults: 4 samples)
#   jar-1           java -jar ntp-probe.jar --samples 1 127.0.0.1
#   launcher        ntp-probe/src/main/dist/ntp-probe 127.0.0.1   (JVM flags + AppCDS archive made by a first run)
#   jar-version, launcher-version   the same two with --version instead of a server: JVM start, argument parsing
#                   and one line of output, no check; the floor under the figures above
#   bare-java       java -jar bare-sntp.jar 127.0.0.1: a 20-line Java program sending one SNTP request, no checks;
#                   what any plain `java -jar` client costs at least
# Requires: chrony, hyperfine, time, ntpsec-ntpdig, iproute2, python3, a JDK; builds the jar if it is missing.
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
jar="$here/ntp-probe/target/ntp-probe.jar"
launcher="$here/ntp-probe/src/main/dist/ntp-probe"

die() { echo "bench-probe: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root: it creates a network namespace and runs chronyd on port 123 inside it"
for c in chronyd hyperfine ntpdig ip java python3 /usr/bin/time; do
    command -v "$c" >/dev/null || die "missing $c"
done
if [[ ! -f "$jar" ]]; then
    mvn -q -B -f "$here/pom.xml" -pl ntp-probe -am package -DskipTests
fi

. "$here/scripts/lab-lib.sh"
lab_chronyd_ns bench-probe
tmp=$lab_tmp

ready=
for _ in $(seq 50); do
    if in_ns ntpdig -t 1 127.0.0.1 >/dev/null 2>&1; then ready=1; break; fi
    sleep 0.2
done
[[ -n "$ready" ]] || { cat "$tmp/chronyd.log" >&2; die "chronyd did not answer"; }

# the floor for any JVM client: one bare SNTP exchange, no validation, no library (not a usable client)
cat > "$tmp/BareSntp.java" <<'JAVA'
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;

public class BareSntp {
    public static void main(String[] args) throws Exception {
        byte[] b = new byte[48];
        b[0] = 0x23; // version 4, mode 3
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            s.connect(InetAddress.getByName(args[0]), 123);
            s.send(new DatagramPacket(b, 48));
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            s.receive(p);
            long secs = ((b = p.getData())[40] & 0xffL) << 24 | (b[41] & 0xff) << 16 | (b[42] & 0xff) << 8 | (b[43] & 0xff);
            System.out.println("server time " + (secs - 2_208_988_800L) + " s since 1970");
        }
    }
}
JAVA
javac -d "$tmp/bare" "$tmp/BareSntp.java"
jar cfe "$tmp/bare-sntp.jar" BareSntp -C "$tmp/bare" .

cp "$jar" "$tmp/ntp-probe.jar"
export NTP_PROBE_JAR="$tmp/ntp-probe.jar" PINTP_CACHE_DIR="$tmp"
in_ns "$launcher" 127.0.0.1 >/dev/null || [[ $? -le 2 ]]   # the first run records the archive
[[ -s "$tmp/ntp-probe-probe.jsa" ]] || die "no CDS archive was written"

# every command must succeed against chronyd before it is timed
in_ns ntpdig -t 1 127.0.0.1 >/dev/null
in_ns java -jar "$tmp/ntp-probe.jar" 127.0.0.1 >/dev/null
in_ns "$launcher" 127.0.0.1 >/dev/null
in_ns java -jar "$tmp/bare-sntp.jar" 127.0.0.1 >/dev/null

names=(ntpdig jar jar-1 launcher jar-version launcher-version bare-java)
cmds=(
    "ntpdig -t 1 127.0.0.1"
    "java -jar $tmp/ntp-probe.jar 127.0.0.1"
    "java -jar $tmp/ntp-probe.jar --samples 1 127.0.0.1"
    "$launcher 127.0.0.1"
    "java -jar $tmp/ntp-probe.jar --version"
    "$launcher --version"
    "java -jar $tmp/bare-sntp.jar 127.0.0.1"
)
load_before=$(cut -d" " -f1-3 /proc/loadavg)
hargs=()
for i in "${!cmds[@]}"; do hargs+=(-n "${names[$i]}" "${cmds[$i]}"); done
in_ns hyperfine -N --warmup 3 --runs "$runs" --export-json "$tmp/hyperfine.json" "${hargs[@]}" >&2

for i in "${!cmds[@]}"; do
    for _ in $(seq "$runs"); do
        # shellcheck disable=SC2086 # the command is a list of words
        in_ns /usr/bin/time -v ${cmds[$i]} 2>&1 >/dev/null | awk -v n="${names[$i]}" '/Maximum resident/ {print n, $NF}'
    done
done > "$tmp/rss.txt"

echo "load average before: $load_before, after: $(cut -d" " -f1-3 /proc/loadavg)"
python3 - "$tmp/hyperfine.json" "$tmp/rss.txt" <<'PY'
import json, statistics, sys
h = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = {}
for line in open(sys.argv[2]):
    n, kb = line.split()
    rss.setdefault(n, []).append(int(kb))
def row(n):
    r = h[n]
    return r["median"] * 1000, (r["user"] + r["system"]) * 1000, statistics.median(rss[n]) / 1024
base = row("ntpdig")
print("| command | wall ms (median) | CPU ms (user+sys, mean) | peak RSS MiB (median) | wall / ntpdig | CPU / ntpdig | RSS / ntpdig |")
print("|---|---:|---:|---:|---:|---:|---:|")
for n in ["ntpdig", "jar", "jar-1", "launcher", "jar-version", "launcher-version", "bare-java"]:
    w, c, m = row(n)
    print(f"| {n} | {w:.1f} | {c:.1f} | {m:.1f} | {w / base[0]:.2f} | {c / base[1]:.2f} | {m / base[2]:.2f} |")
PY
