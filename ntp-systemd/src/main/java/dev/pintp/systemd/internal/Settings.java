package dev.pintp.systemd.internal;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.SyncEnvironment;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.IniFile;
import dev.pintp.sysconf.TimeSpans;
import dev.pintp.sysconf.TimesyncdConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The job's configuration: {@code /etc/ntp-monitor/ntp-monitor.conf} in systemd's INI style over systemd-timesyncd's
 * configuration over {@link NtpConfig}'s defaults. Immutable. Paths are absolute paths of the target system; the job
 * resolves them under its file root with {@link #under(Path, Path)}.
 *
 * @param ntp servers, limits and hysteresis for the checks
 * @param targetUnit the unit whose environment is set, default {@code controller.service}
 * @param dropInName the drop-in's file name, default {@code ntp-environment.conf}
 * @param dropInLocation {@link DropInLocation#RUN} (default) or {@link DropInLocation#ETC}
 * @param variables the variable names written into the drop-in
 * @param conservePowerOnFallback whether a fallback-only sync also sets the variables (default no: power saving needs the primary)
 * @param steerTimesyncd whether timesyncd is pointed at the fallbacks while the primary is lost (default yes)
 * @param stateDirectory where the job keeps its state, default {@code $STATE_DIRECTORY} or /var/lib/ntp-monitor
 * @param runtimeDirectory lock and last-check status, default {@code $RUNTIME_DIRECTORY} or /run/ntp-monitor
 * @param webhook where alerts are POSTed, if anywhere
 * @param webhookTimeout per-attempt timeout of a webhook POST, default 5 s
 * @param webhookAttempts attempts per alert, default 3
 * @param textfilePath node_exporter textfile-collector file to write after each run, if any
 * @param metricsListen {@code host:port} where the daemon serves {@code /metrics}, if anywhere
 */
public record Settings(
        NtpConfig ntp,
        String targetUnit,
        String dropInName,
        DropInLocation dropInLocation,
        Variables variables,
        boolean conservePowerOnFallback,
        boolean steerTimesyncd,
        Path stateDirectory,
        Path runtimeDirectory,
        Optional<URI> webhook,
        Duration webhookTimeout,
        int webhookAttempts,
        Optional<Path> textfilePath,
        Optional<String> metricsListen) {

    /** The configuration file of the real system. */
    public static final Path CONFIG_FILE = Path.of("/etc/ntp-monitor/ntp-monitor.conf");
    /** File name of the runtime drop-in that steers timesyncd to the fallbacks; sorts after the installed one. */
    public static final String STEERING_DROP_IN = "90-ntp-monitor-steering.conf";
    /** Directory of the steering drop-in. */
    public static final Path STEERING_DIR = Path.of("/run/systemd/timesyncd.conf.d");

    /** Where the controller's drop-in lives. */
    public enum DropInLocation {
        /** {@code /run/systemd/system/UNIT.d}: gone after a reboot, so power saving starts off until verified. */
        RUN,
        /** {@code /etc/systemd/system/UNIT.d}: the original design's place; survives reboots. */
        ETC
    }

    /**
     * Names of the variables in the drop-in.
     *
     * @param conservePower default {@code CONSERVE_POWER}
     * @param synced default {@code NTP_SYNCED}
     * @param server default {@code NTP_SERVER}
     * @param level default {@code NTP_SYNC_LEVEL}
     */
    public record Variables(String conservePower, String synced, String server, String level) {
        /** The names {@link SyncEnvironment} reads. */
        public static final Variables DEFAULTS = new Variables(SyncEnvironment.CONSERVE_POWER,
                SyncEnvironment.NTP_SYNCED, SyncEnvironment.NTP_SERVER, SyncEnvironment.NTP_SYNC_LEVEL);
    }

    public Settings {
        Objects.requireNonNull(ntp, "ntp");
        Objects.requireNonNull(targetUnit, "targetUnit");
        Objects.requireNonNull(dropInName, "dropInName");
        Objects.requireNonNull(dropInLocation, "dropInLocation");
        Objects.requireNonNull(variables, "variables");
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        Objects.requireNonNull(runtimeDirectory, "runtimeDirectory");
        Objects.requireNonNull(webhook, "webhook");
        Objects.requireNonNull(webhookTimeout, "webhookTimeout");
        Objects.requireNonNull(textfilePath, "textfilePath");
        Objects.requireNonNull(metricsListen, "metricsListen");
    }

    /** The drop-in directory of the target unit on the target system, e.g. /run/systemd/system/controller.service.d. */
    public Path dropInDirectory() {
        String base = dropInLocation == DropInLocation.RUN ? "/run/systemd/system" : "/etc/systemd/system";
        return Path.of(base, targetUnit + ".d");
    }

    /** The drop-in file on the target system. */
    public Path dropInFile() {
        return dropInDirectory().resolve(dropInName);
    }

    /** {@code systemPath} (absolute) resolved under {@code root}. */
    public static Path under(Path root, Path systemPath) {
        if (!systemPath.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + systemPath);
        }
        return root.resolve(systemPath.toString().substring(1));
    }

    /**
     * Loads the configuration of the system under {@code root}: {@code ROOT/etc/ntp-monitor/ntp-monitor.conf} if it
     * exists, over timesyncd's configuration under {@code root}, over the defaults.
     *
     * @param env the process environment ({@code STATE_DIRECTORY}, {@code RUNTIME_DIRECTORY})
     * @throws ConfigException naming file, line and key of the first bad value
     */
    public static Settings load(Path root, Map<String, String> env) throws ConfigException, IOException {
        Path file = under(root, CONFIG_FILE);
        IniFile ini = Files.isRegularFile(file) ? IniFile.parse(file) : IniFile.parse(file, "");
        Path steering = under(root, STEERING_DIR).resolve(STEERING_DROP_IN);
        TimesyncdConfig timesyncd = TimesyncdConfig.load(root, p -> p.equals(steering));
        return parse(ini, timesyncd, env);
    }

    /** Builds the settings from a parsed file, timesyncd's configuration and the environment. */
    static Settings parse(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env) throws ConfigException {
        try {
            return parseChecked(ini, timesyncd, env);
        } catch (Unchecked e) {
            throw (ConfigException) e.getCause();
        }
    }

    private static Settings parseChecked(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env)
            throws ConfigException {
        Reader r = new Reader(ini);
        r.checkKnownKeys();

        NtpConfig.Builder b = NtpConfig.custom();
        List<String> primaries = r.list("Servers", "Primary").orElse(timesyncd.ntp());
        List<NtpServer> primaryServers = new ArrayList<>(NtpConfig.ofDefaults().primaries());
        if (!primaries.isEmpty() || r.has("Servers", "Primary")) {
            r.apply("Servers", "Primary", () -> {
                primaryServers.clear();
                primaryServers.addAll(NtpServer.parseAll(primaries, NtpServer.DEFAULT_PORT, NtpServer.Role.PRIMARY,
                        List.of()));
                b.primaries(primaryServers);
            });
        }
        Optional<List<String>> fallbacks = r.list("Servers", "Fallback");
        if (fallbacks.isPresent()) {
            r.apply("Servers", "Fallback", () -> b.fallbacks(NtpServer.parseAll(fallbacks.get(), NtpServer.DEFAULT_PORT,
                    NtpServer.Role.FALLBACK, List.of())));
        } else if (timesyncd.fallbackNtpSet()) {
            // as timesyncd reads its lists: a server in both (the Pi Zero also listed as fallback) is a primary
            r.apply("Servers", "Fallback", () -> b.fallbacks(NtpServer.parseAll(timesyncd.fallbackNtp(),
                    NtpServer.DEFAULT_PORT, NtpServer.Role.FALLBACK, primaryServers)));
        }
        r.span("Servers", "Timeout").ifPresent(d -> r.apply("Servers", "Timeout", () -> b.timeout(d)));
        r.integer("Servers", "PrimarySamples").ifPresent(n -> r.apply("Servers", "PrimarySamples", () -> b.primarySamples(n)));
        r.integer("Servers", "FallbackSamples")
                .ifPresent(n -> r.apply("Servers", "FallbackSamples", () -> b.fallbackSamples(n)));
        Optional<Duration> distance = r.span("Servers", "MaxRootDistance").or(timesyncd::rootDistanceMax);
        distance.ifPresent(d -> r.apply("Servers", "MaxRootDistance", () -> b.maxRootDistance(d)));
        r.span("Servers", "MaxOffset").ifPresent(d -> r.apply("Servers", "MaxOffset", () -> b.maxOffset(d)));
        r.span("Decision", "Interval").ifPresent(d -> r.apply("Decision", "Interval", () -> b.checkInterval(d)));
        r.integer("Decision", "ChecksToGain").ifPresent(n -> r.apply("Decision", "ChecksToGain", () -> b.checksToGain(n)));
        r.integer("Decision", "ChecksToLose").ifPresent(n -> r.apply("Decision", "ChecksToLose", () -> b.checksToLose(n)));
        r.span("Decision", "MinDwell", true).ifPresent(d -> r.apply("Decision", "MinDwell", () -> b.minDwell(d)));
        r.span("Alerts", "DriftOffset").ifPresent(d -> r.apply("Alerts", "DriftOffset", () -> b.driftAlertOffset(d)));
        r.number("Alerts", "DriftPpm").ifPresent(v -> r.apply("Alerts", "DriftPpm", () -> b.driftAlertPpm(v)));
        NtpConfig ntp;
        try {
            ntp = b.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ini.file(), 0, null, e.getMessage());
        }
        // checked here, not when a run first syncs to one: the name goes into the drop-ins as it is (docs/security.md)
        for (NtpServer server : ntp.primaries()) {
            r.apply("Servers", "Primary", () -> Render.checkHost(server.host()));
        }
        for (NtpServer server : ntp.fallbacks()) {
            r.apply("Servers", "Fallback", () -> Render.checkHost(server.host()));
        }

        String unit = r.string("Controller", "Unit", v -> v.matches("[A-Za-z0-9:_.@\\\\-]+\\.[a-z]+") ? null
                : "must be a unit name such as controller.service").orElse("controller.service");
        String dropIn = r.string("Controller", "DropInName", v -> v.matches("[A-Za-z0-9_.@-]+\\.conf") ? null
                : "must be a file name ending in .conf").orElse("ntp-environment.conf");
        DropInLocation location = r.string("Controller", "DropInLocation", v -> Set.of("run", "etc").contains(v) ? null
                : "must be run or etc").map(v -> DropInLocation.valueOf(v.toUpperCase(Locale.ROOT)))
                .orElse(DropInLocation.RUN);
        Variables d = Variables.DEFAULTS;
        Variables vars = new Variables(
                r.variable("ConservePowerVariable").orElse(d.conservePower()),
                r.variable("SyncedVariable").orElse(d.synced()),
                r.variable("ServerVariable").orElse(d.server()),
                r.variable("LevelVariable").orElse(d.level()));
        boolean onFallback = r.bool("Decision", "ConservePowerOnFallback").orElse(false);
        boolean steer = r.bool("Timesyncd", "Steering").orElse(true);
        Path state = r.absolutePath("Job", "StateDirectory")
                .orElse(Path.of(firstPath(env.get("STATE_DIRECTORY")).orElse("/var/lib/ntp-monitor")));
        Path runtime = r.absolutePath("Job", "RuntimeDirectory")
                .orElse(Path.of(firstPath(env.get("RUNTIME_DIRECTORY")).orElse("/run/ntp-monitor")));
        Optional<URI> webhook = r.string("Alerts", "WebhookUrl", Settings::checkUrl).map(URI::create);
        Duration webhookTimeout = r.span("Alerts", "WebhookTimeout").orElse(Duration.ofSeconds(5));
        int attempts = r.integer("Alerts", "WebhookAttempts").orElse(3);
        if (attempts < 1 || attempts > 10) {
            throw r.error("Alerts", "WebhookAttempts", "must be 1 to 10");
        }
        Optional<Path> textfile = r.absolutePath("Metrics", "TextfilePath");
        if (textfile.isPresent() && !textfile.get().getFileName().toString().endsWith(".prom")) {
            throw r.error("Metrics", "TextfilePath", "must end in .prom (node_exporter reads only those)");
        }
        Optional<String> listen = r.string("Metrics", "ListenAddress",
                v -> v.matches("(.+:)?[0-9]{1,5}") && Integer.parseInt(v.substring(v.lastIndexOf(':') + 1)) <= 65535
                        ? null : "must be PORT (on loopback) or HOST:PORT with a port up to 65535, e.g. 9817");
        if (vars.conservePower().equals(vars.synced()) || vars.conservePower().equals(vars.server())
                || vars.conservePower().equals(vars.level()) || vars.synced().equals(vars.server())
                || vars.synced().equals(vars.level()) || vars.server().equals(vars.level())) {
            throw new ConfigException(ini.file(), 0, null, "the four variable names must differ");
        }
        return new Settings(ntp, unit, dropIn, location, vars, onFallback, steer, state, runtime, webhook,
                webhookTimeout, attempts, textfile, listen);
    }

    private static Optional<String> firstPath(String envValue) {
        if (envValue == null || envValue.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(envValue.split(":")[0]);
    }

    private static String checkUrl(String v) {
        try {
            URI u = new URI(v);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return null;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        return "must be an http:// or https:// URL";
    }


    /** Typed access to the file's values with errors that name file, line and key. */
    private static final class Reader {
        private static final Map<String, Set<String>> KNOWN = Map.of(
                "Servers", Set.of("Primary", "Fallback", "Timeout", "PrimarySamples", "FallbackSamples",
                        "MaxRootDistance", "MaxOffset"),
                "Decision", Set.of("Interval", "ChecksToGain", "ChecksToLose", "MinDwell", "ConservePowerOnFallback"),
                "Controller", Set.of("Unit", "DropInName", "DropInLocation", "ConservePowerVariable",
                        "SyncedVariable", "ServerVariable", "LevelVariable"),
                "Timesyncd", Set.of("Steering"),
                "Job", Set.of("StateDirectory", "RuntimeDirectory"),
                "Alerts", Set.of("WebhookUrl", "WebhookTimeout", "WebhookAttempts", "DriftOffset", "DriftPpm"),
                "Metrics", Set.of("TextfilePath", "ListenAddress"));

        private final IniFile ini;

        Reader(IniFile ini) {
            this.ini = ini;
        }

        void checkKnownKeys() throws ConfigException {
            for (IniFile.Entry e : ini.entries()) {
                Set<String> keys = KNOWN.get(e.section());
                if (keys == null) {
                    throw new ConfigException(ini.file(), e.line(), e.key(), "unknown section [" + e.section() + "]");
                }
                if (!keys.contains(e.key())) {
                    throw new ConfigException(ini.file(), e.line(), e.key(), "unknown key in [" + e.section() + "]");
                }
            }
        }

        boolean has(String section, String key) {
            return ini.lastEntry(section, key).isPresent();
        }

        ConfigException error(String section, String key, String problem) {
            int line = ini.lastEntry(section, key).map(IniFile.Entry::line).orElse(0);
            return new ConfigException(ini.file(), line, key, problem);
        }

        /** Runs a builder call, turning its IllegalArgumentException into a ConfigException at this key. */
        void apply(String section, String key, Runnable call) {
            try {
                call.run();
            } catch (IllegalArgumentException e) {
                throw new Unchecked(error(section, key, e.getMessage()));
            }
        }

        Optional<List<String>> list(String section, String key) {
            List<IniFile.Entry> all = ini.all(section, key);
            if (all.isEmpty()) {
                return Optional.empty();
            }
            List<String> out = new ArrayList<>();
            for (IniFile.Entry e : all) {
                if (e.value().isEmpty()) {
                    out.clear();
                    continue;
                }
                for (String s : e.value().split("\\s+")) {
                    if (!s.isEmpty() && !out.contains(s)) {
                        out.add(s);
                    }
                }
            }
            return Optional.of(out);
        }

        Optional<Duration> span(String section, String key) throws ConfigException {
            return span(section, key, false);
        }

        Optional<Duration> span(String section, String key, boolean zeroAllowed) throws ConfigException {
            Optional<IniFile.Entry> e = ini.lastEntry(section, key);
            if (e.isEmpty()) {
                return Optional.empty();
            }
            try {
                Duration d = TimeSpans.parse(e.get().value());
                if (d.isZero() && !zeroAllowed) {
                    throw new ConfigException(ini.file(), e.get().line(), key, "must be positive");
                }
                return Optional.of(d);
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(ini.file(), e.get().line(), key, ex.getMessage());
            }
        }

        Optional<Integer> integer(String section, String key) throws ConfigException {
            Optional<IniFile.Entry> e = ini.lastEntry(section, key);
            if (e.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Integer.parseInt(e.get().value()));
            } catch (NumberFormatException ex) {
                throw new ConfigException(ini.file(), e.get().line(), key, "not a whole number: '" + e.get().value() + "'");
            }
        }

        Optional<Double> number(String section, String key) throws ConfigException {
            Optional<IniFile.Entry> e = ini.lastEntry(section, key);
            if (e.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Double.parseDouble(e.get().value()));
            } catch (NumberFormatException ex) {
                throw new ConfigException(ini.file(), e.get().line(), key, "not a number: '" + e.get().value() + "'");
            }
        }

        Optional<Boolean> bool(String section, String key) throws ConfigException {
            Optional<IniFile.Entry> e = ini.lastEntry(section, key);
            if (e.isEmpty()) {
                return Optional.empty();
            }
            switch (e.get().value().toLowerCase(Locale.ROOT)) {
                case "yes": case "true": case "on": case "1":
                    return Optional.of(true);
                case "no": case "false": case "off": case "0":
                    return Optional.of(false);
                default:
                    throw new ConfigException(ini.file(), e.get().line(), key, "must be yes or no");
            }
        }

        /** The value if set; {@code check} returns a problem or null. An empty value counts as unset. */
        Optional<String> string(String section, String key, Function<String, String> check) throws ConfigException {
            Optional<IniFile.Entry> e = ini.lastEntry(section, key);
            if (e.isEmpty() || e.get().value().isEmpty()) {
                return Optional.empty();
            }
            String problem = check.apply(e.get().value());
            if (problem != null) {
                throw new ConfigException(ini.file(), e.get().line(), key, problem);
            }
            return Optional.of(e.get().value());
        }

        Optional<String> variable(String key) throws ConfigException {
            return string("Controller", key,
                    v -> v.matches("[A-Za-z_][A-Za-z0-9_]*") ? null : "must be a variable name ([A-Za-z_][A-Za-z0-9_]*)");
        }

        Optional<Path> absolutePath(String section, String key) throws ConfigException {
            // a control character cannot be written into ReadWritePaths= or tmpfiles.d; the rest is quoted there
            return string(section, key, v -> Render.hasControl(v) ? "must not contain control characters"
                    : v.startsWith("/") && !v.contains("/../") && !v.endsWith("/..") ? null
                    : "must be an absolute path").map(Path::of);
        }
    }

    /** Carries a ConfigException out of a lambda; unwrapped in {@link #parse}. */
    private static final class Unchecked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unchecked(ConfigException cause) {
            super(cause);
        }
    }
}
