package dev.pintp.probe;

import dev.pintp.sysconf.TimeSpans;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The parsed command line. Values are checked for syntax and simple ranges here; {@link dev.pintp.ntp.NtpConfig}
 * checks the rest.
 *
 * @param primaries primary servers as written (operands and {@code --primary}, in command-line order)
 * @param fallbacks fallback servers as written
 * @param root where to read the timesyncd configuration, when given
 * @param samples exchanges per primary address, when given
 * @param timeout per-exchange timeout, when given
 * @param maxRootDistance when given
 * @param maxOffset when given
 * @param keyfile the chrony keyfile of {@code --key}, when given
 * @param key the key id every command-line server is authenticated with, when given
 * @param allowMd5 {@code --allow-md5}
 * @param warning offset threshold for exit code 1, when given
 * @param critical offset threshold for exit code 2, when given
 * @param watch the interval of {@code --watch}, when given
 * @param count the number of checks with {@code --watch}, when given
 * @param nts NTS for every server on the command line, when given: the NTS-KE port, CA file and cookie directory
 * @param mode the output format
 * @param help {@code --help}
 * @param version {@code --version}
 */
record ProbeArguments(
        List<String> primaries,
        List<String> fallbacks,
        Optional<Path> root,
        OptionalInt samples,
        Optional<Duration> timeout,
        Optional<Duration> maxRootDistance,
        Optional<Duration> maxOffset,
        Optional<Path> keyfile,
        OptionalLong key,
        boolean allowMd5,
        Optional<Duration> warning,
        Optional<Duration> critical,
        Optional<Duration> watch,
        OptionalInt count,
        Optional<NtsOptions> nts,
        OutputMode mode,
        boolean help,
        boolean version) {

    /**
     * {@code --nts} and its options.
     *
     * @param kePort {@code --nts-port}, 4460 by default
     * @param ca {@code --nts-ca}, when given
     * @param cookies {@code --nts-cookies}, when given
     */
    record NtsOptions(int kePort, Optional<Path> ca, Optional<Path> cookies) {
    }

    /** The shortest {@code --watch} interval. */
    static final Duration MIN_WATCH = Duration.ofSeconds(1);

    /** How a result is printed. */
    enum OutputMode {
        TABLE,
        JSON,
        NAGIOS
    }

    /** True when any server was named on the command line (then timesyncd's configuration is not read). */
    boolean hasServers() {
        return !primaries.isEmpty() || !fallbacks.isEmpty();
    }

    /**
     * Parses {@code args} against {@link ProbeCommand#OPTIONS}: {@code --name VALUE}, {@code --name=VALUE},
     * {@code -w VALUE}, {@code -wVALUE}; {@code --} ends the options.
     *
     * @throws UsageException with a one-line message for any bad input
     */
    static ProbeArguments parse(String[] args) throws UsageException {
        Map<String, OptionSpec> byName = new HashMap<>();
        for (OptionSpec o : ProbeCommand.OPTIONS) {
            for (String n : o.names()) {
                byName.put(n, o);
            }
        }
        // by identity: a record's hashCode would bootstrap java.lang.runtime.ObjectMethods, a cost at start-up
        Map<OptionSpec, List<String>> seen = new IdentityHashMap<>();
        List<String> primaries = new ArrayList<>();
        List<String> fallbacks = new ArrayList<>();
        boolean operandsOnly = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (operandsOnly || arg.equals("-") || !arg.startsWith("-")) {
                primaries.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                operandsOnly = true;
                continue;
            }
            String name = arg;
            String value = null;
            if (arg.startsWith("--")) {
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
            } else if (arg.length() > 2) {
                name = arg.substring(0, 2);
                value = arg.substring(2);
            }
            OptionSpec o = byName.get(name);
            if (o == null) {
                throw new UsageException("unknown option '" + name + "'");
            }
            if (!o.takesValue()) {
                if (value != null) {
                    throw new UsageException("option '" + name + "' takes no value");
                }
                value = "";
            } else if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException("option '" + name + "' needs a value: " + o.paramLabel());
                }
                value = args[++i];
            }
            if (o == ProbeCommand.PRIMARY) {
                primaries.add(value);
            } else if (o == ProbeCommand.FALLBACK) {
                fallbacks.add(value);
            } else if (seen.containsKey(o)) {
                throw new UsageException("option '" + o.longName() + "' given twice");
            }
            seen.put(o, List.of(value));
        }
        for (String p : primaries) {
            if (p.isBlank()) {
                throw new UsageException("empty server name");
            }
        }
        for (String f : fallbacks) {
            if (f.isBlank()) {
                throw new UsageException("empty server name");
            }
        }
        boolean json = seen.containsKey(ProbeCommand.JSON);
        boolean nagios = seen.containsKey(ProbeCommand.NAGIOS);
        if (json && nagios) {
            throw new UsageException("--json and --nagios cannot be combined");
        }
        OutputMode mode = json ? OutputMode.JSON : nagios ? OutputMode.NAGIOS : OutputMode.TABLE;
        Optional<Duration> watch = duration(seen, ProbeCommand.WATCH);
        if (watch.isPresent() && watch.get().compareTo(MIN_WATCH) < 0) {
            // checks back to back would flood the servers (the pool asks for restraint)
            throw new UsageException("--watch must be at least 1s, was '" + seen.get(ProbeCommand.WATCH).get(0) + "'");
        }
        OptionalInt count = integer(seen, ProbeCommand.COUNT, 1, Integer.MAX_VALUE);
        if (watch.isPresent() && mode == OutputMode.NAGIOS) {
            throw new UsageException("--watch cannot be combined with --nagios");
        }
        if (count.isPresent() && watch.isEmpty()) {
            throw new UsageException("--count needs --watch");
        }
        Optional<Duration> warning = duration(seen, ProbeCommand.WARNING);
        Optional<Duration> critical = duration(seen, ProbeCommand.CRITICAL);
        if (warning.isPresent() && critical.isPresent() && warning.get().compareTo(critical.get()) > 0) {
            throw new UsageException("-w/--warning must not be larger than -c/--critical");
        }
        Optional<Path> root = Optional.empty();
        if (seen.containsKey(ProbeCommand.ROOT)) {
            String dir = seen.get(ProbeCommand.ROOT).get(0);
            if (dir.isEmpty()) {
                throw new UsageException("--root needs a directory");
            }
            root = Optional.of(Path.of(dir));
        }
        Optional<Path> keyfile = Optional.empty();
        if (seen.containsKey(ProbeCommand.KEYFILE)) {
            String file = seen.get(ProbeCommand.KEYFILE).get(0);
            if (file.isEmpty()) {
                throw new UsageException("--keyfile needs a file");
            }
            keyfile = Optional.of(Path.of(file));
        }
        OptionalLong key = OptionalLong.empty();
        if (seen.containsKey(ProbeCommand.KEY)) {
            String id = seen.get(ProbeCommand.KEY).get(0).strip();
            long n = -1;
            if (id.matches("[0-9]{1,10}")) {
                n = Long.parseLong(id);
            }
            if (n < 1 || n > 0xFFFF_FFFFL) {
                throw new UsageException("--key must be a key id from 1 to 4294967295, was '" + id + "'");
            }
            key = OptionalLong.of(n);
        }
        if (key.isPresent() != keyfile.isPresent()) {
            throw new UsageException(key.isPresent() ? "--key needs --keyfile FILE" : "--keyfile needs --key ID");
        }
        if (key.isPresent() && primaries.isEmpty() && fallbacks.isEmpty()) {
            throw new UsageException("--key applies to the servers named on the command line; name them");
        }
        boolean allowMd5 = seen.containsKey(ProbeCommand.ALLOW_MD5);
        if (allowMd5 && key.isEmpty()) {
            throw new UsageException("--allow-md5 needs --key");
        }
        Optional<NtsOptions> nts = Optional.empty();
        if (seen.containsKey(ProbeCommand.NTS)) {
            if (key.isPresent()) {
                throw new UsageException("--nts and --key cannot be combined: a server is authenticated one way");
            }
            if (primaries.isEmpty() && fallbacks.isEmpty()) {
                throw new UsageException("--nts needs the servers on the command line");
            }
            OptionalInt port = integer(seen, ProbeCommand.NTS_PORT, 1, 65535);
            nts = Optional.of(new NtsOptions(port.orElse(4460), path(seen, ProbeCommand.NTS_CA),
                    path(seen, ProbeCommand.NTS_COOKIES)));
        } else {
            for (OptionSpec o : List.of(ProbeCommand.NTS_CA, ProbeCommand.NTS_PORT, ProbeCommand.NTS_COOKIES)) {
                if (seen.containsKey(o)) {
                    throw new UsageException(o.longName() + " needs --nts");
                }
            }
        }
        return new ProbeArguments(List.copyOf(primaries), List.copyOf(fallbacks), root,
                integer(seen, ProbeCommand.SAMPLES, 1, 16),
                duration(seen, ProbeCommand.TIMEOUT), duration(seen, ProbeCommand.MAX_ROOT_DISTANCE),
                duration(seen, ProbeCommand.MAX_OFFSET), keyfile, key, allowMd5, warning, critical, watch, count, nts,
                mode,
                seen.containsKey(ProbeCommand.HELP), seen.containsKey(ProbeCommand.VERSION));
    }

    private static Optional<Path> path(Map<OptionSpec, List<String>> seen, OptionSpec o) throws UsageException {
        List<String> values = seen.get(o);
        if (values == null) {
            return Optional.empty();
        }
        if (values.get(0).isEmpty()) {
            throw new UsageException(o.longName() + " needs a " + o.paramLabel().toLowerCase(java.util.Locale.ROOT));
        }
        return Optional.of(Path.of(values.get(0)));
    }

    private static Optional<Duration> duration(Map<OptionSpec, List<String>> seen, OptionSpec o)
            throws UsageException {
        List<String> values = seen.get(o);
        if (values == null) {
            return Optional.empty();
        }
        Duration d;
        try {
            d = TimeSpans.parse(values.get(0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(o.longName() + ": " + e.getMessage());
        }
        if (d.isZero()) {
            throw new UsageException(o.longName() + " must be positive, was '" + values.get(0) + "'");
        }
        return Optional.of(d);
    }

    private static OptionalInt integer(Map<OptionSpec, List<String>> seen, OptionSpec o, int min, int max)
            throws UsageException {
        List<String> values = seen.get(o);
        if (values == null) {
            return OptionalInt.empty();
        }
        String v = values.get(0).strip();
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return OptionalInt.of(n);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String range = max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
        throw new UsageException(o.longName() + " must be a whole number " + range + ", was '" + values.get(0) + "'");
    }
}
