package dev.pintp.systemd.internal;

import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.NtpConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every file the job and the installer write, as pure functions from configuration to text. Nothing that changes
 * from run to run (an offset, a time) goes into the controller's drop-in: a change there restarts the controller.
 */
public final class Render {
    /** The Pi Zero's host name. */
    public static final String PI_ZERO_NAME = "pi-ntp";

    // What a server name or address may hold to be written into timesyncd's and the controller's files: DNS names,
    // IPv4 and IPv6 literals, an IPv6 zone ("fe80::1%eth0").
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]+");
    // Words that need neither quotes nor escapes in a unit file (a '%' still becomes "%%").
    private static final Pattern PLAIN_UNIT_WORD = Pattern.compile("[A-Za-z0-9._:/@+,=%-]+");

    /**
     * Where the units' JVMs keep their class-data archive (the units' {@code CacheDirectory=}); see {@link #launcher}.
     */
    public static final String CACHE_DIR = "/var/cache/ntp-monitor";

    /** The launcher's file name; it is installed next to the jar. */
    public static final String LAUNCHER_NAME = "pintp-java";

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
        checkHost(server);
        return "# Written by ntp-monitor: the time is verified, the controller may save power.\n"
                + "# Removed when that stops being true. Do not edit: the next run rewrites it.\n"
                + "[Service]\n"
                + "Environment=" + unitWord(names.conservePower() + "=1") + "\n"
                + "Environment=" + unitWord(names.synced() + "=true") + "\n"
                + "Environment=" + unitWord(names.server() + "=" + server) + "\n"
                + "Environment=" + unitWord(names.level() + "=" + level) + "\n";
    }

    /**
     * Refuses a server name that cannot be written into timesyncd's configuration and a unit's environment as it
     * is: only letters, digits and {@code . _ : % -} (DNS names, IPv4 and IPv6 literals, an IPv6 zone).
     *
     * @throws IllegalArgumentException naming the server and what is allowed
     */
    public static void checkHost(String host) {
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("server '" + printable(host) + "' cannot be written to systemd files:"
                    + " a server is a name or address of letters, digits and . _ : % - only");
        }
    }

    /**
     * One word of a unit file setting, as systemd.syntax(7) reads it: {@code %} doubled (a specifier otherwise), and,
     * unless the word is plain, double-quoted with {@code \\} and {@code \"} escaped. In an argument of
     * {@code ExecStart=} a {@code $} is also doubled ({@link #execArgument}).
     *
     * @throws IllegalArgumentException for a control character, which no unit line can hold as it is
     */
    static String unitWord(String value) {
        if (value.isEmpty() || hasControl(value)) {
            throw new IllegalArgumentException("'" + printable(value) + "' cannot be written to a unit file: "
                    + (value.isEmpty() ? "empty" : "it holds a control character"));
        }
        String v = value.replace("%", "%%");
        if (PLAIN_UNIT_WORD.matcher(value).matches()) {
            return v;
        }
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * {@link #unitWord} for an argument of a command line: {@code $} doubled too (systemd.service(5), "Command
     * lines"). Not for the executable, where systemd substitutes no variables.
     */
    static String execArgument(String value) {
        return unitWord(value).replace("$", "$$");
    }

    /** A word for sh(1): single-quoted unless plain, a single quote as {@code '\''}. */
    static String shellWord(String value) {
        if (value.matches("[A-Za-z0-9._/+-]+")) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** True when {@code s} holds a C0 control character or DEL (also the C1 range, which terminals interpret). */
    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
                return true;
            }
        }
        return false;
    }

    /** {@code s} with control characters as {@code \xNN} (or {@code \\uNNNN}), for error messages and log lines. */
    public static String printable(String s) {
        if (!hasControl(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
            } else if (c == 0x2028 || c == 0x2029) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The runtime timesyncd drop-in that makes timesyncd use its fallbacks: timesyncd reads {@code FallbackNTP=} only
     * when it knows no other server (timesyncd.conf(5)), so the drop-in resets {@code NTP=}.
     */
    public static String steeringDropIn(List<NtpServer> fallbacks) {
        return "# Written by ntp-monitor: the primary NTP server is lost or wrong, and a fallback answers.\n"
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
            checkHost(s.host());
            out.add(s.host());
        }
        return new ArrayList<>(out);
    }

    /**
     * The Pi Zero's address for /etc/hosts and dnsmasq: the first primary that is an IPv4 literal on a network (not
     * loopback, not 0.0.0.0, not multicast), or empty when no primary is one (a name, IPv6, a test on loopback).
     */
    public static Optional<String> piZeroAddress(NtpConfig ntp) {
        for (NtpServer s : ntp.primaries()) {
            String h = s.host();
            if (h.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
                try {
                    InetAddress a = InetAddress.getByName(h); // a literal: parsed, never looked up
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isAnyLocalAddress()
                            && !a.isMulticastAddress()) {
                        return Optional.of(h);
                    }
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException("an IPv4 literal did not parse: " + h, e);
                }
            }
        }
        return Optional.empty();
    }

    /** The line install adds to /etc/hosts for the Pi Zero at {@code address}. */
    public static String hostsLine(String address) {
        return address + " " + PI_ZERO_NAME;
    }

    /**
     * The dnsmasq snippet.
     *
     * @param address the Pi Zero's address ({@link #piZeroAddress}); without one the snippet only says why it is empty
     * @param mac the Pi Zero's MAC address, if given with {@code --mac} or confirmed with {@code --trust-lease}
     * @param unconfirmedLeaseMac a MAC from pi-ntp's DHCP lease that was not confirmed: named in a comment, not used
     */
    public static String dnsmasqSnippet(Optional<String> address, Optional<String> mac, Optional<String> unconfirmedLeaseMac) {
        StringBuilder sb = new StringBuilder("# Installed by ntp-monitor (pintp): the Pi Zero RTC/NTP server.\n");
        if (address.isEmpty()) {
            sb.append("# No primary server is an IPv4 address on the LAN, so there is no fixed lease to hand out and\n")
                    .append("# no NTP server to advertise.\n");
            return sb.toString();
        }
        String a = address.get();
        if (mac.isPresent()) {
            sb.append("dhcp-host=").append(mac.get()).append(',').append(a).append(',').append(PI_ZERO_NAME).append('\n');
        } else {
            if (unconfirmedLeaseMac.isPresent()) {
                sb.append("# dnsmasq has a lease for a client calling itself pi-ntp with MAC ").append(unconfirmedLeaseMac.get())
                        .append(",\n# but any DHCP client can call itself that: it is not used until confirmed with\n")
                        .append("#   ntp-monitor install --trust-lease   (or --mac ").append(unconfirmedLeaseMac.get())
                        .append(")\n");
            } else {
                sb.append("# The Pi Zero's MAC address is not known yet (it was not given with --mac and pi-ntp has no\n")
                        .append("# lease in /var/lib/misc/dnsmasq.leases). After its first boot, run\n")
                        .append("#   ntp-monitor install --mac <MAC>\n");
            }
            sb.append("# or add the line yourself:\n")
                    .append("# dhcp-host=<MAC>,").append(a).append(',').append(PI_ZERO_NAME).append('\n');
        }
        sb.append("# Advertise the NTP server to all DHCP clients (option 42).\n");
        sb.append("dhcp-option=42,").append(a).append('\n');
        return sb.toString();
    }

    /**
     * The shell aliases, for /etc/profile.d/: the original design's, with its meaning kept ({@code ntp.monitor.status}
     * is {@code systemctl status} of the timer and the service, as there). Nothing from the installation is rendered
     * into them, so no value can change what sourcing or running them does. {@code ntp.monitor.run} starts the
     * service (the check the timer would start) and shows its lines; {@code ntp.test} reads timesyncd's server from
     * {@code show-timesync}, where {@code timedatectl} puts it ({@code show} has no ServerName).
     */
    public static String aliases() {
        return "# Installed by ntp-monitor (pintp): NTP shortcuts.\n"
                + "alias ntp.status='timedatectl status'\n"
                + "alias ntp.show='timedatectl show'\n"
                + "alias ntp.monitor.status='systemctl status ntp-monitor.timer ntp-monitor.service'\n"
                + "alias ntp.monitor.logs='journalctl -u ntp-monitor.service -f'\n"
                + "alias ntp.monitor.run='sudo systemctl start ntp-monitor.service && journalctl -u ntp-monitor.service -n 5 --no-pager'\n"
                + "alias ntp.test=\"timedatectl show-timesync --all 2>/dev/null | grep -E 'ServerName|ServerAddress|NTPMessage' ; timedatectl show | grep -E 'NTPSynchronized'\"\n";
    }

    /**
     * Refuses a {@code --java} that cannot be the executable of {@code ExecStart=}: it must be an absolute path
     * without control characters, quotes or backslashes (systemd refuses those in an executable name: "Executable
     * name contains special characters"). Spaces, {@code %} and {@code $} are quoted where it is written.
     *
     * @throws IllegalArgumentException saying why
     */
    public static void checkJava(String java) {
        if (!java.startsWith("/") || hasControl(java) || java.matches(".*[\"'\\\\].*")) {
            throw new IllegalArgumentException("--java must be an absolute path without control characters, quotes"
                    + " or backslashes, was '" + printable(java) + "'");
        }
    }

    /**
     * The command line that starts the jar through the launcher installed next to it: {@code /bin/sh LAUNCHER KIND
     * JAR COMMAND}. The launcher holds the JVM options of each kind and keeps the class-data archive up to date
     * (docs/cost.md); the script is run by {@code sh}, so it is installed as a plain 0644 file.
     */
    static String launch(String kind, String jar, String command) {
        String launcher = launcherFor(jar);
        return "/bin/sh " + execArgument(launcher) + " " + kind + " " + execArgument(jar) + " " + command;
    }

    /**
     * The launcher that starts {@code jar}: the Debian package's {@code /usr/lib/pintp/pintp-java} for its jar in
     * {@code /usr/share/pintp}, else the one install writes next to the jar.
     */
    static String launcherFor(String jar) {
        Path j = Path.of(jar);
        if (j.getParent() != null && j.getParent().equals(Path.of("/usr/share/pintp"))) {
            return "/usr/lib/pintp/" + LAUNCHER_NAME;
        }
        return j.resolveSibling(LAUNCHER_NAME).toString();
    }

    // The java binary and the archive directory, for the launcher.
    private static String launcherEnvironment(String java) {
        return "Environment=" + unitWord("JAVA=" + java) + " " + unitWord("PINTP_CACHE_DIR=" + CACHE_DIR) + "\n";
    }

    /**
     * The launcher script ({@code ntp-systemd/src/main/dist/pintp-java}, carried in the jar), installed next to the
     * jar.
     *
     * @throws IllegalStateException when the jar was built without it
     */
    public static String launcher() {
        try (java.io.InputStream in = Render.class.getResourceAsStream(LAUNCHER_NAME)) {
            if (in == null) {
                throw new IllegalStateException(LAUNCHER_NAME + " is missing from the jar: build it with Maven");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The resident daemon's unit in the default install ({@link #daemonUnit}). */
    public static final String DAEMON_UNIT = "ntp-monitor-daemon.service";

    /** The unit ntp-monitor.service's {@code OnFailure=} starts ({@link #failSafeUnit}). */
    public static final String FAIL_SAFE_UNIT = "ntp-monitor-fail-safe.service";

    /** The man page the package ships, named by every service unit's {@code Documentation=}. */
    static final String DOCUMENTATION = "Documentation=man:ntp-monitor(1)\n";

    /**
     * ntp-monitor.service, which ntp-monitor.timer starts: a oneshot whose client asks the resident daemon
     * ({@link #daemonUnit}) for one check and prints its journal lines; no JVM per run. The client is the launcher in
     * its {@code daemon JAR request} form (sh and one mkfifo): it parses nothing from the network and writes nothing
     * but its reply FIFO in the daemon's root-only directory, so it runs without the mount namespaces of the full
     * sandbox ({@link #sandbox}), which cost more CPU than a whole check (docs/security.md, docs/cost.md): no
     * capabilities, no new privileges, the system call filter. A run that does not end with the check's own
     * status (the daemon not there, killed, timed out) makes the unit fail, and {@code OnFailure=} starts the
     * fail-safe ({@link #failSafeUnit}); a good run starts nothing else.
     *
     * @param java the java binary on the target system (the launcher looks it up before it knows its kind)
     * @param jar the installed jar
     */
    public static String serviceUnit(String java, String jar) {
        checkJava(java);
        return "# Installed by ntp-monitor (pintp).\n"
                + "[Unit]\n"
                + "Description=Check NTP sync against the Pi Zero and set controller.service's environment\n"
                + DOCUMENTATION
                + "After=network.target nss-lookup.target\n"
                + "# The check is made by the resident daemon, started with the first run (no enable step).\n"
                + "Wants=" + DAEMON_UNIT + "\n"
                + "After=" + DAEMON_UNIT + "\n"
                + "# A run that did not end with the check's status (killed, timed out, no daemon): power saving ends.\n"
                + "OnFailure=" + FAIL_SAFE_UNIT + "\n"
                + "\n"
                + "[Service]\n"
                + "Type=oneshot\n"
                // the client is the launcher in its "daemon JAR request" form: sh and mkfifo, no JVM
                + "ExecStart=" + launch("daemon", jar, "request") + "\n"
                + "TimeoutStartSec=120s\n"
                + "Environment=" + unitWord("JAVA=" + java) + "\n"
                + "RuntimeDirectory=ntp-monitor\n"
                + "RuntimeDirectoryPreserve=yes\n"
                + "# The client only talks to the daemon through its root-only FIFOs: no mount namespaces (the daemon\n"
                + "# and the fail-safe, which parse packets and write drop-ins, keep the full sandbox; docs/security.md).\n"
                + "CapabilityBoundingSet=\n"
                + "AmbientCapabilities=\n"
                + "NoNewPrivileges=yes\n"
                + "RestrictAddressFamilies=AF_UNIX\n"
                + "RestrictNamespaces=yes\n"
                + "RestrictRealtime=yes\n"
                + "RestrictSUIDSGID=yes\n"
                + "LockPersonality=yes\n"
                + "MemoryDenyWriteExecute=yes\n"
                + "SystemCallArchitectures=native\n"
                + "SystemCallFilter=@system-service\n"
                + "SystemCallFilter=~@privileged @resources\n"
                + "SystemCallErrorNumber=EPERM\n"
                + "UMask=0077\n";
    }

    /**
     * The full sandbox of the units that run the job's code (the daemon, the fail-safe): only the job's own
     * directories and {@code writable} are writable, no capabilities, private /tmp, devices, IPC and mounts, the
     * kernel's tunables, modules, logs, clock and host name protected, the system call filter.
     *
     * @param writable directories the job writes besides its state and runtime directories (drop-in directories,
     *     textfile-collector directory); {@link #tmpfiles} creates them at boot so they can be bound writable
     */
    static String sandbox(String java, List<Path> writable) {
        // "-": a missing directory makes the job report a read-only file system instead of the unit failing to start
        StringBuilder dirs = new StringBuilder();
        for (Path p : writable) {
            dirs.append(' ').append(unitWord("-" + p));
        }
        return launcherEnvironment(java)
                + "CacheDirectory=ntp-monitor\n"
                + "# ProtectProc=invisible hides /proc/1; systemctl must not take that for a chroot.\n"
                + "Environment=SYSTEMD_IGNORE_CHROOT=1\n"
                + "StateDirectory=ntp-monitor\n"
                + "RuntimeDirectory=ntp-monitor\n"
                + "RuntimeDirectoryPreserve=yes\n"
                // The directories come from tmpfiles.d (they must exist to be bound writable).
                + "ReadWritePaths=" + dirs.toString().strip() + "\n"
                + "# Root without any capability: PID 1 accepts daemon-reload and restart from uid 0 on its private\n"
                + "# socket (tried on systemd 252: an empty bounding set works).\n"
                + jvmSandbox("AF_UNIX for systemctl (PID 1's private socket), AF_INET/AF_INET6 for NTP and the webhook.")
                // 0022: the job gives every file its final mode when it creates it (AtomicFiles); a stricter umask
                // would take bits away that it could add back only by path (docs/security.md)
                + "UMask=0022\n";
    }

    /**
     * ntp-monitor-daemon.service, the default install's resident daemon ({@code serve}): started by
     * ntp-monitor.service's {@code Wants=}, never enabled itself; {@code PartOf=} that unit, so stopping or restarting
     * ntp-monitor.service (uninstall, the package's prerm, a restart after an upgrade) stops or restarts it too.
     * {@code ExecStartPre=} makes its request FIFO in a fresh root-only directory (Java cannot make a FIFO). It
     * parses the LAN's packets and writes the drop-ins: the full {@link #sandbox}.
     *
     * @param java the java binary on the target system ({@link #checkJava})
     * @param jar the installed jar
     * @param writable as for {@link #sandbox}
     */
    public static String daemonUnit(String java, String jar, List<Path> writable) {
        checkJava(java);
        String control = "rm -rf -- \"${RUNTIME_DIRECTORY:?}/control\" && mkdir -m 0700 -- \"$RUNTIME_DIRECTORY/control\""
                + " && mkfifo -m 0600 -- \"$RUNTIME_DIRECTORY/control/" + ControlChannel.REQUEST + "\"";
        return "# Installed by ntp-monitor (pintp).\n"
                + "[Unit]\n"
                + "Description=ntp-monitor's resident checker: one check per run of ntp-monitor.service\n"
                + DOCUMENTATION
                + "After=network.target nss-lookup.target\n"
                + "PartOf=ntp-monitor.service\n"
                + "\n"
                + "[Service]\n"
                + "Type=simple\n"
                + "# a fresh root-only directory with the request FIFO; the client makes its reply FIFO there\n"
                + "ExecStartPre=/bin/sh -c " + execArgument(control) + "\n"
                + "ExecStart=" + launch("daemon", jar, "serve") + "\n"
                + "Restart=on-failure\n"
                + "RestartSec=5s\n"
                + "# a JVM stopped by SIGTERM exits 143 after its shutdown hook: a clean stop, not a failure\n"
                + "SuccessExitStatus=143\n"
                + sandbox(java, writable);
    }

    /** How long past the fail-safe's wait for a running check's lock systemd lets it run before it kills it. */
    static final String FAIL_SAFE_TIMEOUT = "120s";

    /**
     * ntp-monitor-fail-safe.service, which ntp-monitor.service's {@code OnFailure=} starts: a run killed before it
     * could clean up (SIGKILL, the OOM killer, {@code TimeoutStartSec=}, a client without the daemon's answer) must
     * not leave power saving granted. {@code fail-safe} reads the failed run's result from systemd's
     * {@code MONITOR_*} variables ({@link FailSafe#afterRun} decides), waits for a check the daemon may still be
     * making and ends power saving. Its lines are logged as about ntp-monitor.service ({@code OBJECT_SYSTEMD_UNIT},
     * which {@code journalctl -u ntp-monitor.service} shows). It runs the job's code: the full {@link #sandbox}.
     */
    public static String failSafeUnit(String java, String jar, List<Path> writable) {
        checkJava(java);
        return "# Installed by ntp-monitor (pintp).\n"
                + "[Unit]\n"
                + "Description=ntp-monitor's fail-safe: no power saving after a run that did not finish\n"
                + DOCUMENTATION
                + "\n"
                + "[Service]\n"
                + "Type=oneshot\n"
                + "ExecStart=" + launch("job", jar, "fail-safe") + "\n"
                + "TimeoutStartSec=" + FAIL_SAFE_TIMEOUT + "\n"
                + "# journalctl -u ntp-monitor.service shows these lines (\"messages from authorized daemons\")\n"
                + "LogExtraFields=OBJECT_SYSTEMD_UNIT=ntp-monitor.service\n"
                + sandbox(java, writable);
    }

    /**
     * The tmpfiles.d(5) snippet that creates the directories the sandboxed job writes to, at every boot (those
     * under /run vanish at shutdown) and at install time. A path is quoted and its {@code %} doubled as in a unit
     * file: tmpfiles.d(5) splits lines with the same quoting rules and expands the same specifiers.
     */
    public static String tmpfiles(List<Path> writable) {
        StringBuilder sb = new StringBuilder("# Installed by ntp-monitor (pintp): directories its sandboxed service writes to.\n");
        for (Path p : writable) {
            sb.append("d ").append(unitWord(p.toString())).append(" 0755 root root -\n");
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

    /** How long past the wait's own timeout systemd lets ntp-monitor-wait.service run before it kills it. */
    public static final Duration WAIT_BACKSTOP = Duration.ofSeconds(30);

    /**
     * The sandbox lines all units that run the JVM share (daemon, fail-safe, wait): no capabilities, a read-only file
     * system, private /tmp, devices, IPC and mounts, the kernel, clock and host name protected, the system call filter.
     *
     * @param addressFamilies the comment that says why the unit needs its address families
     */
    private static String jvmSandbox(String addressFamilies) {
        return "CapabilityBoundingSet=\n"
                + "AmbientCapabilities=\n"
                + "NoNewPrivileges=yes\n"
                + "ProtectSystem=strict\n"
                + "ProtectHome=yes\n"
                + "PrivateTmp=yes\n"
                + "PrivateDevices=yes\n"
                + "PrivateMounts=yes\n"
                + "PrivateIPC=yes\n"
                + "ProtectKernelTunables=yes\n"
                + "ProtectKernelModules=yes\n"
                + "ProtectKernelLogs=yes\n"
                + "ProtectControlGroups=yes\n"
                + "ProtectClock=yes\n"
                + "ProtectHostname=yes\n"
                + "ProtectProc=invisible\n"
                + "ProcSubset=pid\n"
                + "# " + addressFamilies + "\n"
                + "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"
                + "RestrictNamespaces=yes\n"
                + "RestrictRealtime=yes\n"
                + "RestrictSUIDSGID=yes\n"
                + "LockPersonality=yes\n"
                + "# No MemoryDenyWriteExecute=: the JVM's JIT needs writable executable memory.\n"
                + "SystemCallArchitectures=native\n"
                + "SystemCallFilter=@system-service\n"
                + "SystemCallFilter=~@privileged @resources\n"
                + "SystemCallErrorNumber=EPERM\n"
                + "DevicePolicy=closed\n"
                + "KeyringMode=private\n"
                + "RemoveIPC=yes\n";
    }

    /**
     * ntp-monitor-wait.service: holds time-sync.target until {@code wait} has verified the time, or until its timeout
     * has passed (then the unit fails and time-sync.target is reached all the same: it only Wants= this unit).
     * {@code TimeoutStartSec=} is the wait's timeout plus {@link #WAIT_BACKSTOP}, for a JVM that hangs; the wait
     * gives up by itself before that and says why. Ordered like chrony-wait.service (default dependencies, after the
     * network is configured, before time-sync.target); enabled only on request, into multi-user.target. Writes no
     * file: the whole file system is read-only to it.
     *
     * @param java the java binary on the target system ({@link #checkJava})
     * @param jar the installed jar
     * @throws IllegalArgumentException for a java path or jar that cannot be written into the unit
     */
    public static String waitUnit(String java, String jar, BootWait.Options wait) {
        checkJava(java);
        StringBuilder exec = new StringBuilder(launch("job", jar, "wait"));
        for (String a : wait.arguments()) {
            exec.append(' ').append(execArgument(a));
        }
        return "# Installed by ntp-monitor (pintp). Optional: enabled with \"install --enable-wait\" or\n"
                + "# \"systemctl enable ntp-monitor-wait.service\". Units that need verified time order themselves\n"
                + "# After=time-sync.target (they start after this wait, verified or not) or Requires= and\n"
                + "# After=ntp-monitor-wait.service (they do not start when it times out).\n"
                + "[Unit]\n"
                + "Description=Wait until ntp-monitor has verified the time\n"
                + DOCUMENTATION
                + "After=network.target nss-lookup.target\n"
                + "Before=time-sync.target\n"
                + "Wants=time-sync.target\n"
                + "\n"
                + "[Service]\n"
                + "Type=oneshot\n"
                + "RemainAfterExit=yes\n"
                + "ExecStart=" + exec + "\n"
                + "# The archive ntp-monitor.service keeps in " + CACHE_DIR + " is only read here: it is not writable.\n"
                + launcherEnvironment(java)
                + "TimeoutStartSec=" + dev.pintp.sysconf.TimeSpans.format(wait.timeout().plus(WAIT_BACKSTOP)) + "\n"
                + jvmSandbox("AF_UNIX for name lookups through nss, AF_INET/AF_INET6 for NTP.")
                + "UMask=0077\n"
                + "\n"
                + "[Install]\n"
                + "WantedBy=multi-user.target\n";
    }
}
