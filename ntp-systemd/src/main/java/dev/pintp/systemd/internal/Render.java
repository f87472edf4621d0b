package dev.pintp.systemd.internal;

import dev.pintp.ntp.NtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every file the job and the installer write, as pure functions from configuration to text. Nothing that changes
 * from run to run (an offset, a time) goes into the controller's drop-in: a change there restarts the controller.
 */
public final class Render {
    /** The Pi Zero's address, as in the original design. */
    public static final String PI_ZERO_ADDRESS = "192.168.4.2";
    /** The Pi Zero's host name. */
    public static final String PI_ZERO_NAME = "pi-ntp";
    /** The line install adds to /etc/hosts. */
    public static final String HOSTS_LINE = PI_ZERO_ADDRESS + " " + PI_ZERO_NAME;

    /**
     * JVM options of both units: one GC thread and the C1 compiler only (small, quick to start), small thread stacks,
     * and no hsperfdata (its 50 ms sampling is most of an idle daemon's CPU time).
     */
    public static final String JVM_FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData";

    private Render() {
    }

    /**
     * The controller's drop-in while power saving is allowed.
     *
     * @param server the server in use as configured (a name, not a changing pool address)
     * @param level 1 to 3
     */
    public static String controllerDropIn(Settings.Variables names, String server, int level) {
        if (level < 1 || level > 3) {
            throw new IllegalArgumentException("level must be 1 to 3, was " + level);
        }
        if (!server.matches("[A-Za-z0-9.:%_\\[\\]-]+")) {
            throw new IllegalArgumentException("server name unfit for a unit file: " + server);
        }
        return "# Written by ntp-monitor: the time is verified, the controller may save power.\n"
                + "# Removed when that stops being true. Do not edit: the next run rewrites it.\n"
                + "[Service]\n"
                + "Environment=" + names.conservePower() + "=1\n"
                + "Environment=" + names.synced() + "=true\n"
                + "Environment=" + names.server() + "=" + server + "\n"
                + "Environment=" + names.level() + "=" + level + "\n";
    }

    /**
     * The runtime timesyncd drop-in that makes timesyncd use its fallbacks: timesyncd reads {@code FallbackNTP=} only
     * when it knows no other server (timesyncd.conf(5)), so the drop-in resets {@code NTP=}.
     */
    public static String steeringDropIn(List<NtpServer> fallbacks) {
        return "# Written by ntp-monitor: the primary NTP server is lost and a fallback is good.\n"
                + "# Removed, and timesyncd restarted, when the primary is good again.\n"
                + "[Time]\n"
                + "NTP=\n"
                + "FallbackNTP=" + String.join(" ", hosts(fallbacks)) + "\n";
    }

    /** The timesyncd drop-in install writes to /etc/systemd/timesyncd.conf.d/. */
    public static String timesyncdDropIn(List<NtpServer> primaries, List<NtpServer> fallbacks) {
        return "# Installed by ntp-monitor (pintp). The Pi Zero first, the Debian pool as fallback.\n"
                + "[Time]\n"
                + "NTP=" + String.join(" ", hosts(primaries)) + "\n"
                + "FallbackNTP=" + String.join(" ", hosts(fallbacks)) + "\n"
                + "PollIntervalMinSec=32\n"
                + "PollIntervalMaxSec=2048\n"
                + "RootDistanceMaxSec=5\n";
    }

    // timesyncd takes names or addresses without ports; a non-standard port only exists in tests and labs.
    private static List<String> hosts(List<NtpServer> servers) {
        Set<String> out = new LinkedHashSet<>();
        for (NtpServer s : servers) {
            out.add(s.host());
        }
        return new ArrayList<>(out);
    }

    /**
     * The dnsmasq snippet.
     *
     * @param mac the Pi Zero's MAC address, if known
     */
    public static String dnsmasqSnippet(Optional<String> mac) {
        StringBuilder sb = new StringBuilder("# Installed by ntp-monitor (pintp): the Pi Zero RTC/NTP server.\n");
        if (mac.isPresent()) {
            sb.append("dhcp-host=").append(mac.get()).append(',').append(PI_ZERO_ADDRESS).append(',')
                    .append(PI_ZERO_NAME).append('\n');
        } else {
            sb.append("# The Pi Zero's MAC address is not known yet (it was not given with --mac and pi-ntp has no\n")
                    .append("# lease in /var/lib/misc/dnsmasq.leases). After its first boot, run\n")
                    .append("#   ntp-monitor install --mac <MAC>\n")
                    .append("# or add the line yourself:\n")
                    .append("# dhcp-host=<MAC>,").append(PI_ZERO_ADDRESS).append(',').append(PI_ZERO_NAME).append('\n');
        }
        sb.append("# Advertise the NTP server to all DHCP clients (option 42).\n");
        sb.append("dhcp-option=42,").append(PI_ZERO_ADDRESS).append('\n');
        return sb.toString();
    }

    /** The shell aliases, for /etc/profile.d/. */
    public static String aliases(String jar, String java) {
        String run = java + " -jar " + jar;
        return "# Installed by ntp-monitor (pintp): NTP shortcuts.\n"
                + "alias ntp.status='timedatectl status'\n"
                + "alias ntp.show='timedatectl show'\n"
                + "alias ntp.monitor.status='" + run + " status'\n"
                + "alias ntp.monitor.logs='journalctl -u ntp-monitor.service -f'\n"
                + "alias ntp.monitor.run='sudo systemctl start ntp-monitor.service && journalctl -u ntp-monitor.service -n 5 --no-pager'\n"
                + "alias ntp.test=\"timedatectl show-timesync --all 2>/dev/null | grep -E 'ServerName|ServerAddress|NTPMessage' ; timedatectl show | grep -E 'NTPSynchronized'\"\n";
    }

    /** What the service unit runs. */
    public enum Mode {
        /** A oneshot {@code run} started by ntp-monitor.timer. */
        TIMER,
        /** A long-lived {@code daemon}. */
        DAEMON
    }

    /**
     * ntp-monitor.service.
     *
     * @param java the java binary on the target system
     * @param jar the installed jar
     * @param writable directories the job writes besides its state and runtime directories (drop-in directories,
     *     textfile-collector directory); {@link #tmpfiles} creates them at boot so they can be bound writable
     */
    public static String serviceUnit(Mode mode, String java, String jar, List<Path> writable) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Installed by ntp-monitor (pintp).\n")
                .append("[Unit]\n")
                .append("Description=Check NTP sync against the Pi Zero and set controller.service's environment\n")
                .append("After=network.target nss-lookup.target\n")
                .append('\n')
                .append("[Service]\n");
        if (mode == Mode.TIMER) {
            sb.append("Type=oneshot\n")
                    .append("ExecStart=").append(java).append(" " + JVM_FLAGS + " -Xmx48m -jar ")
                    .append(jar).append(" run\n")
                    .append("TimeoutStartSec=120s\n");
        } else {
            sb.append("Type=simple\n")
                    .append("ExecStart=").append(java).append(" " + JVM_FLAGS + " -Xmx32m -jar ")
                    .append(jar).append(" daemon\n")
                    .append("Restart=on-failure\n")
                    .append("RestartSec=10s\n");
        }
        StringBuilder dirs = new StringBuilder();
        for (Path p : writable) {
            dirs.append(' ').append(p);
        }
        sb.append("# ProtectProc=invisible hides /proc/1; systemctl must not take that for a chroot.\n")
                .append("Environment=SYSTEMD_IGNORE_CHROOT=1\n")
                .append("StateDirectory=ntp-monitor\n")
                .append("RuntimeDirectory=ntp-monitor\n")
                .append("RuntimeDirectoryPreserve=yes\n")
                // The directories come from tmpfiles.d (they must exist to be bound writable); "-": a missing one
                // makes the job report a read-only file system instead of the unit failing to start.
                .append("ReadWritePaths=").append(dirs.toString().replace(" /", " -/").strip()).append('\n')
                .append("# Root without any capability: PID 1 accepts daemon-reload and restart from uid 0 on its private\n")
                .append("# socket (tried on systemd 252: an empty bounding set works).\n")
                .append("CapabilityBoundingSet=\n")
                .append("AmbientCapabilities=\n")
                .append("NoNewPrivileges=yes\n")
                .append("ProtectSystem=strict\n")
                .append("ProtectHome=yes\n")
                .append("PrivateTmp=yes\n")
                .append("PrivateDevices=yes\n")
                .append("PrivateMounts=yes\n")
                .append("PrivateIPC=yes\n")
                .append("ProtectKernelTunables=yes\n")
                .append("ProtectKernelModules=yes\n")
                .append("ProtectKernelLogs=yes\n")
                .append("ProtectControlGroups=yes\n")
                .append("ProtectClock=yes\n")
                .append("ProtectHostname=yes\n")
                .append("ProtectProc=invisible\n")
                .append("ProcSubset=pid\n")
                .append("# AF_UNIX for systemctl (PID 1's private socket), AF_INET/AF_INET6 for NTP and the webhook.\n")
                .append("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n")
                .append("RestrictNamespaces=yes\n")
                .append("RestrictRealtime=yes\n")
                .append("RestrictSUIDSGID=yes\n")
                .append("LockPersonality=yes\n")
                .append("# No MemoryDenyWriteExecute=: the JVM's JIT needs writable executable memory.\n")
                .append("SystemCallArchitectures=native\n")
                .append("SystemCallFilter=@system-service\n")
                .append("SystemCallFilter=~@privileged @resources\n")
                .append("SystemCallErrorNumber=EPERM\n")
                .append("DevicePolicy=closed\n")
                .append("KeyringMode=private\n")
                .append("RemoveIPC=yes\n")
                // 0022: the job gives every file its final mode when it creates it (AtomicFiles); a stricter umask
                // would take bits away that it could add back only by path (docs/security.md)
                .append("UMask=0022\n");
        if (mode == Mode.DAEMON) {
            sb.append('\n').append("[Install]\n").append("WantedBy=multi-user.target\n");
        }
        return sb.toString();
    }

    /**
     * The tmpfiles.d(5) snippet that creates the directories the sandboxed job writes to, at every boot (those
     * under /run vanish at shutdown) and at install time.
     */
    public static String tmpfiles(List<Path> writable) {
        StringBuilder sb = new StringBuilder("# Installed by ntp-monitor (pintp): directories its sandboxed service writes to.\n");
        for (Path p : writable) {
            sb.append("d ").append(p).append(" 0755 root root -\n");
        }
        return sb.toString();
    }

    /**
     * ntp-monitor.timer: 30 s after boot, then every {@code interval} after the last run, up to 10 s randomized
     * delay. No dependency on network-online.target (the job copes with no network: it is then unsynchronized).
     */
    public static String timerUnit(Duration interval) {
        return "# Installed by ntp-monitor (pintp).\n"
                + "[Unit]\n"
                + "Description=Run ntp-monitor.service every " + interval.toSeconds() + " s\n"
                + "\n"
                + "[Timer]\n"
                + "OnBootSec=30s\n"
                + "OnUnitActiveSec=" + interval.toSeconds() + "s\n"
                + "RandomizedDelaySec=10s\n"
                + "# The default AccuracySec=1min would let a 60 s timer drift by up to a minute.\n"
                + "AccuracySec=1s\n"
                + "\n"
                + "[Install]\n"
                + "WantedBy=timers.target\n";
    }
}
