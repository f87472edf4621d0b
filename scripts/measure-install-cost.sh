#!/usr/bin/env bash
# What watching the clock costs, side by side in ONE systemd-nspawn container of the lab (lab/bin/lab-up) against the
# same chronyd "Pi Zero" (192.168.4.2, chronyd -x; the container has no CAP_SYS_TIME): the original design's
# ntp-monitor.sh on its own timer, then pintp's default install (ntp-monitor.timer starting the oneshot
# ntp-monitor.service, whose shell client asks the resident ntp-monitor-daemon.service for a check). Every process in the
# container is counted (the units and their children, D-Bus-activated helpers, the container's PID 1, journald):
# CPU is the container cgroup's usage_usec, and the container's idle rate, measured first, is subtracted.
#
#   sudo scripts/measure-install-cost.sh [WINDOW_SECONDS] [FORCED_RUNS]
#     WINDOW_SECONDS  about how long each measured window is (default 240; the timers run about once a minute): a
#                     window holds exactly round(WINDOW_SECONDS / 65) timer runs, from 2 s after one run ended to 2 s
#                     after the last of them ended, so that every variant is measured over the same number of runs
#                     (a fixed-length window holds 3 or 4 of them by chance: RandomizedDelaySec=10s)
#     FORCED_RUNS     after each timer window, this many runs started by hand (systemctl start, 3 s apart), for the
#                     cost of one run (default 5; 0 skips)
#   VARIANTS          which pintp variants besides the default (words, default none): "job" (a JVM per run through
#                     pintp-java job, the default before the daemon: ntp-monitor.service is a oneshot that runs
#                     "pintp-java job JAR run" under the full sandbox of the JVM units, its [Service] section taken
#                     from the installed ntp-monitor-fail-safe.service; OnFailure= and the timer as installed; no
#                     daemon)
#
# Runs are counted from the host (journalctl -D on the container's journal: no process in the container). Before the
# default install's window the resident daemon, restarted once (its class-data archive), answers 10 checks started
# by hand, 3 s apart: the window measures a daemon past its first checks, as it is for all but the first minutes after a boot
# (what those first checks cost is printed: "daemon warm-up").
# Prints per variant: CPU per hour (window, idle subtracted), runs in the window, CPU per run, resident memory of what
# stays running, and the ratio to the original script. Builds nothing: needs lab/target/ntp-lab.jar and
# ntp-systemd/target/ntp-systemd.jar (mvn -q -B -pl lab,ntp-systemd -am package -DskipTests).
# Every measured run must succeed: a run of ntp-monitor.service that fails (in a window or by hand) makes the script
# die instead of reporting a figure, for every variant (a failed run costs what the fail-safe costs, not a check).
# Everything it starts (namespaces, chronyd, the container) is torn down on exit, also on failure or Ctrl-C.
set -euo pipefail
WINDOW=${1:-240}
FORCED=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/lab/bin
# shellcheck source=../lab/bin/lab-lib.sh
. "$bin/lab-lib.sh"
jar=$here/ntp-systemd/target/ntp-systemd.jar
die() { echo "measure-install-cost: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (the lab)"
[[ -f $jar && -f $LAB_JAR ]] || die "build first: mvn -q -B -pl lab,ntp-systemd -am package -DskipTests"
ping_deb=$(ls /var/cache/apt/archives/iputils-ping_*.deb "${LAB_CACHE:-/var/cache/pintp-lab}"/iputils-ping_*.deb 2>/dev/null | tail -n1 || true)

id=cost$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
out=$(mktemp -d /tmp/measure-install-cost.XXXXXX)
cleanup() {
    trap '' INT TERM HUP PIPE
    "$bin/lab-down" "$id" >/dev/null 2>&1 || true
    rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

"$bin/lab-up" --run-id "$id" --watch-pid $$ >"$out/up.log" 2>&1 || { cat "$out/up.log" >&2; die "lab-up failed"; }
ctl() { "$bin/lab-ctl" "$id" "$@"; }
main() { ctl main "$@"; }
root=$(lab_dir "$id")/container/root
cg=
for d in $(lab_cgroups "$id"); do [[ -f $d/cpu.stat ]] && cg=$d; done
if [[ -z $cg ]]; then   # registered with machined: the machine's scope
    cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "machine-$(lab_machine "$id" | sed 's/-/\\x2d/g').scope" | head -n1)
fi
[[ -n $cg && -f $cg/cpu.stat ]] || die "cannot find the container's cgroup with cpu.stat"
usage() { awk '$1 == "usage_usec" {print $2}' "$cg/cpu.stat"; }
now() { date +%s%N; }

# The original design needs ping; the host image has none: unpack iputils-ping into the container's upper layer.
if ! main sh -c 'command -v ping' >/dev/null 2>&1; then
    [[ -n $ping_deb ]] || die "the original script needs ping: apt-get download iputils-ping into /var/cache/apt/archives"
    dpkg-deb --fsys-tarfile "$ping_deb" | tar -x --keep-directory-symlink -C "$root"
fi
main ping -c 1 -W 1 192.168.4.2 >/dev/null || die "the container cannot ping the Pi Zero"
# The script's steady state is "Pi Zero up, synchronized". timedatectl's NTPSynchronized= is the kernel clock's
# status, which the lab may not change (no CAP_SYS_TIME): a shim earlier on the units' PATH asks the real
# timedatectl (and so timedated, over D-Bus) and reports it synchronized. Its sh and sed count against the script.
mkdir -p "$root/usr/local/bin"
printf '#!/bin/sh\n/usr/bin/timedatectl "$@" | sed s/^NTPSynchronized=no/NTPSynchronized=yes/\n' >"$root/usr/local/bin/timedatectl"
chmod 0755 "$root/usr/local/bin/timedatectl"

# idle: the container with nothing of ours (timesyncd, journald, the stand-in controller)
window() { # $1 seconds; sets c (container CPU, us) and w (wall, ns)
    local u0 t0
    u0=$(usage); t0=$(now)
    sleep "$1"
    c=$(($(usage) - u0)); w=$(($(now) - t0))
}
jdir() { # the container's journal directory, seen from the host
    local l d; l=$(lab_leader "$id")
    for d in "/proc/$l/root/var/log/journal" "/proc/$l/root/run/log/journal"; do
        [[ -d $d ]] && [[ -n $(ls "$d" 2>/dev/null) ]] && { echo "$d"; return; }
    done
}
ended() { # how many starts of ntp-monitor.service PID 1 finished (done or failed) so far, read on the host
    echo $(($(ended_as done) + $(ended_as failed)))
}
ended_as() { # done|failed: how many starts of ntp-monitor.service PID 1 finished so, read on the host
    local d; d=$(jdir)
    journalctl -q -D "$d" _PID=1 UNIT=ntp-monitor.service JOB_TYPE=start JOB_RESULT="$1" -o cat 2>/dev/null | wc -l || true
}
run_failed() { # name what: a measured run failed; show why and die
    local d; d=$(jdir)
    journalctl -q -D "$d" -u ntp-monitor.service -u ntp-monitor-fail-safe.service -n 30 --no-pager 2>/dev/null | sed 's/^/  /' >&2 || true
    die "$1: $2 failed (journal above): no figure for a failed run"
}
runs_window() { # seconds name: round(seconds / 65) timer runs (see the header); sets c, w, n; dies if one failed
    local u0 t0 base failed
    n=$(( ($1 + 32) / 65 )); ((n > 0)) || n=1
    base=$(ended); until (($(ended) > base)); do sleep 1; done
    sleep 2
    base=$(ended); failed=$(ended_as failed); u0=$(usage); t0=$(now)
    until (($(ended) >= base + n)); do sleep 1; done
    sleep 2
    c=$(($(usage) - u0)); w=$(($(now) - t0))
    (($(ended_as failed) == failed)) || run_failed "$2" "a timer run in the window"
}
report() { # name cpu_us wall_ns runs rss_kib
    awk -v n="$1" -v c="$2" -v w="$3" -v r="$4" -v rss="$5" -v idle="$IDLE_US_PER_S" 'BEGIN {
        s = w / 1e9; net = c - idle * s
        printf "%-34s %8.2f s/h  %3d runs in %4.0f s  %7.1f ms/run  rss %s\n", n, net / s * 3600 / 1e6, r, s,
            (r > 0 ? net / r / 1000 : 0), (rss == "" ? "-" : sprintf("%.1f MiB", rss / 1024)) }' | tee -a "$out/report"
    awk -v c="$2" -v w="$3" -v idle="$IDLE_US_PER_S" 'BEGIN { print (c - idle * w / 1e9) / (w / 1e9) }' >"$out/$1.rate"
}
forced() { # name: FORCED runs by hand, 3 s apart, idle subtracted
    ((FORCED > 0)) || return 0
    local i u=0 u0 t0 t1 start
    for i in $(seq "$FORCED"); do
        main systemctl reset-failed ntp-monitor.service 2>/dev/null || true
        sleep 3
        u0=$(usage); t0=$(now)
        main systemctl start ntp-monitor.service || run_failed "$1" "run $i by hand"
        sleep 2 # the unit's exit and what the manager does after it
        u=$((u + $(usage) - u0 - $(awk -v i="$IDLE_US_PER_S" -v s="$(( $(now) - t0 ))" 'BEGIN {printf "%d", i * s / 1e9}')))
    done
    awk -v n="$1" -v u="$u" -v k="$FORCED" 'BEGIN { printf "%-34s %7.1f ms CPU per run started by hand (%d runs)\n", n, u / k / 1000, k }' | tee -a "$out/report"
}
main_rss() { # resident KiB of the JVMs that stay running in the container, empty when none does
    main ps -C java -o rss= 2>/dev/null | awk '{s += $1} END {if (s > 0) print s}'
}
main_memory() { # VmRSS, RssAnon, RssFile of each JVM that stays running
    local pid
    for pid in $(main ps -C java -o pid= 2>/dev/null); do
        main grep -E '^(VmRSS|RssAnon|RssFile|RssShmem):' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' '
        echo
    done | sed 's/^/  resident: /' | tee -a "$out/report"
}

echo "== lab $id up; container cgroup $cg; windows of $WINDOW s" >&2
sleep 30 # boot settles (timesyncd's first exchanges)
window "$WINDOW"
IDLE_US_PER_S=$(awk -v c="$c" -v w="$w" 'BEGIN { print c / (w / 1e9) }')
awk -v r="$IDLE_US_PER_S" 'BEGIN { printf "%-34s %8.2f s/h  (subtracted below)\n", "idle container", r * 3600 / 1e6 }' | tee -a "$out/report"

# --- the original design, verbatim: ntp-monitor.sh, its timer and its service
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system/timers.target.wants"
cat >"$root/usr/local/bin/ntp-monitor.sh" <<'SH'
#!/bin/bash
# NTP Monitor - Dynamically adjust controller power settings based on NTP sync

# Configuration
NTP_SERVER="192.168.4.2"
OVERRIDE_DIR="/etc/systemd/system/controller.service.d"
OVERRIDE_FILE="$OVERRIDE_DIR/ntp-environment.conf"
LOG_TAG="ntp-monitor"

# Function to log messages
log_message() {
    logger -t "$LOG_TAG" "$1"
}

# Function to check NTP synchronization
check_ntp_sync() {
    # Check if NTP server is reachable
    if ! ping -c 1 -W 1 "$NTP_SERVER" >/dev/null 2>&1; then
        return 1
    fi
    
    # Check if time is synchronized
    if timedatectl show | grep -q "NTPSynchronized=yes"; then
        # Additional check for time accuracy
        local offset=$(timedatectl show | grep "^TimeUSec" | cut -d= -f2)
        if [ -n "$offset" ]; then
            return 0
        fi
    fi
    
    return 1
}

# Function to enable power saving
enable_power_saving() {
    mkdir -p "$OVERRIDE_DIR"
    cat > "$OVERRIDE_FILE" <<EOF
[Service]
Environment="CONSERVE_POWER=1"
Environment="NTP_SYNCED=true"
Environment="NTP_SERVER=$NTP_SERVER"
EOF
    
    log_message "NTP synchronized - enabling power saving mode"
    
    # Only reload and restart if configuration changed
    if ! systemctl show controller -p Environment | grep -q "CONSERVE_POWER=1"; then
        systemctl daemon-reload
        systemctl restart controller
        log_message "Controller service restarted with power saving enabled"
    fi
}

# Function to disable power saving
disable_power_saving() {
    if [ -f "$OVERRIDE_FILE" ]; then
        rm "$OVERRIDE_FILE"
        log_message "NTP not synchronized - disabling power saving mode"
        
        systemctl daemon-reload
        systemctl restart controller
        log_message "Controller service restarted with power saving disabled"
    fi
}

# Main monitoring logic
main() {
    if check_ntp_sync; then
        enable_power_saving
    else
        disable_power_saving
    fi
}

# Run main function
main
SH
chmod 0755 "$root/usr/local/bin/ntp-monitor.sh"
cat >"$root/etc/systemd/system/ntp-monitor.timer" <<'UNIT'
[Unit]
Description=Monitor NTP synchronization status
Requires=network-online.target
After=network-online.target

[Timer]
# Start 30 seconds after boot
OnBootSec=30s

# Check every 60 seconds
OnUnitActiveSec=60s

# Randomize by up to 10 seconds to prevent thundering herd
RandomizedDelaySec=10s

[Install]
WantedBy=timers.target
UNIT
cat >"$root/etc/systemd/system/ntp-monitor.service" <<'UNIT'
[Unit]
Description=Check NTP sync and update controller environment
After=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/bin/ntp-monitor.sh
StandardOutput=journal
StandardError=journal

# Restart on failure with backoff
Restart=on-failure
RestartSec=10s
UNIT
main systemctl daemon-reload
main systemctl start ntp-monitor.service || true   # first run: the controller gets its drop-in once
main systemctl enable --now ntp-monitor.timer >/dev/null 2>&1
main systemctl start ntp-monitor.service || true
runs_window "$WINDOW" "original ntp-monitor.sh"
report "original ntp-monitor.sh (timer)" "$c" "$w" "$n" ""
forced "original ntp-monitor.sh"
main systemctl disable --now ntp-monitor.timer >/dev/null 2>&1
main rm -f /etc/systemd/system/ntp-monitor.timer /etc/systemd/system/ntp-monitor.service /usr/local/bin/ntp-monitor.sh \
    /usr/local/bin/timedatectl \
    /etc/systemd/system/controller.service.d/ntp-environment.conf
main systemctl daemon-reload
main systemctl restart controller.service

# --- pintp: the real installer with the defaults (the Pi Zero at 192.168.4.2, the Debian pool names of the lab)
ctl copy-in "$jar" /opt/pintp/ntp-systemd.jar
ctl copy-in "$here/ntp-systemd/src/main/dist/pintp-java" /opt/pintp/pintp-java
job_unit() { # after the install: ntp-monitor.service as a JVM per run would ship, and no daemon
    # [Unit] as installed, without the daemon's Wants=/After= (OnFailure= stays); [Service] the installed
    # fail-safe's (Type=oneshot, the launcher's environment, the full sandbox) with "job JAR run" for "job JAR
    # fail-safe" and without its LogExtraFields= (its lines are logged as the unit's own)
    local u=$root/etc/systemd/system
    main systemctl stop ntp-monitor-daemon.service 2>/dev/null || true
    rm -f "$u/ntp-monitor-daemon.service"
    grep -q '^ExecStart=.* job .* fail-safe$' "$u/ntp-monitor-fail-safe.service" ||
        die "the installed ntp-monitor-fail-safe.service has no ExecStart= ... job JAR fail-safe"
    { awk '/^\[Service\]/ {exit} /^(Wants|After)=ntp-monitor-daemon\.service$/ || /^# The check is made by the resident/ {next} {print}' "$u/ntp-monitor.service"
      awk '/^\[Service\]/ {s = 1} !s || /^LogExtraFields=/ || /^# journalctl -u ntp-monitor.service shows/ {next}
           /^ExecStart=/ {sub(/ fail-safe$/, " run")} {print}' "$u/ntp-monitor-fail-safe.service"
    } >"$u/ntp-monitor.service.new"
    grep -q '^OnFailure=ntp-monitor-fail-safe.service$' "$u/ntp-monitor.service.new" || die "job variant: no OnFailure= in the unit"
    grep -q '^ExecStart=.* job .* run$' "$u/ntp-monitor.service.new" || die "job variant: no ExecStart= ... job JAR run"
    mv "$u/ntp-monitor.service.new" "$u/ntp-monitor.service"
    sed 's/^/  job variant: /' "$u/ntp-monitor.service" >&2
}
pintp() { # name, install options...
    local name=$1; shift
    main java -jar /opt/pintp/ntp-systemd.jar install "$@" >"$out/install.log" 2>&1 || { cat "$out/install.log" >&2; die "install $* failed"; }
    [[ $resident != none.service ]] || job_unit
    main systemctl daemon-reload
    main systemctl restart ntp-monitor.service 2>/dev/null || true
    sleep 75 # the first cycle verifies the time and restarts the controller once; then one steady cycle
    # a second start of what stays resident: through pintp-java the first one records the archive when it exits
    main systemctl restart "$resident" 2>/dev/null || true
    sleep 20
    if [[ $resident == ntp-monitor-daemon.service ]]; then
        local u0 t0 i; u0=$(usage); t0=$(now)
        # 3 s apart, the failed state reset: the unit's start limit (5 starts in 10 s) is not what is measured
        for i in $(seq 10); do main systemctl reset-failed ntp-monitor.service 2>/dev/null || true
            main systemctl start ntp-monitor.service || run_failed "$name" "warm-up check $i by hand"; sleep 3; done
        awk -v u=$(($(usage) - u0)) -v s="$(( $(now) - t0 ))" -v i="$IDLE_US_PER_S" 'BEGIN { printf "%-34s %7.1f ms CPU per run for the first 10 checks after the start (by hand, idle subtracted)\n", "daemon warm-up", (u - i * s / 1e9) / 10 / 1000 }' | tee -a "$out/report"
    fi
    runs_window "$WINDOW" "$name"
    report "$name" "$c" "$w" "$n" "$(main_rss)"
    main_memory
}
# the real installer writes the launcher to /usr/local/lib/ntp-monitor/pintp-java itself
resident=ntp-monitor-daemon.service
pintp "pintp default install"
forced "pintp default install"
if [[ " ${VARIANTS:-} " == *" job "* ]]; then
    resident=none.service # a JVM per run, nothing resident (job_unit)
    pintp "pintp timer via pintp-java job"
    forced "pintp timer via pintp-java job"
fi
main java -jar /opt/pintp/ntp-systemd.jar uninstall >/dev/null 2>&1 || true
echo "== after uninstall, JVMs left running: $(main ps -C java -o pid= 2>/dev/null | wc -l)" | tee -a "$out/report"

echo "== ratios to the original script, per hour"
o=$(cat "$out/original ntp-monitor.sh (timer).rate")
for f in "$out"/pintp*.rate; do
    n=$(basename "$f" .rate)
    awk -v n="$n" -v a="$(cat "$f")" -v o="$o" 'BEGIN { printf "%-34s %.2fx\n", n, a / o }'
done
