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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The job's configuration: {@code /etc/ntp-monitor/ntp-monitor.conf} in systemd's INI style over systemd-timesyncd's
 * configuration over {@link NtpConfig}'s defaults. Immutable. Paths are absolute paths of the target system; the job
 * resolves them under its file root with {@link #under(Path, Path)}. The file's keys are declared once, in
 * {@link Key}; timesyncd's configuration is read through ntp-sysconf's {@link TimesyncdNtp}, as the probe reads it.
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
        return load(root, env, (p, id) -> NtpKeyFile.read(under(root, p)));
    }

    /**
     * As {@link #load(Path, Map)}, reading the keyfile of {@code [Auth] PrimaryKey=} through {@code keyFiles}:
     * {@code install --auth key} hands it the keyfile as it will be once its key is written ({@link KeyInstaller}).
     */
    static Settings load(Path root, Map<String, String> env, KeyFiles keyFiles) throws ConfigException, IOException {
        Path file = under(root, CONFIG_FILE);
        IniFile ini;
        try {
            ini = IniFile.read(file); // a regular file only, bounded: a FIFO or a directory is an error naming it
        } catch (NoSuchFileException e) {
            ini = IniFile.parse(file, "");
        }
        Path steering = under(root, STEERING_DIR).resolve(STEERING_DROP_IN);
        TimesyncdConfig timesyncd = TimesyncdConfig.load(root, p -> p.equals(steering));
        return parse(ini, timesyncd, env, keyFiles);
    }

    /** Builds the settings from a parsed file, timesyncd's configuration and the environment. */
    static Settings parse(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env) throws ConfigException {
        return parse(ini, timesyncd, env, (p, id) -> NtpKeyFile.read(p));
    }

    /** Reads a keyfile named by its path on the target system. */
    interface KeyFiles {
        /**
         * The keyfile at {@code systemPath} ({@code KeyFile=} or {@link #KEY_FILE}), for key {@code keyId}
         * ({@code PrimaryKey=}); its key is then required.
         */
        NtpKeyFile read(Path systemPath, long keyId) throws IOException;
    }

    /** As above, reading {@code [Auth] KeyFile=} through {@code keyFiles}. */
    static Settings parse(IniFile ini, TimesyncdConfig timesyncd, Map<String, String> env, KeyFiles keyFiles)
            throws ConfigException {
        // unknown sections and keys first: a typo is named before any value is read
        for (IniFile.Entry e : ini.entries()) {
            Key.of(e.section(), e.key(), ini.origin(e));
        }
        Draft d = new Draft(env);
        for (Key k : Key.values()) {
            List<IniFile.Entry> assignments = ini.all(k.section, k.name);
            if (k.form != Form.LIST && !assignments.isEmpty()) {
                assignments = assignments.subList(assignments.size() - 1, assignments.size()); // the last one wins
            }
            for (IniFile.Entry e : assignments) {
                if (k.form == Form.TEXT && e.value().isEmpty()) {
                    continue;
                }
                Origin at = ini.origin(e);
                try {
                    d.set(k, e.value(), at);
                } catch (BadValue ex) {
                    throw at.error(ex.getMessage());
                } catch (IllegalArgumentException ex) {
                    throw at.error(TimeSpans.readable(ex.getMessage())); // a builder's PT1M in systemd's 1min
                }
            }
        }
        return d.settings(ini, timesyncd, keyFiles);
    }

    /** How a key's assignments count. */
    private enum Form {
        /** Every assignment adds to a list, an empty one resets it ({@link WordList}). */
        LIST,
        /** The last assignment counts (systemd's "last one wins"). */
        LAST,
        /** The last assignment counts; an empty one leaves the default. */
        TEXT
    }

    /**
     * Every key of the file, declared once, in the order of docs/systemd.md's table (SettingsKeysDocTest holds the
     * two together); each key's parser and setter are its line in {@link Draft#set}. The unknown-key errors follow
     * from this table; what keys mean together is checked in {@link Draft#settings}.
     */
    enum Key {
        PRIMARY("Servers", "Primary", Form.LIST),
        FALLBACK("Servers", "Fallback", Form.LIST),
        TIMEOUT("Servers", "Timeout", Form.LAST),
        PRIMARY_SAMPLES("Servers", "PrimarySamples", Form.LAST),
        FALLBACK_SAMPLES("Servers", "FallbackSamples", Form.LAST),
        MAX_ROOT_DISTANCE("Servers", "MaxRootDistance", Form.LAST),
        MAX_OFFSET("Servers", "MaxOffset", Form.LAST),
        INTERVAL("Decision", "Interval", Form.LAST),
        DAMPING_HALF_LIFE("Decision", "DampingHalfLife", Form.LAST),
        DAMPING_PENALTY("Decision", "DampingPenalty", Form.LAST),
        DAMPING_SUPPRESS("Decision", "DampingSuppress", Form.LAST),
        DAMPING_REUSE("Decision", "DampingReuse", Form.LAST),
        DAMPING_MAX_SUPPRESSION("Decision", "DampingMaxSuppression", Form.LAST),
        CHECKS_TO_GAIN("Decision", "ChecksToGain", Form.LAST),
        CHECKS_TO_LOSE("Decision", "ChecksToLose", Form.LAST),
        MIN_DWELL("Decision", "MinDwell", Form.LAST),
        CONSERVE_POWER_ON_FALLBACK("Decision", "ConservePowerOnFallback", Form.LAST),
        UNIT("Controller", "Unit", Form.TEXT),
        DROP_IN_NAME("Controller", "DropInName", Form.TEXT),
        DROP_IN_LOCATION("Controller", "DropInLocation", Form.TEXT),
        CONSERVE_POWER_VARIABLE("Controller", "ConservePowerVariable", Form.TEXT),
        SYNCED_VARIABLE("Controller", "SyncedVariable", Form.TEXT),
        SERVER_VARIABLE("Controller", "ServerVariable", Form.TEXT),
        LEVEL_VARIABLE("Controller", "LevelVariable", Form.TEXT),
        STEERING("Timesyncd", "Steering", Form.LAST),
        STATE_DIRECTORY("Job", "StateDirectory", Form.TEXT),
        RUNTIME_DIRECTORY("Job", "RuntimeDirectory", Form.TEXT),
        WEBHOOK_URL("Alerts", "WebhookUrl", Form.TEXT),
        WEBHOOK_TIMEOUT("Alerts", "WebhookTimeout", Form.LAST),
        WEBHOOK_ATTEMPTS("Alerts", "WebhookAttempts", Form.LAST),
        DRIFT_OFFSET("Alerts", "DriftOffset", Form.LAST),
        DRIFT_PPM("Alerts", "DriftPpm", Form.LAST),
        TEXTFILE_PATH("Metrics", "TextfilePath", Form.TEXT),
        LISTEN_ADDRESS("Metrics", "ListenAddress", Form.TEXT),
        PRIMARY_KEY("Auth", "PrimaryKey", Form.TEXT),
        KEY_FILE("Auth", "KeyFile", Form.TEXT),
        ALLOW_MD5("Auth", "AllowMd5", Form.LAST),
        PRIMARY_NTS("Auth", "PrimaryNts", Form.LAST),
        NTS_CA("Auth", "NtsCa", Form.TEXT),
        NTS_PORT("Auth", "NtsPort", Form.LAST);

        /** The flap-damping keys, in the order a combination error is attributed (to the last one set). */
        static final List<Key> DAMPING = List.of(DAMPING_HALF_LIFE, DAMPING_PENALTY, DAMPING_SUPPRESS, DAMPING_REUSE,
                DAMPING_MAX_SUPPRESSION);

        /** The section, without brackets. */
        final String section;
        /** The key, as written in the file. */
        final String name;
        private final Form form;

        Key(String section, String name, Form form) {
            this.section = section;
            this.name = name;
            this.form = form;
        }

        /** The key {@code name} of {@code section}, assigned at {@code at}; an error there when there is none. */
        static Key of(String section, String name, Origin at) throws ConfigException {
            boolean sectionKnown = false;
            for (Key k : values()) {
                if (k.section.equals(section)) {
                    if (k.name.equals(name)) {
                        return k;
                    }
                    sectionKnown = true;
                }
            }
            throw at.error(sectionKnown ? "unknown key in [" + section + "]" : "unknown section [" + section + "]");
        }

        /** True when {@code ini} assigns this key, even to nothing. */
        boolean isSet(IniFile ini) {
            return ini.lastEntry(section, name).isPresent();
        }

        /** An error at this key's last assignment in {@code ini}, or at the file when it has none. */
        ConfigException error(IniFile ini, String problem) {
            int line = ini.lastEntry(section, name).map(IniFile.Entry::line).orElse(0);
            return new ConfigException(ini.file(), line, name, problem);
        }
    }

    /** A value that its key's parser refuses: the message says why, as it is. */
    private static final class BadValue extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadValue(String problem) {
            super(problem);
        }
    }

    private static Duration span(String v) {
        Duration d;
        try {
            d = TimeSpans.parse(v);
        } catch (IllegalArgumentException e) {
            throw new BadValue(e.getMessage());
        }
        if (d.isZero()) {
            throw new BadValue("must be positive");
        }
        return d;
    }

    private static int integer(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new BadValue("not a whole number: '" + v + "'");
        }
    }

    private static int integer(String v, int min, int max) {
        int n = integer(v);
        if (n < min || n > max) {
            throw new BadValue("must be " + min + " to " + max);
        }
        return n;
    }

    private static double number(String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadValue("not a number: '" + v + "'");
        }
    }

    private static boolean bool(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "yes": case "true": case "on": case "1":
                return true;
            case "no": case "false": case "off": case "0":
                return false;
            default:
                throw new BadValue("must be yes or no");
        }
    }

    private static String matching(String v, String regex, String problem) {
        if (!v.matches(regex)) {
            throw new BadValue(problem);
        }
        return v;
    }

    private static String variable(String v) {
        return matching(v, "[A-Za-z_][A-Za-z0-9_]*", "must be a variable name ([A-Za-z_][A-Za-z0-9_]*)");
    }

    private static DropInLocation location(String v) {
        if (!v.equals("run") && !v.equals("etc")) {
            throw new BadValue("must be run or etc");
        }
        return DropInLocation.valueOf(v.toUpperCase(Locale.ROOT));
    }

    private static Path absolutePath(String v) {
        // a control character cannot be written into ReadWritePaths= or tmpfiles.d; the rest is quoted there
        if (Render.hasControl(v)) {
            throw new BadValue("must not contain control characters");
        }
        if (!v.startsWith("/") || v.contains("/../") || v.endsWith("/..")) {
            throw new BadValue("must be an absolute path");
        }
        return Path.of(v);
    }

    private static Path textfile(String v) {
        Path p = absolutePath(v);
        if (!p.getFileName().toString().endsWith(".prom")) {
            throw new BadValue("must end in .prom (node_exporter reads only those)");
        }
        return p;
    }

    private static URI url(String v) {
        try {
            URI u = new URI(v);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                return u;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        throw new BadValue("must be an http:// or https:// URL");
    }

    private static String listenAddress(String v) {
        if (v.matches("(.+:)?[0-9]{1,5}") && Integer.parseInt(v.substring(v.lastIndexOf(':') + 1)) <= 65535) {
            return v;
        }
        throw new BadValue("must be PORT (on loopback) or HOST:PORT with a port up to 65535, e.g. 9817");
    }

    private static long keyId(String v) {
        if (v.matches("[0-9]{1,10}") && Long.parseLong(v) >= 1 && Long.parseLong(v) <= NtpKey.MAX_ID) {
            return Long.parseLong(v);
        }
        throw new BadValue("must be a key id from 1 to " + NtpKey.MAX_ID);
    }

    private static Optional<String> firstPath(String envValue) {
        if (envValue == null || envValue.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(envValue.split(":")[0]);
    }

    /** The settings while the keys are read: the defaults, then each key's value. Not thread-safe. */
    private static final class Draft {
        private final NtpConfig.Builder ntp = NtpConfig.custom();
        private final WordList primaries = new WordList();
        private final WordList fallbacks = new WordList();
        private boolean ownMaxRootDistance;
        private Duration halfLife = FlapDamping.DEFAULTS.halfLife();
        private int penalty = FlapDamping.DEFAULTS.penalty();
        private int suppress = FlapDamping.DEFAULTS.suppress();
        private int reuse = FlapDamping.DEFAULTS.reuse();
        private Duration maxSuppression = FlapDamping.DEFAULTS.maxSuppression();
        private boolean onFallback;
        private String unit = "controller.service";
        private String dropIn = "ntp-environment.conf";
        private DropInLocation location = DropInLocation.RUN;
        private String conservePower = Variables.DEFAULTS.conservePower();
        private String synced = Variables.DEFAULTS.synced();
        private String server = Variables.DEFAULTS.server();
        private String level = Variables.DEFAULTS.level();
        private boolean steer = true;
        private Path state;
        private Path runtime;
        private Optional<URI> webhook = Optional.empty();
        private Duration webhookTimeout = Duration.ofSeconds(5);
        private int attempts = 3;
        private Optional<Path> textfile = Optional.empty();
        private Optional<String> listen = Optional.empty();
        private Optional<Long> keyId = Optional.empty();
        private Optional<Path> keyFile = Optional.empty();
        private boolean allowMd5;
        private boolean nts;
        private Optional<Path> ntsCa = Optional.empty();
        private int ntsPort = NtpAuth.Nts.DEFAULT_KE_PORT;

        Draft(Map<String, String> env) {
            state = Path.of(firstPath(env.get("STATE_DIRECTORY")).orElse("/var/lib/ntp-monitor"));
            runtime = Path.of(firstPath(env.get("RUNTIME_DIRECTORY")).orElse("/run/ntp-monitor"));
        }

        /**
         * Each key's parser and setter: {@code v}, assigned at {@code at}, parsed (a {@link BadValue} when it is not
         * one) and set (a builder's IllegalArgumentException when it is out of range).
         */
        void set(Key k, String v, Origin at) {
            switch (k) {
                case PRIMARY -> primaries.assign(at, v);
                case FALLBACK -> fallbacks.assign(at, v);
                case TIMEOUT -> ntp.timeout(span(v));
                case PRIMARY_SAMPLES -> ntp.primarySamples(integer(v));
                case FALLBACK_SAMPLES -> ntp.fallbackSamples(integer(v));
                case MAX_ROOT_DISTANCE -> {
                    ntp.maxRootDistance(span(v));
                    ownMaxRootDistance = true; // timesyncd's RootDistanceMaxSec= no longer applies
                }
                case MAX_OFFSET -> ntp.maxOffset(span(v));
                case INTERVAL -> ntp.checkInterval(span(v));
                case DAMPING_HALF_LIFE -> halfLife = span(v);
                case DAMPING_PENALTY -> penalty = integer(v);
                case DAMPING_SUPPRESS -> suppress = integer(v);
                case DAMPING_REUSE -> reuse = integer(v);
                case DAMPING_MAX_SUPPRESSION -> maxSuppression = span(v);
                // removed keys: an error, not a warning every run (docs/systemd.md says why)
                case CHECKS_TO_GAIN -> throw new BadValue("no longer exists: regaining now happens at the first good"
                        + " check, delayed only by flap damping (DampingPenalty=, DampingSuppress=, DampingReuse=,"
                        + " DampingHalfLife=); remove this line");
                case CHECKS_TO_LOSE -> throw new BadValue("no longer exists: losing is now immediate, at the first"
                        + " check that cannot verify the primary; remove this line");
                case MIN_DWELL -> throw new BadValue("no longer exists: flap damping replaced the dwell time"
                        + " (DampingHalfLife=, DampingMaxSuppression=); remove this line");
                case CONSERVE_POWER_ON_FALLBACK -> onFallback = bool(v);
                case UNIT -> unit = matching(v, "[A-Za-z0-9:_.@\\\\-]+\\.[a-z]+",
                        "must be a unit name such as controller.service");
                case DROP_IN_NAME -> dropIn = matching(v, "[A-Za-z0-9_.@-]+\\.conf", "must be a file name ending in"
                        + " .conf");
                case DROP_IN_LOCATION -> location = location(v);
                case CONSERVE_POWER_VARIABLE -> conservePower = variable(v);
                case SYNCED_VARIABLE -> synced = variable(v);
                case SERVER_VARIABLE -> server = variable(v);
                case LEVEL_VARIABLE -> level = variable(v);
                case STEERING -> steer = bool(v);
                case STATE_DIRECTORY -> state = absolutePath(v);
                case RUNTIME_DIRECTORY -> runtime = absolutePath(v);
                case WEBHOOK_URL -> webhook = Optional.of(url(v));
                case WEBHOOK_TIMEOUT -> webhookTimeout = span(v);
                case WEBHOOK_ATTEMPTS -> attempts = integer(v, 1, 10);
                case DRIFT_OFFSET -> ntp.driftAlertOffset(span(v));
                case DRIFT_PPM -> ntp.driftAlertPpm(number(v));
                case TEXTFILE_PATH -> textfile = Optional.of(textfile(v));
                case LISTEN_ADDRESS -> listen = Optional.of(listenAddress(v));
                case PRIMARY_KEY -> keyId = Optional.of(keyId(v));
                case KEY_FILE -> keyFile = Optional.of(absolutePath(v));
                case ALLOW_MD5 -> allowMd5 = bool(v);
                case PRIMARY_NTS -> nts = bool(v);
                case NTS_CA -> ntsCa = Optional.of(absolutePath(v));
                case NTS_PORT -> ntsPort = integer(v, 1, 65535);
                default -> throw new AssertionError(k); // a key of the table without its line here
            }
        }

        /** The settings, once what the keys mean together is checked; errors name the file, line and key. */
        Settings settings(IniFile ini, TimesyncdConfig timesyncd, KeyFiles keyFiles) throws ConfigException {
            // this file's server lists over timesyncd's, read through the same mapping as the probe's
            TimesyncdNtp.Servers servers = TimesyncdNtp.servers(timesyncd, primaries, fallbacks);
            NtpAuth auth = primaryAuth(ini, keyFiles);
            Optional<NtpAuth.Nts> primaryNts = primaryNts(ini, auth);
            List<NtpServer> keyed = new ArrayList<>();
            for (NtpServer p : servers.primaries()) {
                // NTS-KE with each primary's host; its keys and cookies in the state directory for the next run
                keyed.add(primaryNts.isEmpty() ? (auth.isAuthenticated() ? p.withAuth(auth) : p)
                        : p.withAuth(primaryNts.get().withKeHost(p.host())
                                .withCookieFile(state.resolve(NtpAuth.Nts.cookieFileName(p.host(), p.port())))));
            }
            ntp.primaries(keyed).fallbacks(servers.fallbacks());
            if (!ownMaxRootDistance) {
                TimesyncdNtp.maxRootDistance(timesyncd).ifPresent(ntp::maxRootDistance);
            }
            Key damping = Key.DAMPING_PENALTY;
            for (Key k : Key.DAMPING) {
                damping = k.isSet(ini) ? k : damping;
            }
            try {
                ntp.flapDamping(new FlapDamping(halfLife, penalty, suppress, reuse, maxSuppression));
            } catch (IllegalArgumentException e) {
                throw damping.error(ini, TimeSpans.readable(e.getMessage()));
            }
            NtpConfig config;
            try {
                config = ntp.build();
            } catch (IllegalArgumentException e) {
                // the only combination left to refuse here: a Timeout= above the check's deadline
                throw Key.TIMEOUT.error(ini, TimeSpans.readable(e.getMessage()));
            }
            // checked here, not when a run first syncs to one: the name goes into the drop-ins as it is
            // (docs/security.md)
            for (NtpServer s : config.primaries()) {
                checkHost(ini, Key.PRIMARY, s);
            }
            for (NtpServer s : config.fallbacks()) {
                checkHost(ini, Key.FALLBACK, s);
            }
            if (Set.copyOf(List.of(conservePower, synced, server, level)).size() < 4) {
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
            return new Settings(config, unit, dropIn, location, new Variables(conservePower, synced, server, level),
                    onFallback, steer, state, runtime, webhook, webhookTimeout, attempts, textfile, listen);
        }

        private static void checkHost(IniFile ini, Key key, NtpServer s) throws ConfigException {
            try {
                Render.checkHost(s.host());
            } catch (IllegalArgumentException e) {
                throw key.error(ini, TimeSpans.readable(e.getMessage()));
            }
        }

        /**
         * {@code [Auth]}: {@code PrimaryNts=yes} authenticates every primary with NTS (RFC 8915); {@code NtsCa=FILE}
         * (absolute) trusts that CA instead of the system store, {@code NtsPort=} is the NTS-KE port (default 4460).
         * The returned value's host is a placeholder, replaced per primary.
         */
        private Optional<NtpAuth.Nts> primaryNts(IniFile ini, NtpAuth key) throws ConfigException {
            if (!nts) {
                for (Key k : List.of(Key.NTS_CA, Key.NTS_PORT)) {
                    if (k.isSet(ini)) {
                        throw k.error(ini, "has no effect without PrimaryNts=yes");
                    }
                }
                return Optional.empty();
            }
            if (key.isAuthenticated()) {
                throw Key.PRIMARY_NTS.error(ini, "cannot be combined with PrimaryKey=: a server is authenticated one"
                        + " way");
            }
            NtpAuth.Nts primary = NtpAuth.Nts.of("primary").withKePort(ntsPort);
            return Optional.of(ntsCa.isPresent() ? primary.withTrustedCa(ntsCa.get()) : primary);
        }

        /**
         * {@code [Auth]}: {@code PrimaryKey=ID} authenticates every primary with key ID of {@code KeyFile=} (default
         * {@link #KEY_FILE}), read with {@link NtpKeyFile#read}'s checks; {@code AllowMd5=yes} admits an MD5 key.
         */
        private NtpAuth primaryAuth(IniFile ini, KeyFiles keyFiles) throws ConfigException {
            if (keyId.isEmpty()) {
                if (keyFile.isPresent()) {
                    throw Key.KEY_FILE.error(ini, "has no effect without PrimaryKey=");
                }
                if (Key.ALLOW_MD5.isSet(ini)) {
                    throw Key.ALLOW_MD5.error(ini, "has no effect without PrimaryKey=");
                }
                return NtpAuth.NONE;
            }
            Path path = keyFile.orElse(KEY_FILE);
            Key where = keyFile.isPresent() ? Key.KEY_FILE : Key.PRIMARY_KEY;
            NtpKeyFile keys;
            try {
                keys = keyFiles.read(path, keyId.get());
            } catch (NoSuchFileException e) {
                throw where.error(ini, "no such file: " + path + (keyFile.isPresent() ? ""
                        : " (the default KeyFile=; 'ntp-systemd install --auth key' creates it)"));
            } catch (IOException e) {
                throw where.error(ini, "cannot read the keyfile: " + e.getMessage());
            }
            NtpKey key;
            try {
                key = keys.require(keyId.get());
            } catch (IllegalArgumentException e) {
                throw Key.PRIMARY_KEY.error(ini, e.getMessage());
            }
            if (key.type() == NtpKeyType.MD5) {
                if (!allowMd5) {
                    throw Key.PRIMARY_KEY.error(ini, key + " is MD5, which is weak (length extension): use an AES128"
                            + " key ('ntp-systemd install --auth key'), or set AllowMd5=yes");
                }
                return NtpAuth.symmetricKeyAllowingMd5(key);
            }
            return NtpAuth.symmetricKey(key);
        }
    }
}
