#!/usr/bin/env bash
# The probe as users run it (./probe: the pintp-java launcher with its class-data archive) against ntpdig -t 1, in
# paired runs: A B A B ..., each figure from /usr/bin/time, the ratio taken pair by pair, medians printed.
#
#   sudo scripts/measure-probe-vs-ntpdig.sh [PAIRS]      (default 15 pairs per variant)
#
# The "LAN" is two network namespaces this script creates, joined by a veth pair: the Pi Zero (192.168.4.2, chronyd
# -x: it never touches the clock; local stratum 1, no sources, no command socket) and the client (192.168.4.1) where
# both commands run. Times are the kernel's rusage of each finished command (python3's os.wait4). Nothing leaves them; they are deleted on exit, also on failure or Ctrl-C.
# Variants (each paired with its own ntpdig runs):
#   probe        ./probe 192.168.4.2                        (JAVA unset: the default java, JDK 17 here)
#   ntp-probe    ntp-probe/src/main/dist/ntp-probe 192.168.4.2   (the probe's command script with the jar of
#                the build, NTP_PROBE_JAR; it shares ./probe's archive)
#   probe-jdk25  JAVA=$JDK25/bin/java ./probe 192.168.4.2   (when JDK25, default /usr/lib/jvm/temurin-25-jdk-amd64, exists;
#                its own archive directory)
#   java-jar     java -jar ntp-probe/target/ntp-probe.jar 192.168.4.2   (no launcher, no archive)
#   probe-trixie21  ./probe 192.168.4.2 on trixie's OpenJDK 21, in the lab's trixie root (TRIXIE_ROOT, default
#                /var/cache/pintp-lab/trixie-root, made by lab/bin/lab-prepare-trixie; skipped without it): a
#                throwaway overlay of that root (never written) with /proc, /dev, this tree and the script's
#                directory bound in, entered with chroot; its own archive directory
#   before       BEFORE/probe 192.168.4.2, when BEFORE names another built tree (an export of an older commit:
#                git archive REV | tar -x -C DIR, then mvn -q -B -f DIR/pom.xml -pl ntp-probe -am package
#                -DskipTests): run in the same session as probe, so that the two can be compared under the same load;
#                also before-jdk25 and before-trixie21 where those JDKs are
#   version      java -version, and version-jdk25, version-trixie21 on those JDKs: the floor of an empty JVM with the
#                JDK's own class-data archive (no launcher, no probe), against which the probe's figures can be read
# VARIANTS (default: all of them that can run) picks some, e.g. VARIANTS="probe before".
# The first run of each variant (not counted) records the launcher's archive.
set -euo pipefail
PAIRS=${1:-15}
here=$(cd "$(dirname "$0")/.." && pwd)
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
TRIXIE_ROOT=${TRIXIE_ROOT:-/var/cache/pintp-lab/trixie-root}
JDK21=/usr/lib/jvm/java-21-openjdk-amd64
VARIANTS=${VARIANTS:-probe ntp-probe probe-jdk25 probe-trixie21 before java-jar version}
wanted() { case " $VARIANTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
die() { echo "measure-probe-vs-ntpdig: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (network namespaces)"
for c in chronyd ntpdig ip java python3; do command -v "$c" >/dev/null || die "missing $c"; done
jar=$here/ntp-probe/target/ntp-probe.jar
[[ -f $jar ]] || die "build first: mvn -q -B -pl ntp-probe -am package -DskipTests"

tmp=$(mktemp -d /tmp/measure-probe.XXXXXX)
chmod 755 "$tmp"
srv=pintp-probe-$$-zero cli=pintp-probe-$$-main
mounts=()
cleanup() {
    trap '' INT TERM HUP
    local m
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    [[ -s $tmp/chronyd.pid ]] && kill "$(cat "$tmp/chronyd.pid")" 2>/dev/null || true
    [[ -n ${runner:-} ]] && wait "$runner" 2>/dev/null || true
    ip netns delete "$srv" 2>/dev/null || true
    ip netns delete "$cli" 2>/dev/null || true
    # never rm -rf through a bind mount of this tree that failed to come off
    if grep -qF " $tmp/" /proc/mounts; then
        echo "measure-probe-vs-ntpdig: mounts left under $tmp, not removed" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

ip netns add "$srv"
ip netns add "$cli"
ip -n "$srv" link set lo up
ip -n "$cli" link set lo up
ip -n "$cli" link add eth0 type veth peer name eth0 netns "$srv"
ip -n "$cli" addr add 192.168.4.1/24 dev eth0
ip -n "$srv" addr add 192.168.4.2/24 dev eth0
ip -n "$cli" link set eth0 up
ip -n "$srv" link set eth0 up
cat >"$tmp/chrony.conf" <<CONF
port 123
bindaddress 192.168.4.2
allow 192.168.4.0/24
local stratum 1
cmdport 0
bindcmdaddress /
pidfile $tmp/chronyd.pid
driftfile $tmp/drift
CONF
ip netns exec "$srv" chronyd -x -d -f "$tmp/chrony.conf" >"$tmp/chronyd.log" 2>&1 &
runner=$!
for _ in $(seq 50); do [[ -s $tmp/chronyd.pid ]] && break; sleep 0.1; done
[[ -s $tmp/chronyd.pid ]] || { cat "$tmp/chronyd.log" >&2; die "chronyd did not start"; }
in_cli() { ip netns exec "$cli" "$@"; }
for _ in $(seq 50); do in_cli ntpdig -t 1 192.168.4.2 >/dev/null 2>&1 && break; sleep 0.2; done

# One run: fork, exec, wait4; appends "wall_s user_s sys_s maxrss_kib" (the kernel's rusage of the child, in us,
# unlike /usr/bin/time's 10 ms steps). ip netns exec execs the command, so the figures are the command's.
cat >"$tmp/timed.py" <<'PY'
import os, sys, time
out = sys.argv[1]
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    fd = os.open(os.devnull, os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(fd, i)
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
with open(out, "a") as f:
    f.write("%.6f %.6f %.6f %d\n" % (wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
PY
timed() { # file, command...
    local f=$1; shift
    python3 "$tmp/timed.py" "$f" ip netns exec "$cli" "$@"
}
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
printf '%-15s %9s %9s %9s %9s %9s %9s %8s %8s %8s\n' variant "wall ms" "cpu ms" "RSS MiB" "ntpdig w" "ntpdig c" \
    "ntpdig M" "wall x" "cpu x" "RSS x"
variant() { # name, command...
    local name=$1; shift
    local a=$tmp/$name.a b=$tmp/$name.b
    : >"$a"; : >"$b"
    ip netns exec "$cli" "$@" >/dev/null 2>&1 || true   # warm-up: records the launcher's archive
    ip netns exec "$cli" ntpdig -t 1 192.168.4.2 >/dev/null 2>&1 || true
    for _ in $(seq "$PAIRS"); do
        timed "$a" "$@"
        timed "$b" ntpdig -t 1 192.168.4.2
    done
    local wa ca ma wb cb mb rw rc rm
    wa=$(awk '{print $1 * 1000}' "$a" | median); ca=$(awk '{print ($2 + $3) * 1000}' "$a" | median)
    ma=$(awk '{print $4 / 1024}' "$a" | median)
    wb=$(awk '{print $1 * 1000}' "$b" | median); cb=$(awk '{print ($2 + $3) * 1000}' "$b" | median)
    mb=$(awk '{print $4 / 1024}' "$b" | median)
    rw=$(paste "$a" "$b" | awk '$5 > 0 {print $1 / $5}' | median)
    rc=$(paste "$a" "$b" | awk '($6 + $7) > 0 {print ($2 + $3) / ($6 + $7)}' | median)
    rm=$(paste "$a" "$b" | awk '$8 > 0 {print $4 / $8}' | median)
    printf '%-15s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %8.2f %8.2f %8.2f\n' "$name" "$wa" "$ca" "$ma" "$wb" "$cb" "$mb" \
        "$rw" "$rc" "$rm"
}
# mount, remembered for cleanup (innermost first)
mnt() { mount "$@"; mounts=("${!#}" "${mounts[@]}"); }
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average before: $(load)"
if wanted probe; then variant probe "$here/probe" 192.168.4.2; fi
if wanted before && [[ -n ${BEFORE:-} ]]; then
    [[ -f $BEFORE/ntp-probe/target/ntp-probe.jar ]] || die "BEFORE=$BEFORE: build it first"
    variant before "$BEFORE/probe" 192.168.4.2
fi
if wanted ntp-probe; then
    NTP_PROBE_JAR=$jar variant ntp-probe "$here/ntp-probe/src/main/dist/ntp-probe" 192.168.4.2
fi
if [[ -x $JDK25/bin/java ]]; then
    if wanted probe-jdk25; then
        variant probe-jdk25 env JAVA="$JDK25/bin/java" PINTP_CACHE_DIR="$tmp/cache25" "$here/probe" 192.168.4.2
    fi
    if wanted version; then variant version-jdk25 "$JDK25/bin/java" -version; fi
    if wanted before && [[ -n ${BEFORE:-} ]]; then
        variant before-jdk25 env JAVA="$JDK25/bin/java" PINTP_CACHE_DIR="$tmp/cache25b" "$BEFORE/probe" 192.168.4.2
    fi
fi
if [[ -x $TRIXIE_ROOT$JDK21/bin/java ]] && { wanted probe-trixie21 || wanted version || { wanted before && [[ -n ${BEFORE:-} ]]; }; }; then
    root=$tmp/trixie
    mkdir -p "$root/upper" "$root/work" "$root/merged"
    mnt -t overlay overlay -o "lowerdir=$TRIXIE_ROOT,upperdir=$root/upper,workdir=$root/work" "$root/merged"
    for d in /proc /dev "$here" "$tmp" ${BEFORE:+"$BEFORE"}; do
        mkdir -p "$root/merged$d"
        mnt --bind "$d" "$root/merged$d"
    done
    if wanted probe-trixie21; then
        variant probe-trixie21 chroot "$root/merged" env JAVA=$JDK21/bin/java PINTP_CACHE_DIR="$tmp/cache21" \
            "$here/probe" 192.168.4.2
    fi
    if wanted version; then variant version-trixie21 chroot "$root/merged" $JDK21/bin/java -version; fi
    if wanted before && [[ -n ${BEFORE:-} ]]; then
        variant before-trixie21 chroot "$root/merged" env JAVA=$JDK21/bin/java PINTP_CACHE_DIR="$tmp/cache21b" \
            "$BEFORE/probe" 192.168.4.2
    fi
fi
if wanted java-jar; then variant java-jar java -jar "$jar" 192.168.4.2; fi
if wanted version; then variant version java -version; fi
echo "load average after: $(load)"
echo "(medians of $PAIRS pairs; x = A/B per pair, then the median of the ratios; RSS = peak of the largest process)"
