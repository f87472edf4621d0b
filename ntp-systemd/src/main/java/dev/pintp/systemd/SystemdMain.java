package dev.pintp.systemd;

import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.internal.DefaultNtpChecker;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.systemd.internal.AlertSink;
import dev.pintp.systemd.internal.AtomicFiles;
import dev.pintp.systemd.internal.BootWait;
import dev.pintp.systemd.internal.CheckServer;
import dev.pintp.systemd.internal.Daemon;
import dev.pintp.systemd.internal.FailSafe;
import dev.pintp.systemd.internal.Installer;
import dev.pintp.systemd.internal.JournalSink;
import dev.pintp.systemd.internal.MetricsServer;
import dev.pintp.systemd.internal.MonitorJob;
import dev.pintp.systemd.internal.ProcessSystemctl;
import dev.pintp.systemd.internal.Render;
import dev.pintp.systemd.internal.Settings;
import dev.pintp.systemd.internal.StatusReport;
import dev.pintp.systemd.internal.Systemctl;
import dev.pintp.systemd.internal.WebhookAlerts;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar ntp-systemd.jar run|serve|daemon|wait|fail-safe|install|uninstall|status}: the ntp-monitor job and
 * its installer.
 * Exit status 0 on success (also when the time is not synchronized, a normal state), 1 on a fault (systemctl or a file
 * failed), 2 on a usage or configuration error. {@code run} and {@code daemon} fail closed: when they cannot do their
 * job (also when the configuration cannot be read) they end power saving before they exit non-zero. {@code wait}
 * (ntp-monitor-wait.service, {@link BootWait}) exits 0 once a check verified the time, 1 when none did within its
 * timeout, 2 on a usage or configuration error. {@code fail-safe} (ntp-monitor-fail-safe.service) ends power
 * saving after a run that could not (killed, timed out; {@link FailSafe#afterRun}) and exits 0, or 2 when the
 * configuration cannot be read (it then ends power saving as a run does). {@code serve} (ntp-monitor-daemon.service,
 * {@link CheckServer}) runs until stopped and exits 0; a check it cannot make fails closed and is answered with the
 * status {@code run} would have exited with.
 */
public final class SystemdMain {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");
    private static final String USAGE = String.join("\n",
            "usage: ntp-systemd.jar COMMAND [OPTIONS]",
            "  run                      one cycle: check, decide, update the controller's drop-in (ntp-monitor.service)",
            "  serve                    the default install's resident daemon (ntp-monitor-daemon.service): one",
            "                           cycle per request of ntp-monitor.service, and on its own after Interval=",
            "                           + 30 s without one; serves /metrics if configured",
            "  daemon                   the same cycle every Interval= in one process, without timer or client (by",
            "                           hand, a container without systemd); serves /metrics if configured",
            "  wait [--timeout SPAN] [--require primary|majority] [--max-interval SPAN]",
            "                           check until the time is verified (ntp-monitor-wait.service, before",
            "                           time-sync.target); default 180s, primary, 30s; exit 0 verified, 1 timed out",
            "  fail-safe                after a failed run (ntp-monitor-fail-safe.service): unless systemd says it",
            "                           failed closed itself, end power saving as a failed run does",
            "  install [--root DIR] [--dry-run] [--mac MAC | --trust-lease] [--java PATH] [--jar PATH]",
            "          [--enable-wait [--wait-timeout SPAN] [--wait-require primary|majority]]  enable the wait",
            "          [--auth key [--key-id N]]  also the Pi Zero's key pair of chrony keyfiles (docs/security.md)",
            "          [--auth nts]  also print the NTS steps for the Pi Zero's chrony and this machine",
            "  uninstall [--root DIR] [--dry-run] [--jar PATH]",
            "  (install and uninstall from the Debian package's jar, /usr/share/pintp/ntp-systemd.jar, act on the",
            "  package's layout: the site's files only, the package's units unless the configuration changes them)",
            "  status [--root DIR]",
            "options for every command: --root DIR (file root, default /), -v (debug lines),",
            "  --systemctl PATH (the systemctl binary, default systemctl from PATH; for measurements and labs)");

    private static final List<String> COMMANDS = List.of("run", "serve", "daemon", "wait", "fail-safe", "install", "uninstall",
            "status");
    // Options of one or two commands: elsewhere they would be ignored, and "run --dry-run" would change the system.
    private static final Map<String, List<String>> ONLY_FOR = Map.ofEntries(
            Map.entry("--dry-run", List.of("install", "uninstall")),
            Map.entry("--daemon", List.of("install")),
            Map.entry("--mac", List.of("install")),
            Map.entry("--trust-lease", List.of("install")),
            Map.entry("--java", List.of("install")),
            Map.entry("--jar", List.of("install", "uninstall")),
            Map.entry("--auth", List.of("install")),
            Map.entry("--key-id", List.of("install")),
            Map.entry("--enable-wait", List.of("install")),
            Map.entry("--wait-timeout", List.of("install")),
            Map.entry("--wait-require", List.of("install")),
            Map.entry("--timeout", List.of("wait")),
            Map.entry("--require", List.of("wait")),
            Map.entry("--max-interval", List.of("wait")));

    // Below the unit's TimeoutStartSec=120s, so that a run kept waiting by a stuck one fails closed itself rather
    // than being killed by the manager with the drop-in in place.
    private static final Duration LOCK_WAIT = Duration.ofSeconds(60);

    private SystemdMain() {
    }

    /** Entry point; exits with the status described in the class comment. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.getenv()));
    }

    /** Runs a command and returns the exit status instead of exiting. */
    public static int run(String[] args, PrintStream out, Map<String, String> env) {
        if (args.length == 0) {
            out.println(USAGE);
            return 2;
        }
        String command = args[0];
        if (command.equals("-h") || command.equals("--help") || command.equals("help")) {
            out.println(USAGE);
            return 0;
        }
        if (!COMMANDS.contains(command)) {
            out.println("error: unknown command " + command);
            out.println(USAGE);
            return 2;
        }
        Path root = Path.of("/");
        boolean dryRun = false;
        boolean daemonMode = false;
        boolean verbose = false;
        boolean trustLease = false;
        Optional<String> mac = Optional.empty();
        String java = "/usr/bin/java";
        Optional<Path> jar = Optional.empty();
        String systemctlBinary = "systemctl";
        boolean authKey = false;
        boolean authNts = false;
        long keyId = 1;
        boolean keyIdGiven = false;
        BootWait.Options waitOptions = BootWait.Options.ofDefaults();
        boolean enableWait = false;
        boolean waitOptionGiven = false;
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        try {
            for (int i = 0; i < rest.size(); i++) {
                String a = rest.get(i);
                switch (a) {
                    case "--root" -> root = Path.of(value(rest, ++i, a)).toAbsolutePath();
                    case "--dry-run" -> dryRun = true;
                    case "--daemon" -> daemonMode = true;
                    case "--mac" -> mac = Optional.of(value(rest, ++i, a));
                    case "--trust-lease" -> trustLease = true;
                    case "--java" -> java = value(rest, ++i, a);
                    case "--jar" -> jar = Optional.of(Path.of(value(rest, ++i, a)));
                    case "--systemctl" -> systemctlBinary = value(rest, ++i, a);
                    case "--auth" -> {
                        String kind = value(rest, ++i, a);
                        if (!kind.equals("key") && !kind.equals("nts")) {
                            throw new IllegalArgumentException("--auth must be key or nts, was '" + kind + "'");
                        }
                        authKey = kind.equals("key");
                        authNts = kind.equals("nts");
                    }
                    case "--key-id" -> {
                        String v = value(rest, ++i, a);
                        keyIdGiven = true;
                        keyId = v.matches("[0-9]{1,10}") ? Long.parseLong(v) : -1;
                        if (keyId < 1 || keyId > dev.pintp.ntp.NtpKey.MAX_ID) {
                            throw new IllegalArgumentException("--key-id must be 1 to 4294967295, was '" + v + "'");
                        }
                    }
                    case "--timeout", "--wait-timeout" -> {
                        waitOptions = waitOptions.withTimeout(BootWait.span(a, value(rest, ++i, a)));
                        waitOptionGiven = true;
                    }
                    case "--require", "--wait-require" -> {
                        waitOptions = waitOptions.withRequire(BootWait.Require.of(a, value(rest, ++i, a)));
                        waitOptionGiven = true;
                    }
                    case "--max-interval" -> waitOptions = waitOptions.withMaxInterval(
                            BootWait.span(a, value(rest, ++i, a)));
                    case "--enable-wait" -> enableWait = true;
                    case "-v", "--verbose" -> verbose = true;
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                List<String> only = ONLY_FOR.get(a);
                if (only != null && !only.contains(command)) {
                    throw new IllegalArgumentException(a + " applies only to " + String.join(" and ", only)
                            + ", not to " + command);
                }
            }
            if (keyIdGiven && !authKey) {
                throw new IllegalArgumentException("--key-id needs --auth key");
            }
            if (command.equals("install") && waitOptionGiven && !enableWait) {
                throw new IllegalArgumentException("--wait-timeout and --wait-require need --enable-wait");
            }
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (!Files.isDirectory(root)) {
            // a mistyped root would otherwise be created, or read as "nothing configured" (the default servers)
            out.println("error: --root " + root + ": not a directory");
            return 2;
        }
        JournalSink.configure(out, env.get("JOURNAL_STREAM") != null, verbose ? JournalSink.DEBUG : JournalSink.INFO);
        Systemctl systemctl = new ProcessSystemctl(systemctlBinary, Duration.ofSeconds(30));
        if (command.equals("serve")) {
            // before reading the configuration: a configuration error fails each check closed, the daemon stays
            return serve(root, systemctl, env, out, verbose ? JournalSink.DEBUG : JournalSink.INFO);
        }
        boolean job = command.equals("run") || command.equals("daemon") || command.equals("fail-safe");
        Optional<String> failSafe = Optional.empty();
        if (command.equals("fail-safe")) {
            failSafe = FailSafe.afterRun(env);
            if (failSafe.isEmpty()) {
                LOG.debug("fail-safe: the run succeeded or failed closed itself, nothing to do");
                return 0; // before reading the configuration: after every good run, this is all it does
            }
        }
        Settings settings;
        // install --auth key: the configuration as the job will read it, with the keyfile this install writes
        dev.pintp.systemd.internal.KeyInstaller keys = authKey ? new dev.pintp.systemd.internal.KeyInstaller(root,
                new AtomicFiles(), out, new java.security.SecureRandom()) : null;
        try {
            settings = keys != null ? keys.load(env, keyIdGiven ? Optional.of(keyId) : Optional.empty())
                    : Settings.load(root, env);
        } catch (ConfigException e) {
            if (job) {
                // fail closed: without a configuration nothing verifies the time, so no power saving
                return FailSafe.withoutSettings(root, systemctl, failSafe.map(r -> r + "; ").orElse("")
                        + "configuration error: " + e.getMessage(), 2);
            }
            LOG.error(command.equals("wait") ? "configuration error, the time is not verified: {}"
                    : "configuration error, nothing changed: {}", e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            String reason = failSafe.map(r -> r + "; ").orElse("") + "cannot read the configuration: "
                    + FailSafe.describe(e);
            if (job) {
                return FailSafe.withoutSettings(root, systemctl, reason, 1);
            }
            LOG.error(reason);
            return 1;
        }
        for (dev.pintp.ntp.NtpServer server : settings.ntp().primaries()) {
            if (server.auth() instanceof dev.pintp.ntp.NtpAuth.SymmetricKey k
                    && k.key().type() == dev.pintp.ntp.NtpKeyType.MD5) {
                LOG.warn("{} is authenticated with {}, which is weak (length extension): prefer AES128 ([Auth] AllowMd5=yes)",
                        server, k.key());
            }
        }
        boolean live = root.equals(Path.of("/"));
        try {
            switch (command) {
                case "run":
                    return runOnce(settings, root, systemctl);
                case "daemon":
                    return daemon(settings, root, systemctl);
                case "wait":
                    return bootWait(settings, waitOptions);
                case "fail-safe":
                    failSafe(job(settings, root, systemctl, AlertSink.NONE, t -> { }), failSafe.get());
                    return 0;
                case "install": {
                    Path source = jar.isPresent() ? jar.get() : runningJar();
                    if (daemonMode) {
                        // the default install keeps one resident daemon already (the timer's run asks it)
                        out.println("note: --daemon is deprecated and ignored: the default install already checks in"
                                + " one resident daemon (" + Render.DAEMON_UNIT + "), asked by ntp-monitor.timer's runs");
                    }
                    Installer.Options o = new Installer.Options(mac, source, java, dryRun, trustLease,
                            enableWait ? Optional.of(waitOptions) : Optional.empty(), Installer.Layout.of(source));
                    int code = new Installer(root, systemctl, new AtomicFiles(), out, live && !dryRun).install(settings, o);
                    if (code == 0 && authKey) {
                        code = keys.install(settings, dryRun);
                    }
                    if (code == 0 && authNts) {
                        out.print(dev.pintp.systemd.internal.NtsSetup.instructions(settings));
                    }
                    return code;
                }
                case "uninstall":
                    return new Installer(root, systemctl, new AtomicFiles(), out, live && !dryRun)
                            .uninstall(settings, dryRun, Installer.Layout.of(jar.orElseGet(SystemdMain::codeSource)));
                case "status":
                    StatusReport.print(settings, root, systemctl, out);
                    return 0;
                default:
                    out.println("error: unknown command " + command);
                    out.println(USAGE);
                    return 2;
            }
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            LOG.error("{} failed: {}", command, describe(e));
            return 1;
        }
    }

    /** An I/O failure in words a user can act on, rather than the exception's class name. */
    static String describe(IOException e) {
        return FailSafe.describe(e);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /**
     * A file's identity (inode, size, modification time), empty when it cannot be read: an upgrade or an install
     * replaces the jar with a new file.
     */
    private static Optional<String> identity(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return a.isRegularFile() ? Optional.of(a.fileKey() + " " + a.size() + " " + a.lastModifiedTime())
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Where this class was loaded from (a jar, or a classes directory in tests); empty path when unknown. */
    private static Path codeSource() {
        try {
            return Path.of(SystemdMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("");
        }
    }

    private static Path runningJar() throws IOException {
        try {
            Path p = Path.of(SystemdMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(p)) {
                throw new IOException("not running from a jar (" + p + "): give --jar PATH");
            }
            return p;
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the running jar: give --jar PATH", e);
        }
    }

    private static AlertSink alerts(Settings s) {
        return s.webhook().<AlertSink>map(url -> new WebhookAlerts(url, s.webhookTimeout(), s.webhookAttempts(),
                Duration.ofSeconds(1))).orElse(AlertSink.NONE);
    }

    // Time a run waits for pending webhook deliveries after its cycle is done: every attempt timing out, plus pauses.
    private static Duration alertGrace(Settings s) {
        Duration pauses = Duration.ofSeconds((1L << (s.webhookAttempts() - 1)) - 1);
        Duration all = s.webhookTimeout().multipliedBy(s.webhookAttempts()).plus(pauses);
        return all.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : all;
    }

    private static MonitorJob job(Settings s, Path root, Systemctl systemctl, AlertSink alerts, Consumer<String> metrics) {
        return job(s, root, systemctl, alerts, metrics, DefaultNtpChecker.sharedExecutor());
    }

    private static MonitorJob job(Settings s, Path root, Systemctl systemctl, AlertSink alerts, Consumer<String> metrics,
            Executor queries) {
        return new MonitorJob(s, root, systemctl, new AtomicFiles(), Clock.systemUTC(),
                backoff -> NtpChecker.custom(s.ntp()).backoffState(backoff).executor(queries).build(), alerts, metrics,
                LOCK_WAIT);
    }

    private static int runOnce(Settings s, Path root, Systemctl systemctl) {
        AlertSink alerts = alerts(s);
        try {
            return job(s, root, systemctl, alerts, t -> { }).runOnce(); // fails closed itself
        } finally {
            alerts.close(alertGrace(s));
        }
    }

    private static int bootWait(Settings s, BootWait.Options o) {
        List<String> primaries = s.ntp().primaries().stream().map(dev.pintp.ntp.NtpServer::host).toList();
        LOG.info("waiting up to {} for the time to be verified against a primary ({}){}",
                dev.pintp.sysconf.TimeSpans.format(o.timeout()), primaries.isEmpty() ? "none configured"
                        : String.join(", ", primaries),
                o.require() == BootWait.Require.MAJORITY ? " or a majority of the pool" : "");
        BootWait wait = new BootWait(o, BootWait.threaded(NtpChecker.custom(s.ntp()).build()),
                s.ntp().checkDeadline(), dev.pintp.ntp.Ticker.system(), BootWait.Pause.system());
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (!done.get()) {
                // systemd stopped the unit (TimeoutStartSec=, a stop job at shutdown) before the wait ended
                LOG.error("stopped before the time was verified: the wait was ended by a signal");
            }
        }, "ntp-monitor-wait-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return wait.await().verified() ? 0 : 1;
        } finally {
            done.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs and finds done set
            }
        }
    }

    /**
     * The fail-safe after a run that did not finish. A killed {@code run}'s lock went with its process; a killed
     * client's check may still be running in the daemon, so the lock is waited for (at most {@link #LOCK_WAIT}):
     * power saving is ended after that check, not before it could grant it again. A timer run that starts meanwhile
     * waits for the same lock: whichever comes second finds the state the first left, a verified grant or none.
     */
    private static void failSafe(MonitorJob job, String reason) {
        try (java.nio.channels.FileChannel ch = job.store().openLock()) {
            long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
            java.nio.channels.FileLock lock = ch.tryLock();
            while (lock == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
                lock = ch.tryLock();
            }
            if (lock == null) {
                LOG.warn("another run held {} for more than {} s; ending power saving without it",
                        job.store().lockFile(), LOCK_WAIT.toSeconds());
            }
            job.failClosed(reason);
        } catch (IOException | RuntimeException e) {
            // no lock to wait for (no runtime directory, a read-only one): fail closed all the same
            LOG.debug("fail-safe without the lock: {}", e.toString());
            job.failClosed(reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.failClosed(reason);
        }
    }

    /**
     * How long past Interval= the daemon waits for a request before it checks without one: the timer's
     * RandomizedDelaySec=10s, the run itself and a loaded machine fit in it.
     */
    static final Duration SELF_CHECK_MARGIN = Duration.ofSeconds(30);

    /** How long {@code serve} keeps an idle query thread: beyond a check's deadline, well under a check interval. */
    static final Duration SERVE_QUERY_KEEP_ALIVE = Duration.ofSeconds(10);

    /**
     * {@code serve}: the default install's daemon. Reads the configuration for every check (as a {@code run} would),
     * so an edited ntp-monitor.conf takes effect at the next check; the job, its checker and the webhook are made
     * again only when the configuration changed.
     */
    private static int serve(Path root, Systemctl systemctl, Map<String, String> env, PrintStream out, int level) {
        String runtime = env.getOrDefault("RUNTIME_DIRECTORY", "").split(":")[0];
        Path dir = Settings.under(root, Path.of(runtime.isEmpty() ? "/run/ntp-monitor" : runtime)).resolve("control");
        CheckServer.Router router = new CheckServer.Router(out, env.get("JOURNAL_STREAM") != null);
        JournalSink.configure(router, true, level);
        dev.pintp.systemd.internal.ControlChannel channel;
        try {
            channel = dev.pintp.systemd.internal.ControlChannel.open(dir);
        } catch (IOException e) {
            LOG.error("cannot serve requests in {}: {}", dir, describe(e));
            return 1;
        }
        AtomicReference<Settings> current = new AtomicReference<>();
        AtomicReference<MonitorJob> job = new AtomicReference<>();
        AtomicReference<AlertSink> alerts = new AtomicReference<>(AlertSink.NONE);
        AtomicReference<MetricsServer> server = new AtomicReference<>();
        // the checks' query threads end between two checks (a check a minute): their stacks are not kept resident
        Executor queries = DefaultNtpChecker.newExecutor(SERVE_QUERY_KEEP_ALIVE);
        java.util.function.IntSupplier check = () -> {
            Settings s;
            try {
                s = Settings.load(root, env);
            } catch (ConfigException e) {
                return FailSafe.withoutSettings(root, systemctl, "configuration error: " + e.getMessage(), 2);
            } catch (IOException | RuntimeException e) {
                return FailSafe.withoutSettings(root, systemctl, "cannot read the configuration: "
                        + FailSafe.describe(e), 1);
            }
            if (current.get() == null || !sameConfiguration(s, current.get())) {
                if (current.get() != null) {
                    LOG.info("configuration changed: the next checks use it");
                    alerts.get().close(Duration.ofSeconds(5));
                }
                if (current.get() == null && s.metricsListen().isPresent()) {
                    String listen = s.metricsListen().get();
                    try {
                        server.set(MetricsServer.start(MetricsServer.address(listen)));
                        LOG.info("serving metrics on http://{}/metrics", server.get().address());
                    } catch (IOException | RuntimeException e) {
                        // the metrics are not served; the time is still watched (a warning, not a failed check)
                        LOG.warn("cannot serve metrics on {}: {}", listen, FailSafe.describe(e));
                    }
                } else if (current.get() != null && !s.metricsListen().equals(current.get().metricsListen())) {
                    LOG.warn("[Metrics] Listen= changed: restart ntp-monitor-daemon.service to serve it");
                }
                alerts.set(alerts(s));
                job.set(job(s, root, systemctl, alerts.get(), t -> {
                    MetricsServer m = server.get();
                    if (m != null) {
                        m.update(t);
                    }
                }, queries));
                current.set(s);
            }
            return job.get().runOnce(); // fails closed itself
        };
        Path jar = codeSource();
        Optional<String> loaded = identity(jar);
        CheckServer daemon = new CheckServer(channel, check, () -> {
            Settings s = current.get();
            return (s == null ? Duration.ofSeconds(60) : s.ntp().checkInterval()).plus(SELF_CHECK_MARGIN);
        }, router, () -> loaded.isPresent() && identity(jar).map(now -> !now.equals(loaded.get())).orElse(false));
        daemon.stopAtShutdown();
        try {
            return daemon.run(); // CheckServer.REPLACED: the unit's Restart=on-failure starts the new jar
        } finally {
            MetricsServer m = server.get();
            if (m != null) {
                m.close();
            }
            alerts.get().close(Duration.ofSeconds(5));
        }
    }

    /**
     * True when two loaded configurations are the same for the daemon. Not {@code equals}: NtpConfig is compared by
     * identity, so every load would differ; its text and the servers (records, with their keys) are compared instead.
     */
    static boolean sameConfiguration(Settings a, Settings b) {
        return a.toString().equals(b.toString()) && a.ntp().primaries().equals(b.ntp().primaries())
                && a.ntp().fallbacks().equals(b.ntp().fallbacks());
    }

    private static int daemon(Settings s, Path root, Systemctl systemctl) {
        AlertSink alerts = alerts(s);
        AtomicReference<MetricsServer> server = new AtomicReference<>();
        MonitorJob job = job(s, root, systemctl, alerts, t -> {
            MetricsServer m = server.get();
            if (m != null) {
                m.update(t);
            }
        });
        if (s.metricsListen().isPresent()) {
            String listen = s.metricsListen().get();
            try {
                server.set(MetricsServer.start(MetricsServer.address(listen)));
            } catch (IOException | RuntimeException e) {
                // the daemon cannot start: nothing will verify the time
                alerts.close(Duration.ZERO);
                return job.failClosed("cannot serve metrics on " + listen + ": " + FailSafe.describe(e));
            }
            LOG.info("serving metrics on http://{}/metrics", server.get().address());
        }
        MetricsServer metrics = server.get();
        Daemon daemon = new Daemon(job, s.ntp().checkInterval());
        daemon.stopAtShutdown();
        try {
            return daemon.run();
        } finally {
            if (metrics != null) {
                metrics.close();
            }
            alerts.close(Duration.ofSeconds(5));
        }
    }
}
