package dev.pintp.systemd.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code install}, {@code uninstall}: puts the job on a system under a file root and takes it away again, recording
 * what it wrote in a {@link Manifest}. Idempotent: a second install with the same inputs changes nothing. With a
 * live system (root {@code /}) it also reloads systemd and starts the timer; under another root it touches files only
 * and enables the timer by making the {@code timers.target.wants} symlink itself, as {@code systemctl enable} would.
 */
public final class Installer {
    /** Where the jar is installed. */
    public static final Path JAR = Path.of("/usr/local/lib/ntp-monitor/ntp-systemd.jar");
    /** The launcher the units run the jar with (JVM options, class-data archive), next to the jar. */
    public static final Path LAUNCHER = JAR.resolveSibling(Render.LAUNCHER_NAME);
    /** The service unit. */
    public static final Path SERVICE = Path.of("/etc/systemd/system/ntp-monitor.service");
    /** The default install's resident daemon ({@link Render#daemonUnit}), started by the service's Wants=. */
    public static final Path DAEMON_SERVICE = Path.of("/etc/systemd/system/" + Render.DAEMON_UNIT);
    /** The fail-safe ntp-monitor.service's OnFailure= starts ({@link Render#failSafeUnit}). */
    public static final Path FAIL_SAFE_SERVICE = Path.of("/etc/systemd/system/" + Render.FAIL_SAFE_UNIT);
    /** The timer unit. */
    public static final Path TIMER = Path.of("/etc/systemd/system/ntp-monitor.timer");
    /** The symlink that enables the timer. */
    public static final Path TIMER_LINK = Path.of("/etc/systemd/system/timers.target.wants/ntp-monitor.timer");
    /** The optional boot wait before time-sync.target ({@link Render#waitUnit}); always installed, enabled on request. */
    public static final Path WAIT = Path.of("/etc/systemd/system/ntp-monitor-wait.service");
    /** The symlink that enables the boot wait. */
    public static final Path WAIT_LINK = Path.of("/etc/systemd/system/multi-user.target.wants/ntp-monitor-wait.service");
    /** timesyncd drop-in: primary and fallback servers and limits. */
    public static final Path TIMESYNCD = Path.of("/etc/systemd/timesyncd.conf.d/60-ntp-monitor.conf");
    /** dnsmasq snippet: the Pi Zero's fixed lease and DHCP option 42. */
    public static final Path DNSMASQ = Path.of("/etc/dnsmasq.d/ntp-monitor.conf");
    /** The hosts file. */
    public static final Path HOSTS = Path.of("/etc/hosts");
    /** tmpfiles.d snippet: the directories the sandboxed job writes to. */
    public static final Path TMPFILES = Path.of("/etc/tmpfiles.d/ntp-monitor.conf");
    /** The shell aliases. */
    public static final Path ALIASES = Path.of("/etc/profile.d/ntp-monitor.sh");
    /** dnsmasq's lease file, where the Pi Zero's MAC is looked up by its host name. */
    public static final Path LEASES = Path.of("/var/lib/misc/dnsmasq.leases");

    /** Where the Debian package puts the job's jar. */
    public static final Path PACKAGED_JAR = Path.of("/usr/share/pintp/ntp-systemd.jar");
    /** Where the Debian package puts the probe's jar. */
    public static final Path PACKAGED_PROBE_JAR = Path.of("/usr/share/pintp/ntp-probe.jar");
    /** The Debian package's command that runs {@link #PACKAGED_JAR} ({@code ntp-monitor status}). */
    public static final String PACKAGED_COMMAND = "ntp-monitor";
    /** The manifest of the site command with the Debian package (the package owns /usr/local's place). */
    public static final Path PACKAGED_MANIFEST = Path.of("/var/lib/pintp/install-manifest");

    private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");
    private static final Pattern MAC_IN_SNIPPET = Pattern.compile("(?m)^dhcp-host=(([0-9a-f]{2}:){5}[0-9a-f]{2}),");

    private final Path root;
    private final Systemctl systemctl;
    private final AtomicFiles files;
    private final PrintStream out;
    private final boolean live;

    /**
     * @param root the file root ({@code /} for the real system)
     * @param systemctl used only when {@code live}
     * @param out where changes, diffs and notes are printed
     * @param live true to reload systemd and start or stop units after changing files
     */
    public Installer(Path root, Systemctl systemctl, AtomicFiles files, PrintStream out, boolean live) {
        this.root = Objects.requireNonNull(root, "root");
        this.systemctl = Objects.requireNonNull(systemctl, "systemctl");
        this.files = Objects.requireNonNull(files, "files");
        this.out = Objects.requireNonNull(out, "out");
        this.live = live;
    }

    /**
     * What to install.
     *
     * @param mac the Pi Zero's MAC from {@code --mac}, if given
     * @param jarSource the jar to copy (the running one)
     * @param java the java binary on the target system, default /usr/bin/java; an absolute path without control
     *     characters
     * @param dryRun print a unified diff and change nothing
     * @param trustLease use the MAC of pi-ntp's DHCP lease ({@code --trust-lease}): any DHCP client can call itself
     *     pi-ntp, so without this (or {@code --mac}) a lease's MAC is shown, not written
     * @param bootWait the boot wait's options when it is to be enabled ({@code --enable-wait}); empty: its unit is
     *     installed with the defaults and not enabled, and a link an earlier {@code --enable-wait} made is removed
     */
    public record Options(Optional<String> mac, Path jarSource, String java, boolean dryRun,
            boolean trustLease, Optional<BootWait.Options> bootWait, Layout layout) {
        public Options {
            Objects.requireNonNull(bootWait, "bootWait");
            Objects.requireNonNull(layout, "layout");
            Objects.requireNonNull(jarSource, "jarSource");
            Objects.requireNonNull(java, "java");
            Render.checkJava(java);
            mac = Objects.requireNonNull(mac, "mac").map(m -> m.toLowerCase(Locale.ROOT));
            if (mac.isPresent() && !MAC.matcher(mac.get()).matches()) {
                throw new IllegalArgumentException("--mac must look like b8:27:eb:12:34:56, was " + mac.get());
            }
        }

        /** Options without the boot wait enabled, in the {@link Layout#LOCAL} layout. */
        public Options(Optional<String> mac, Path jarSource, String java, boolean dryRun,
                boolean trustLease) {
            this(mac, jarSource, java, dryRun, trustLease, Optional.empty(), Layout.LOCAL);
        }

        /** Options in the {@link Layout#LOCAL} layout. */
        public Options(Optional<String> mac, Path jarSource, String java, boolean dryRun,
                boolean trustLease, Optional<BootWait.Options> bootWait) {
            this(mac, jarSource, java, dryRun, trustLease, bootWait, Layout.LOCAL);
        }

        /** Options without the boot wait enabled. */
        public Options(Optional<String> mac, Path jarSource, String java, boolean dryRun,
                boolean trustLease, Layout layout) {
            this(mac, jarSource, java, dryRun, trustLease, Optional.empty(), layout);
        }
    }

    /** Where the job's jar and units come from. */
    public enum Layout {
        /**
         * {@code java -jar ntp-systemd.jar install}: the jar copied to /usr/local/lib/ntp-monitor, the units written
         * to /etc/systemd/system and the timer enabled by install, all in the manifest.
         */
        LOCAL,
        /**
         * The Debian package ({@code ntp-monitor install}): the package ships the jar and the units rendered for the
         * defaults ({@link #packagedUnits}) and enables the timer; install writes only the site's files, and a unit to
         * /etc/systemd/system (or /etc/tmpfiles.d) only where the configuration renders it differently.
         */
        PACKAGED;

        /** The layout of a job running from {@code jar}: packaged when it is the package's jar. */
        public static Layout of(Path jar) {
            return jar.equals(PACKAGED_JAR) ? PACKAGED : LOCAL;
        }

        Path manifest() {
            return this == PACKAGED ? PACKAGED_MANIFEST : Manifest.PATH;
        }
    }

    /**
     * The units and tmpfiles.d snippet for {@code settings}, by the path install writes them to
     * (/etc/systemd/system, /etc/tmpfiles.d). The one rendering of both layouts: the package's files are this for
     * the default configuration ({@link #packagedUnits}).
     */
    static Map<Path, String> unitTexts(Settings settings, String java, String jar, BootWait.Options wait) {
        Map<Path, String> texts = new LinkedHashMap<>();
        List<Path> writable = writableDirectories(settings);
        texts.put(SERVICE, Render.serviceUnit(java, jar));
        texts.put(TMPFILES, Render.tmpfiles(writable));
        texts.put(WAIT, Render.waitUnit(java, jar, wait));
        texts.put(TIMER, Render.timerUnit(settings.ntp().checkInterval()));
        texts.put(DAEMON_SERVICE, Render.daemonUnit(java, jar, writable));
        texts.put(FAIL_SAFE_SERVICE, Render.failSafeUnit(java, jar, writable));
        return texts;
    }

    /** Where the package ships the file install would write to {@code etcPath} (a unit or the tmpfiles.d snippet). */
    public static Path packagedPath(Path etcPath) {
        if (etcPath.equals(TMPFILES)) {
            return Path.of("/usr/lib/tmpfiles.d").resolve(TMPFILES.getFileName());
        }
        return Path.of("/usr/lib/systemd/system").resolve(etcPath.getFileName());
    }

    /**
     * What the Debian package ships, by its path in the package: the timer job's units (with the resident daemon's), the boot wait's (not enabled)
     * and the tmpfiles.d snippet for the default configuration (no ntp-monitor.conf), running {@link #PACKAGED_JAR} with /usr/bin/java. Built into the
     * package at build time by the ntp-deb module, and compared with at install time.
     *
     * @param defaults the settings of an empty file root
     */
    public static Map<Path, String> packagedUnits(Settings defaults) {
        Map<Path, String> out = new LinkedHashMap<>();
        unitTexts(defaults, "/usr/bin/java", PACKAGED_JAR.toString(), BootWait.Options.ofDefaults())
                .forEach((etc, text) -> out.put(packagedPath(etc), text));
        return out;
    }

    private Path at(Path systemPath) {
        return Settings.under(root, systemPath);
    }

    /** The text files install owns, with their content. */
    Map<Path, String> plannedTexts(Settings settings, Options o) throws IOException {
        Map<Path, String> texts = new LinkedHashMap<>();
        boolean packaged = o.layout() == Layout.PACKAGED;
        if (!packaged) {
            texts.put(LAUNCHER, Render.launcher()); // the package ships it in /usr/lib/pintp
        }
        for (Map.Entry<Path, String> u : unitTexts(settings, o.java(),
                (packaged ? PACKAGED_JAR : JAR).toString(), o.bootWait().orElse(BootWait.Options.ofDefaults())).entrySet()) {
            // the package's unit as it is: no override (one in /etc would hide the package's next version)
            if (!packaged || !AtomicFiles.read(at(packagedPath(u.getKey()))).equals(Optional.of(u.getValue()))) {
                texts.put(u.getKey(), u.getValue());
            }
        }
        texts.put(TIMESYNCD, Render.timesyncdDropIn(settings.ntp().primaries(), settings.ntp().fallbacks()));
        Mac mac = findMac(o.mac(), o.trustLease());
        texts.put(DNSMASQ, Render.dnsmasqSnippet(Render.piZeroAddress(settings.ntp()), mac.confirmed(), mac.unconfirmed()));
        texts.put(ALIASES, Render.aliases());
        return texts;
    }

    /** The directories the sandboxed job writes to (see {@link Render#tmpfiles}). */
    static List<Path> writableDirectories(Settings settings) {
        List<Path> writable = new ArrayList<>();
        writable.add(settings.dropInDirectory());
        if (settings.steerTimesyncd()) {
            writable.add(Settings.STEERING_DIR);
        }
        settings.textfilePath().ifPresent(p -> writable.add(p.getParent()));
        return writable;
    }

    /**
     * The Pi Zero's MAC and where it came from.
     *
     * @param confirmed the MAC to write: given with --mac, kept from the snippet a previous install wrote, or taken
     *     from the lease with --trust-lease
     * @param unconfirmed pi-ntp's lease MAC when it was not confirmed (shown, not written)
     * @param note what to tell the user about it, or empty
     */
    record Mac(Optional<String> confirmed, Optional<String> unconfirmed, String note) {
    }

    /** The MAC: {@code --mac}; else, with --trust-lease, pi-ntp's lease; else the one a previous install wrote. */
    Mac findMac(Optional<String> given, boolean trustLease) throws IOException {
        if (given.isPresent()) {
            return new Mac(given, Optional.empty(), "");
        }
        Optional<String> lease = leaseMac();
        Optional<String> previous = Optional.empty();
        Optional<String> old = AtomicFiles.read(at(DNSMASQ));
        if (old.isPresent()) {
            var m = MAC_IN_SNIPPET.matcher(old.get());
            if (m.find()) {
                previous = Optional.of(m.group(1));
            }
        }
        if (lease.isPresent() && trustLease) {
            return new Mac(lease, Optional.empty(), "note: the Pi Zero's MAC " + lease.get() + " was taken from pi-ntp's"
                    + " DHCP lease in " + LEASES + " (--trust-lease); a DHCP lease is not authenticated");
        }
        if (previous.isPresent()) {
            return new Mac(previous, Optional.empty(), lease.isPresent() && !lease.equals(previous)
                    ? "warning: pi-ntp's DHCP lease now names MAC " + lease.get() + ", not " + previous.get()
                            + " as installed; kept " + previous.get() + " (any DHCP client can call itself pi-ntp;"
                            + " give --mac or --trust-lease to change it)"
                    : "");
        }
        if (lease.isPresent()) {
            return new Mac(Optional.empty(), lease, "warning: the MAC " + lease.get() + " comes from a DHCP lease of a"
                    + " client calling itself pi-ntp, which any client can do; not written. Confirm it with --mac "
                    + lease.get() + " or --trust-lease");
        }
        return new Mac(Optional.empty(), Optional.empty(), "");
    }

    private Optional<String> leaseMac() throws IOException {
        Optional<String> leases = AtomicFiles.read(at(LEASES));
        if (leases.isPresent()) {
            for (String line : leases.get().split("\n")) {
                String[] f = line.trim().split("\\s+");
                // expiry MAC IP hostname client-id
                if (f.length >= 4 && f[3].equals(Render.PI_ZERO_NAME) && MAC.matcher(f[1].toLowerCase(Locale.ROOT)).matches()) {
                    return Optional.of(f[1].toLowerCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Installs; returns the exit status (0 ok). The files are planned ({@link #plan}); {@code --dry-run} prints the
     * plan, a run applies that plan and then activates what changed.
     *
     * @throws IOException when a file cannot be read or written (the manifest then lists what was written so far)
     */
    public int install(Settings settings, Options o) throws IOException {
        Optional<Manifest> own = Manifest.load(root, o.layout().manifest());
        // a jar install before the package: its files are taken over (and what the package replaces removed)
        boolean migrating = o.layout() == Layout.PACKAGED && own.isEmpty() && Manifest.load(root).isPresent();
        Manifest previous = (migrating ? Manifest.load(root) : own).orElse(new Manifest(List.of()));
        Plan plan = plan(settings, o, previous, migrating);
        // the jar install's manifest goes only once the package's lists everything: a plan of its own, after
        Plan.Builder retiring = Plan.under(root);
        if (migrating) {
            retiring.remove(Manifest.PATH, "the jar install's manifest; now " + PACKAGED_MANIFEST);
        }
        Plan retire = retiring.build();
        String macNote = findMac(o.mac(), o.trustLease()).note();
        if (!macNote.isEmpty()) {
            out.println(macNote);
        }
        if (o.dryRun()) {
            out.print(plan.describe() + retire.describe());
            int changes = plan.changes().size() + retire.changes().size();
            out.println(changes == 0 ? "Nothing to change." : changes + " change(s); nothing written (--dry-run).");
            return 0;
        }

        Plan.Applied applied = plan.apply(files);
        List<Change> changed = new ArrayList<>(applied.changed());
        List<Change> retired = retire.apply(files).changed();
        if (!retired.isEmpty()) {
            changed.addAll(retired);
            removeEmptyDirectories(previous);
        }
        for (Change c : changed) {
            out.println("changed " + (c.removes() ? "removed " : "") + c.path());
        }
        if (changed.isEmpty()) {
            out.println("Already installed; nothing changed.");
        }
        if (applied.wrote(WAIT_LINK)) {
            out.println("note: ntp-monitor-wait.service is enabled: from the next boot on, time-sync.target waits for"
                    + " verified time (at most " + dev.pintp.sysconf.TimeSpans.format(o.bootWait().orElseThrow().timeout())
                    + ")");
        }
        if (live) {
            // what systemd-tmpfiles does at boot, done now so the first run finds them (not in the manifest:
            // they are the system's directories, empty ones under /run vanish at shutdown)
            for (Path d : writableDirectories(settings)) {
                Files.createDirectories(at(d));
            }
        }
        if (live && !changed.isEmpty()) {
            return activate(o, applied);
        }
        if (!live) {
            out.println("Files written under " + root + "; units not started (not the running system).");
        }
        return 0;
    }

    /**
     * What install changes under the root for {@code settings} and {@code o}: the files it owns, the jar, the links,
     * the hosts line, and the removal of what only {@code previous} owned (after a switch between timer and daemon,
     * a primary that changed, the takeover of a jar install); recorded in the layout's manifest.
     */
    Plan plan(Settings settings, Options o, Manifest previous, boolean migrating) throws IOException {
        boolean packaged = o.layout() == Layout.PACKAGED;
        Map<Path, String> texts = plannedTexts(settings, o);
        // the package enables its timer itself
        Optional<Path> link = packaged ? Optional.empty() : Optional.of(TIMER_LINK);
        Path linkTarget = TIMER;
        // with the package, the wait's own unit unless the options render it differently
        Path waitTarget = packaged && !texts.containsKey(WAIT) ? packagedPath(WAIT) : WAIT;
        Optional<String> hosts = AtomicFiles.read(at(HOSTS));
        Optional<String> address = Render.piZeroAddress(settings.ntp());
        // no address (the primary is a name, IPv6 or loopback): no line to add, and a line an earlier install added
        // for another address is stale
        boolean hostsHasLine = address.isEmpty() || hosts.isPresent() && hasHostsLine(hosts.get(), address.get());
        Optional<String> hostsLine = address.map(Render::hostsLine);
        Manifest.Entry hostsEntry = new Manifest.Entry(Manifest.Kind.LINE, HOSTS, hostsLine.orElse(""));

        Plan.Builder plan = Plan.under(root).recordIn(o.layout().manifest(), previous);
        for (Map.Entry<Path, String> t : texts.entrySet()) {
            plan.file(t.getKey(), t.getValue());
        }
        if (!packaged) {
            plan.file(JAR, Files.readAllBytes(o.jarSource()));
        }
        if (link.isPresent()) {
            plan.link(link.get(), linkTarget, true);
        }
        if (o.bootWait().isPresent()) {
            plan.link(WAIT_LINK, waitTarget, true);
        }
        if (!hostsHasLine) {
            plan.addLine(HOSTS, hostsLine.orElseThrow());
        } else if (!hostsEntry.line().isEmpty() && previous.has(hostsEntry)) {
            plan.own(hostsEntry); // still ours: an earlier install added it
        }
        // What the previous install owned and this one does not (after a mode switch): removed.
        for (Manifest.Entry e : previous.entries()) {
            boolean keep = switch (e.kind()) {
                case FILE -> texts.containsKey(e.path()) || !packaged && e.path().equals(JAR);
                case LINK -> link.isPresent() && e.path().equals(link.get())
                        || o.bootWait().isPresent() && e.path().equals(WAIT_LINK);
                case LINE -> hostsLine.isPresent() && e.equals(hostsEntry);
                case DIR -> true;
            };
            if (!keep) {
                plan.remove(e);
            }
        }
        if (migrating && !plan.exists(TIMER_LINK)) {
            // the jar install's link was removed as stale: enable the package's timer as deb-systemd-helper does
            plan.link(TIMER_LINK, packagedPath(TIMER), false);
        }
        return plan.build();
    }

    private int activate(Options o, Plan.Applied applied) {
        try {
            systemctl.daemonReload();
            if (applied.wrote(SERVICE) || applied.removed(SERVICE)) {
                // ntp-monitor.service as a long-lived JVM from an earlier "install --daemon" goes on running after its
                // unit became the oneshot: "active" (a oneshot is only ever activating), so restarted into a check
                String state = systemctl.show("ntp-monitor.service", List.of("ActiveState"))
                        .getOrDefault("ActiveState", "");
                if (state.equals("active")) {
                    systemctl.tryRestart("ntp-monitor.service");
                }
            }
            if (applied.wrote(DAEMON_SERVICE) || applied.removed(DAEMON_SERVICE) || applied.wrote(JAR)
                    || applied.wrote(LAUNCHER)) {
                // a running daemon keeps its old unit, jar or launcher until it starts again
                systemctl.tryRestart(Render.DAEMON_UNIT);
            }
            systemctl.start("ntp-monitor.timer");
            if (applied.wrote(TIMESYNCD) && systemctl.isInstalled("systemd-timesyncd.service")) {
                systemctl.tryRestart("systemd-timesyncd.service");
            }
            if (applied.wrote(DNSMASQ) && systemctl.isInstalled("dnsmasq.service")) {
                systemctl.tryRestart("dnsmasq.service");
            }
            return 0;
        } catch (SystemctlException e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Removes exactly what the manifest lists, plus the job's own drop-ins (the controller's and the timesyncd
     * steering one), so nothing keeps the controller in power-saving mode after the job is gone.
     */
    public int uninstall(Settings settings, boolean dryRun) throws IOException {
        return uninstall(settings, dryRun, Layout.LOCAL);
    }

    /**
     * {@link #uninstall(Settings, boolean)} for a layout. With the package's layout the job's drop-ins are removed
     * also when the site command never ran (no manifest): the package's prerm relies on it. {@code dryRun} prints
     * the plan ({@link #removal}); a run stops the job's units, applies that plan, forgets the manifest and reloads.
     */
    public int uninstall(Settings settings, boolean dryRun, Layout layout) throws IOException {
        Optional<Manifest> manifest = Manifest.load(root, layout.manifest());
        if (manifest.isEmpty() && layout == Layout.LOCAL) {
            out.println("Nothing to uninstall: no " + Manifest.PATH + " under " + root + ".");
            return 0;
        }
        Manifest owned = manifest.orElse(new Manifest(List.of()));
        Plan plan = removal(settings, owned, layout);
        if (dryRun) {
            out.print(plan.describe());
            out.println("Nothing removed (--dry-run).");
            return 0;
        }
        if (live) {
            for (String unit : List.of("ntp-monitor.timer", "ntp-monitor.service")) {
                try {
                    systemctl.stop(unit);
                } catch (SystemctlException e) {
                    out.println("warning: " + e.getMessage());
                }
            }
        }
        Plan.Applied applied = plan.apply(files);
        for (Change c : applied.changed()) {
            out.println("removed " + c.path() + (c instanceof Change.RemoveLine r ? " line '" + r.line() + "'" : ""));
        }
        files.delete(at(layout.manifest()));
        removeEmptyDirectories(owned);
        if (live) {
            try {
                systemctl.daemonReload();
                if (applied.removed(settings.dropInFile())) {
                    systemctl.tryRestart(settings.targetUnit());
                }
                if ((applied.removed(TIMESYNCD) || applied.removed(MonitorJob.STEERING))
                        && systemctl.isInstalled("systemd-timesyncd.service")) {
                    systemctl.tryRestart("systemd-timesyncd.service");
                }
            } catch (SystemctlException e) {
                out.println("error: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /**
     * What uninstall takes away: what the manifest lists (a directory when it is empty, afterwards), a link to the
     * boot wait made by hand, and the job's own drop-ins.
     */
    Plan removal(Settings settings, Manifest owned, Layout layout) throws IOException {
        Plan.Builder plan = Plan.under(root);
        for (Manifest.Entry e : owned.entries()) {
            plan.remove(e);
        }
        // "systemctl enable ntp-monitor-wait.service" by hand made a link the manifest does not list; with the unit
        // gone it would dangle. The wait is not stopped: units that Require= it would be stopped with it.
        if (isWaitLink(at(WAIT_LINK), layout)) {
            plan.remove(new Manifest.Entry(Manifest.Kind.LINK, WAIT_LINK, ""));
        }
        return plan.remove(settings.dropInFile(), "").remove(MonitorJob.STEERING, "").build();
    }

    /** Removes the directories {@code manifest} lists that are empty, deepest first. */
    private void removeEmptyDirectories(Manifest manifest) throws IOException {
        List<Manifest.Entry> dirs = new ArrayList<>(manifest.of(Manifest.Kind.DIR));
        dirs.sort(Comparator.comparingInt((Manifest.Entry e) -> e.path().getNameCount()).reversed());
        for (Manifest.Entry d : dirs) {
            Path p = at(d.path());
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                try (var s = Files.list(p)) {
                    if (s.findAny().isEmpty()) {
                        Files.delete(p);
                        out.println("removed directory " + d.path());
                    }
                }
            }
        }
    }

    /** True when a non-comment line of the hosts file maps {@code address} to pi-ntp (in any spacing). */
    static boolean hasHostsLine(String hosts, String address) {
        for (String line : hosts.split("\n")) {
            String l = line.strip();
            int hash = l.indexOf('#');
            if (hash >= 0) {
                l = l.substring(0, hash).strip();
            }
            String[] f = l.split("\\s+");
            if (f.length >= 2 && f[0].equals(address)
                    && Arrays.asList(f).subList(1, f.length).contains(Render.PI_ZERO_NAME)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A link to the boot wait's unit: install's in /etc; with the package's layout also the package's unit (linked by
     * systemctl enable or install). In the jar's layout a link to /lib or /usr/lib is another unit's.
     */
    private static boolean isWaitLink(Path link, Layout layout) throws IOException {
        return isLinkTo(link, WAIT) || layout == Layout.PACKAGED && (isLinkTo(link, packagedPath(WAIT))
                || isLinkTo(link, Path.of("/lib/systemd/system").resolve(WAIT.getFileName())));
    }

    private static boolean isLinkTo(Path link, Path target) throws IOException {
        return Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target);
    }
}
