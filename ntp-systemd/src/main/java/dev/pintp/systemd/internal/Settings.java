package dev.pintp.systemd.internal;

import dev.pintp.ntp.FlapDamping;
import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.SyncEnvironment;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.IniFile;
import dev.pintp.sysconf.Origin;
import dev.pintp.sysconf.TimeSpans;
import dev.pintp.sysconf.TimesyncdConfig;
import dev.pintp.sysconf.TimesyncdNtp;
import dev.pintp.sysconf.WordList;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param ntp servers, limits and flap damping for the checks
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
    /** The main Pi's copy of the Pi Zero's chrony keyfile ({@code [Auth] KeyFile=}'s default; {@code install --auth key}). */
    public static final Path KEY_FILE = Path.of("/etc/ntp-monitor/chrony.keys");
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
        IniFile ini;
        try {
            ini = IniFile.read(file); // a regular file only, bounded: a FIFO or a directory is an error naming it
        } catch (NoSuchFileException e) {
            ini = IniFile.parse(file, "");
        }
        Path steering = under(root, STEERING_DIR).resolve(STEERING_DROP_IN);
        TimesyncdConfig timesyncd = TimesyncdConfig.load(root, p -> p.equals(steering));
        return parse(ini, timesyncd, env, p -> NtpKeyFile.read(under(root, p)));
    }

    /** Builds the settings from a parsed file, timesyncd's configuration and the environment. */
    static Settings parse(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env) throws ConfigException {
        return parse(ini, timesyncd, env, NtpKeyFile::read);
    }

    /** Reads a keyfile named by its path on the target system. */
    interface KeyFiles {
        NtpKeyFile read(Path systemPath) throws IOException;
    }

    /** As above, reading {@code [Auth] KeyFile=} through {@code keyFiles}. */
    static Settings parse(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env, KeyFiles keyFiles)
            throws ConfigException {
        try {
            return parseChecked(ini, timesyncd, env, keyFiles);
        } catch (Unchecked e) {
            throw (ConfigException) e.getCause();
        }
    }

    private static Settings parseChecked(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env,
            KeyFiles keyFiles) throws ConfigException {
        Reader r = new Reader(ini);
        r.checkKnownKeys();

        NtpConfig.Builder b = NtpConfig.custom();
        // Servers and the root-distance limit: this file's keys over timesyncd's configuration, read through the same
        // mapping as the probe's (TimesyncdNtp), so errors name the file, line and key the value came from.
        WordList ownPrimaries = WordList.of(ini, "Servers", "Primary");
        WordList ownFallbacks = WordList.of(ini, "Servers", "Fallback");
        Optional<List<NtpServer>> primaries = ownPrimaries.assigned()
                ? Optional.of(TimesyncdNtp.servers(ownPrimaries, NtpServer.Role.PRIMARY, List.of()))
                : TimesyncdNtp.primaries(timesyncd);
        List<NtpServer> primaryServers = primaries.orElse(NtpConfig.ofDefaults().primaries());
        // as timesyncd reads its lists: a server in both (the Pi Zero also listed as fallback) is a primary
        Optional<List<NtpServer>> fallbacks = ownFallbacks.assigned()
                ? Optional.of(TimesyncdNtp.servers(ownFallbacks, NtpServer.Role.FALLBACK, List.of()))
                : TimesyncdNtp.fallbacks(timesyncd, primaryServers);
        List<NtpServer> fallbackServers = fallbacks.orElse(NtpConfig.ofDefaults().fallbacks());
        Optional<Origin> primariesAt = ownPrimaries.assigned() ? ownPrimaries.lastAssignment()
                : timesyncd.ntpList().lastAssignment();
        Optional<Origin> fallbacksAt = ownFallbacks.assigned() ? ownFallbacks.lastAssignment()
                : timesyncd.fallbackNtpList().lastAssignment();
        if (primaryServers.isEmpty() && fallbackServers.isEmpty()) {
            throw primariesAt.or(() -> fallbacksAt).get().error("no server left: the primaries and the fallbacks are"
                    + " both empty" + fallbacksAt.map(o -> " (fallbacks set at " + o + ")").orElse(""));
        }
        if (primaryServers.size() + fallbackServers.size() > NtpConfig.MAX_SERVERS) {
            throw fallbacksAt.or(() -> primariesAt).get().error(
                    TimesyncdNtp.tooMany(primaryServers.size() + fallbackServers.size()));
        }
        for (NtpServer p : primaryServers) {
            for (NtpServer f : fallbackServers) {
                if (p.host().equalsIgnoreCase(f.host()) && p.port() == f.port()) {
                    throw fallbacksAt.get().error(f + " is also a primary server" + primariesAt.map(o -> " (at " + o
                            + ")").orElse(""));
                }
            }
        }
        Path state = r.absolutePath("Job", "StateDirectory")
                .orElse(Path.of(firstPath(env.get("STATE_DIRECTORY")).orElse("/var/lib/ntp-monitor")));
        NtpAuth auth = primaryAuth(r, keyFiles);
        Optional<NtpAuth.Nts> nts = primaryNts(r, auth);
        if (auth.isAuthenticated() || nts.isPresent()) {
            List<NtpServer> keyed = new java.util.ArrayList<>();
            for (NtpServer p : primaryServers) {
                // NTS-KE with each primary's host; its keys and cookies in the state directory for the next run
                keyed.add(p.withAuth(nts.isEmpty() ? auth : nts.get().withKeHost(p.host())
                        .withCookieFile(state.resolve(NtpAuth.Nts.cookieFileName(p.host(), p.port())))));
            }
            primaries = Optional.of(keyed);
        }
        primaries.ifPresent(b::primaries);
        fallbacks.ifPresent(b::fallbacks);
        r.span("Servers", "Timeout").ifPresent(d -> r.apply("Servers", "Timeout", () -> b.timeout(d)));
        r.integer("Servers", "PrimarySamples").ifPresent(n -> r.apply("Servers", "PrimarySamples", () -> b.primarySamples(n)));
        r.integer("Servers", "FallbackSamples")
                .ifPresent(n -> r.apply("Servers", "FallbackSamples", () -> b.fallbackSamples(n)));
        Optional<Duration> ownDistance = r.span("Servers", "MaxRootDistance");
        if (ownDistance.isPresent()) {
            r.apply("Servers", "MaxRootDistance", () -> b.maxRootDistance(ownDistance.get()));
        } else {
            TimesyncdNtp.maxRootDistance(timesyncd).ifPresent(b::maxRootDistance);
        }
        r.span("Servers", "MaxOffset").ifPresent(d -> r.apply("Servers", "MaxOffset", () -> b.maxOffset(d)));
        r.span("Decision", "Interval").ifPresent(d -> r.apply("Decision", "Interval", () -> b.checkInterval(d)));
        for (Map.Entry<String, String> old : REPLACED.entrySet()) {
            if (r.has("Decision", old.getKey())) {
                throw r.error("Decision", old.getKey(), "no longer exists: " + old.getValue());
            }
        }
        FlapDamping d0 = FlapDamping.DEFAULTS;
        Duration halfLife = r.span("Decision", "DampingHalfLife").orElse(d0.halfLife());
        int penalty = r.integer("Decision", "DampingPenalty").orElse(d0.penalty());
        int suppress = r.integer("Decision", "DampingSuppress").orElse(d0.suppress());
        int reuse = r.integer("Decision", "DampingReuse").orElse(d0.reuse());
        Duration maxSuppression = r.span("Decision", "DampingMaxSuppression").orElse(d0.maxSuppression());
        String dampingKey = DAMPING_KEYS.stream().filter(k -> r.has("Decision", k)).reduce((x, y) -> y)
                .orElse("DampingPenalty");
        r.apply("Decision", dampingKey, () -> b.flapDamping(
                new FlapDamping(halfLife, penalty, suppress, reuse, maxSuppression)));
        r.span("Alerts", "DriftOffset").ifPresent(d -> r.apply("Alerts", "DriftOffset", () -> b.driftAlertOffset(d)));
        r.number("Alerts", "DriftPpm").ifPresent(v -> r.apply("Alerts", "DriftPpm", () -> b.driftAlertPpm(v)));
        NtpConfig ntp;
        try {
            ntp = b.build();
        } catch (IllegalArgumentException e) {
            // the only combination left to refuse here: a Timeout= above the check's deadline
            throw r.error("Servers", "Timeout", TimeSpans.readable(e.getMessage()));
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
            // named at the last of the variable keys in the file: one of the names set there repeats another
            IniFile.Entry last = null;
            for (IniFile.Entry e : ini.entries()) {
                if (e.section().equals("Controller") && e.key().endsWith("Variable")) {
                    last = e;
                }
            }
            throw last == null ? new ConfigException(ini.file(), 0, null, "the four variable names must differ")
                    : ini.origin(last).error("the four variable names must differ");
        }
        return new Settings(ntp, unit, dropIn, location, vars, onFallback, steer, state, runtime, webhook,
                webhookTimeout, attempts, textfile, listen);
    }

    /**
     * {@code [Auth]}: {@code PrimaryNts=yes} authenticates every primary with NTS (RFC 8915); {@code NtsCa=FILE}
     * (absolute) trusts that CA instead of the system store, {@code NtsPort=} is the NTS-KE port (default 4460). The
     * returned value's host is a placeholder, replaced per primary.
     */
    private static Optional<NtpAuth.Nts> primaryNts(Reader r, NtpAuth key) throws ConfigException {
        boolean on = r.bool("Auth", "PrimaryNts").orElse(false);
        Optional<Path> ca = r.absolutePath("Auth", "NtsCa");
        Optional<Integer> port = r.integer("Auth", "NtsPort");
        if (!on) {
            for (String k : List.of("NtsCa", "NtsPort")) {
                if (r.has("Auth", k)) {
                    throw r.error("Auth", k, "has no effect without PrimaryNts=yes");
                }
            }
            return Optional.empty();
        }
        if (key.isAuthenticated()) {
            throw r.error("Auth", "PrimaryNts", "cannot be combined with PrimaryKey=: a server is authenticated one"
                    + " way");
        }
        if (port.isPresent() && (port.get() < 1 || port.get() > 65535)) {
            throw r.error("Auth", "NtsPort", "must be 1 to 65535");
        }
        NtpAuth.Nts nts = NtpAuth.Nts.of("primary").withKePort(port.orElse(NtpAuth.Nts.DEFAULT_KE_PORT));
        return Optional.of(ca.isPresent() ? nts.withTrustedCa(ca.get()) : nts);
    }

    /**
     * {@code [Auth]}: {@code PrimaryKey=ID} authenticates every primary with key ID of {@code KeyFile=} (default
     * {@link #KEY_FILE}), read with {@link NtpKeyFile#read}'s checks; {@code AllowMd5=yes} admits an MD5 key.
     */
    private static NtpAuth primaryAuth(Reader r, KeyFiles keyFiles) throws ConfigException {
        Optional<String> id = r.string("Auth", "PrimaryKey",
                v -> v.matches("[0-9]{1,10}") && Long.parseLong(v) >= 1 && Long.parseLong(v) <= NtpKey.MAX_ID ? null
                        : "must be a key id from 1 to " + NtpKey.MAX_ID);
        Optional<Path> file = r.absolutePath("Auth", "KeyFile");
        boolean allowMd5 = r.bool("Auth", "AllowMd5").orElse(false);
        if (id.isEmpty()) {
            if (file.isPresent()) {
                throw r.error("Auth", "KeyFile", "has no effect without PrimaryKey=");
            }
            if (r.has("Auth", "AllowMd5")) {
                throw r.error("Auth", "AllowMd5", "has no effect without PrimaryKey=");
            }
            return NtpAuth.NONE;
        }
        Path path = file.orElse(KEY_FILE);
        String where = file.isPresent() ? "KeyFile" : "PrimaryKey";
        NtpKeyFile keys;
        try {
            keys = keyFiles.read(path);
        } catch (NoSuchFileException e) {
            throw r.error("Auth", where, "no such file: " + path + (file.isPresent() ? ""
                    : " (the default KeyFile=; 'ntp-systemd install --auth key' creates it)"));
        } catch (IOException e) {
            throw r.error("Auth", where, "cannot read the keyfile: " + e.getMessage());
        }
        NtpKey key;
        try {
            key = keys.require(Long.parseLong(id.get()));
        } catch (IllegalArgumentException e) {
            throw r.error("Auth", "PrimaryKey", e.getMessage());
        }
        if (key.type() == NtpKeyType.MD5) {
            if (!allowMd5) {
                throw r.error("Auth", "PrimaryKey", key + " is MD5, which is weak (length extension): use an AES128"
                        + " key ('ntp-systemd install --auth key'), or set AllowMd5=yes");
            }
            return NtpAuth.symmetricKeyAllowingMd5(key);
        }
        return NtpAuth.symmetricKey(key);
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


    /** The flap-damping keys of [Decision], in the order a combination error is attributed (to the last one set). */
    private static final List<String> DAMPING_KEYS = List.of("DampingHalfLife", "DampingPenalty", "DampingSuppress",
            "DampingReuse", "DampingMaxSuppression");

    /** Keys of [Decision] that flap damping replaced, with what to do instead. */
    private static final Map<String, String> REPLACED = Map.of(
            "ChecksToGain", "regaining now happens at the first good check, delayed only by flap damping"
                    + " (DampingPenalty=, DampingSuppress=, DampingReuse=, DampingHalfLife=); remove this line",
            "ChecksToLose", "losing is now immediate, at the first check that cannot verify the primary; remove this"
                    + " line",
            "MinDwell", "flap damping replaced the dwell time (DampingHalfLife=, DampingMaxSuppression=); remove this"
                    + " line");

    /** Typed access to the file's values with errors that name file, line and key. */
    private static final class Reader {
        private static final Map<String, Set<String>> KNOWN = Map.of(
                "Servers", Set.of("Primary", "Fallback", "Timeout", "PrimarySamples", "FallbackSamples",
                        "MaxRootDistance", "MaxOffset"),
                "Decision", Set.of("Interval", "ChecksToGain", "ChecksToLose", "MinDwell", "DampingHalfLife",
                        "DampingPenalty", "DampingSuppress", "DampingReuse", "DampingMaxSuppression",
                        "ConservePowerOnFallback"),
                "Controller", Set.of("Unit", "DropInName", "DropInLocation", "ConservePowerVariable",
                        "SyncedVariable", "ServerVariable", "LevelVariable"),
                "Timesyncd", Set.of("Steering"),
                "Job", Set.of("StateDirectory", "RuntimeDirectory"),
                "Alerts", Set.of("WebhookUrl", "WebhookTimeout", "WebhookAttempts", "DriftOffset", "DriftPpm"),
                "Metrics", Set.of("TextfilePath", "ListenAddress"),
                "Auth", Set.of("KeyFile", "PrimaryKey", "AllowMd5", "PrimaryNts", "NtsCa", "NtsPort"));

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
                throw new Unchecked(error(section, key, TimeSpans.readable(e.getMessage())));
            }
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
