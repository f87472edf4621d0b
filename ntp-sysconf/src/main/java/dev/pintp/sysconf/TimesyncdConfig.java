package dev.pintp.sysconf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * systemd-timesyncd's effective configuration as timesyncd itself would read it (timesyncd.conf(5)): the main file,
 * then every {@code timesyncd.conf.d/*.conf} drop-in sorted by file name, where a drop-in in /etc masks one of the same
 * name in /run, which masks /usr/local/lib, which masks /usr/lib. Only the {@code [Time]} section counts. {@code NTP=}
 * and {@code FallbackNTP=} accumulate across assignments and an empty assignment resets the list; for the other keys
 * the last assignment wins. Immutable.
 */
public final class TimesyncdConfig {
    private static final String SECTION = "Time";
    private static final List<String> MAIN_FILES = List.of(
            "etc/systemd/timesyncd.conf", "run/systemd/timesyncd.conf",
            "usr/local/lib/systemd/timesyncd.conf", "usr/lib/systemd/timesyncd.conf");
    private static final List<String> DROP_IN_DIRS = List.of(
            "etc/systemd/timesyncd.conf.d", "run/systemd/timesyncd.conf.d",
            "usr/local/lib/systemd/timesyncd.conf.d", "usr/lib/systemd/timesyncd.conf.d");

    private final List<String> ntp;
    private final List<String> fallbackNtp;
    private final boolean fallbackNtpSet;
    private final Duration rootDistanceMax;
    private final Duration pollIntervalMin;
    private final Duration pollIntervalMax;
    private final List<Path> files;

    private TimesyncdConfig(List<String> ntp, List<String> fallbackNtp, boolean fallbackNtpSet,
            Duration rootDistanceMax, Duration pollIntervalMin, Duration pollIntervalMax, List<Path> files) {
        this.ntp = List.copyOf(ntp);
        this.fallbackNtp = List.copyOf(fallbackNtp);
        this.fallbackNtpSet = fallbackNtpSet;
        this.rootDistanceMax = rootDistanceMax;
        this.pollIntervalMin = pollIntervalMin;
        this.pollIntervalMax = pollIntervalMax;
        this.files = List.copyOf(files);
    }

    /**
     * Reads the configuration under {@code root} ({@code /} for the running system). Missing files are fine: with none
     * at all the result is empty.
     *
     * @throws ConfigException when a file is not valid INI or a value in [Time] cannot be parsed
     * @throws IOException when a file exists but cannot be read
     */
    public static TimesyncdConfig load(Path root) throws ConfigException, IOException {
        return load(root, p -> false);
    }

    /**
     * Like {@link #load(Path)}, but drop-ins for which {@code skip} is true are left out as if absent (ntp-systemd
     * leaves out its own runtime steering drop-in, which would otherwise replace the servers it reads here).
     */
    public static TimesyncdConfig load(Path root, java.util.function.Predicate<Path> skip)
            throws ConfigException, IOException {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(skip, "skip");
        List<Path> toRead = new ArrayList<>();
        for (String main : MAIN_FILES) {
            Path p = root.resolve(main);
            if (Files.isRegularFile(p)) {
                toRead.add(p); // the first one found is the main file; the others are shadowed by it
                break;
            }
        }
        Map<String, Path> dropIns = new TreeMap<>();
        for (String dir : DROP_IN_DIRS) {
            Path d = root.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(d, "*.conf")) {
                for (Path p : stream) {
                    if (skip.test(p)) {
                        continue;
                    }
                    dropIns.putIfAbsent(p.getFileName().toString(), p);
                }
            }
        }
        for (Path p : dropIns.values()) {
            if (isMasked(p)) {
                continue;
            }
            toRead.add(p);
        }

        List<String> ntp = new ArrayList<>();
        List<String> fallback = new ArrayList<>();
        boolean fallbackSet = false;
        Duration rootDistance = null;
        Duration pollMin = null;
        Duration pollMax = null;
        for (Path p : toRead) {
            IniFile ini = IniFile.parse(p);
            for (IniFile.Entry e : ini.entries()) {
                if (!e.section().equals(SECTION)) {
                    continue;
                }
                switch (e.key()) {
                    case "NTP" -> addServers(ntp, e.value());
                    case "FallbackNTP" -> {
                        addServers(fallback, e.value());
                        fallbackSet = true;
                    }
                    case "RootDistanceMaxSec" -> rootDistance = span(p, e);
                    case "PollIntervalMinSec" -> pollMin = span(p, e);
                    case "PollIntervalMaxSec" -> pollMax = span(p, e);
                    default -> {
                        // timesyncd ignores keys it does not know, with a warning; so do we
                    }
                }
            }
        }
        return new TimesyncdConfig(ntp, fallback, fallbackSet, rootDistance, pollMin, pollMax, toRead);
    }

    private static boolean isMasked(Path p) throws IOException {
        if (Files.isSymbolicLink(p) && Files.readSymbolicLink(p).toString().equals("/dev/null")) {
            return true;
        }
        return Files.isRegularFile(p) && Files.size(p) == 0;
    }

    private static void addServers(List<String> list, String value) {
        if (value.isEmpty()) {
            list.clear();
            return;
        }
        for (String s : value.split("\\s+")) {
            if (!s.isEmpty() && !list.contains(s)) {
                list.add(s);
            }
        }
    }

    private static Duration span(Path file, IniFile.Entry e) throws ConfigException {
        try {
            Duration d = TimeSpans.parse(e.value());
            if (d.isZero()) {
                throw new ConfigException(file, e.line(), e.key(), "must be positive");
            }
            return d;
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(file, e.line(), e.key(), ex.getMessage());
        }
    }

    /** The {@code NTP=} servers, in order; empty when none is configured. */
    public List<String> ntp() {
        return ntp;
    }

    /**
     * The {@code FallbackNTP=} servers, in order; empty when not set (timesyncd then uses its compiled-in list, which
     * the caller supplies as its own default) or when explicitly emptied.
     */
    public List<String> fallbackNtp() {
        return fallbackNtp;
    }

    /** True when some file assigned {@code FallbackNTP=}, even to nothing. */
    public boolean fallbackNtpSet() {
        return fallbackNtpSet;
    }

    /** {@code RootDistanceMaxSec=}, if set. */
    public Optional<Duration> rootDistanceMax() {
        return Optional.ofNullable(rootDistanceMax);
    }

    /** {@code PollIntervalMinSec=}, if set. */
    public Optional<Duration> pollIntervalMin() {
        return Optional.ofNullable(pollIntervalMin);
    }

    /** {@code PollIntervalMaxSec=}, if set. */
    public Optional<Duration> pollIntervalMax() {
        return Optional.ofNullable(pollIntervalMax);
    }

    /** The files that were read, in the order they were applied. */
    public List<Path> files() {
        return files;
    }
}
