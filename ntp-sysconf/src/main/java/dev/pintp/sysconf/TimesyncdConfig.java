package dev.pintp.sysconf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * systemd-timesyncd's effective configuration as timesyncd itself reads it (timesyncd.conf(5), systemd's
 * {@code config_parse_standard_file_with_dropins}): the first main file found of /etc, /run, /usr/local/lib and
 * /usr/lib, then every {@code timesyncd.conf.d/*.conf} drop-in of those directories sorted by file name, where a
 * drop-in in /etc masks one of the same name in /run, which masks /usr/local/lib, which masks /usr/lib, and a drop-in
 * linked to /dev/null or empty masks and adds nothing. Files are read with {@link IniFile#read} (regular files only,
 * bounded).
 *
 * <p>Only the {@code [Time]} section counts, and in it only what this project uses: {@code NTP=} (and its old name
 * {@code Servers=}) and {@code FallbackNTP=} accumulate across assignments and files, an empty assignment resetting
 * the list ({@link WordList}); {@code RootDistanceMaxSec=} is a time span where the last assignment wins, an empty
 * one being ignored as timesyncd ignores it. Other keys and sections are ignored as timesyncd ignores them, except a
 * near miss ({@code [time]}, {@code ntp=}) that timesyncd would silently skip: that is an error. Immutable.
 */
public final class TimesyncdConfig {
    private static final String SECTION = "Time";
    private static final Set<String> KEYS = Set.of("NTP", "Servers", "FallbackNTP", "RootDistanceMaxSec");
    private static final List<String> MAIN_FILES = List.of(
            "etc/systemd/timesyncd.conf", "run/systemd/timesyncd.conf",
            "usr/local/lib/systemd/timesyncd.conf", "usr/lib/systemd/timesyncd.conf");
    private static final List<String> DROP_IN_DIRS = List.of(
            "etc/systemd/timesyncd.conf.d", "run/systemd/timesyncd.conf.d",
            "usr/local/lib/systemd/timesyncd.conf.d", "usr/lib/systemd/timesyncd.conf.d");

    private final WordList ntp;
    private final WordList fallbackNtp;
    private final Duration rootDistanceMax;
    private final Origin rootDistanceOrigin;
    private final List<Path> files;

    private TimesyncdConfig(WordList ntp, WordList fallbackNtp, Duration rootDistanceMax, Origin rootDistanceOrigin,
            List<Path> files) {
        this.ntp = ntp;
        this.fallbackNtp = fallbackNtp;
        this.rootDistanceMax = rootDistanceMax;
        this.rootDistanceOrigin = rootDistanceOrigin;
        this.files = List.copyOf(files);
    }

    /**
     * Reads the configuration under {@code root} ({@code /} for the running system). Missing files are fine: with none
     * at all the result is empty.
     *
     * @throws ConfigException naming file, line and key when a file is not a regular file, too large, not valid INI,
     *     or a value in [Time] cannot be parsed
     * @throws IOException when a file exists but cannot be read
     */
    public static TimesyncdConfig load(Path root) throws ConfigException, IOException {
        return load(root, p -> false);
    }

    /**
     * Like {@link #load(Path)}, but drop-ins for which {@code skip} is true are left out as if absent (ntp-systemd
     * leaves out its own runtime steering drop-in, which would otherwise replace the servers it reads here).
     */
    public static TimesyncdConfig load(Path root, Predicate<Path> skip) throws ConfigException, IOException {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(skip, "skip");
        List<IniFile> read = new ArrayList<>();
        for (String main : MAIN_FILES) {
            Path p = root.resolve(main);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (isLinkToDevNull(p)) {
                break; // an empty main file: it shadows the others and says nothing
            }
            try {
                read.add(IniFile.read(p));
            } catch (NoSuchFileException e) {
                continue; // a dangling link: absent, as for timesyncd's fopen()
            }
            break; // the first one found is the main file; the others are shadowed by it
        }
        Map<String, Path> dropIns = new TreeMap<>();
        for (String dir : DROP_IN_DIRS) {
            Path d = root.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(d, "*.conf")) {
                for (Path p : stream) {
                    if (!skip.test(p)) {
                        dropIns.putIfAbsent(p.getFileName().toString(), p);
                    }
                }
            }
        }
        for (Path p : dropIns.values()) {
            if (isLinkToDevNull(p)) {
                continue; // masked
            }
            try {
                read.add(IniFile.read(p));
            } catch (NoSuchFileException e) {
                continue; // removed since the listing, or a dangling link
            }
        }

        WordList ntp = new WordList();
        WordList fallback = new WordList();
        Duration rootDistance = null;
        Origin rootDistanceOrigin = null;
        List<Path> files = new ArrayList<>();
        for (IniFile ini : read) {
            files.add(ini.file());
            for (IniFile.Entry e : ini.entries()) {
                Origin at = ini.origin(e);
                if (!e.section().equals(SECTION)) {
                    if (IniFile.strip(e.section()).toLowerCase(Locale.ROOT).equals("time")) {
                        throw at.error("timesyncd reads only the section [Time], written exactly so; it would"
                                + " ignore [" + e.section() + "]");
                    }
                    continue;
                }
                switch (e.key()) {
                    case "NTP", "Servers" -> ntp.assign(at, e.value());
                    case "FallbackNTP" -> fallback.assign(at, e.value());
                    case "RootDistanceMaxSec" -> {
                        if (!e.value().isEmpty()) { // timesyncd ignores an empty value and keeps the earlier one
                            rootDistance = TimeSpans.parse(at, e.value());
                            rootDistanceOrigin = at;
                        }
                    }
                    default -> {
                        for (String k : KEYS) {
                            if (k.equalsIgnoreCase(e.key())) {
                                throw at.error("keys are case-sensitive: timesyncd would ignore this one; write " + k
                                        + "=");
                            }
                        }
                        // timesyncd ignores keys it does not know, with a warning; so do we
                    }
                }
            }
        }
        return new TimesyncdConfig(ntp, fallback, rootDistance, rootDistanceOrigin, files);
    }

    private static boolean isLinkToDevNull(Path p) throws IOException {
        return Files.isSymbolicLink(p) && Files.readSymbolicLink(p).toString().equals("/dev/null");
    }

    /** The {@code NTP=} (and {@code Servers=}) list, with where each server was assigned. */
    public WordList ntpList() {
        return ntp;
    }

    /** The {@code FallbackNTP=} list, with where each server was assigned. */
    public WordList fallbackNtpList() {
        return fallbackNtp;
    }

    /** {@code RootDistanceMaxSec=}, if set; {@link TimeSpans#INFINITY} for {@code infinity}. */
    public Optional<Duration> rootDistanceMax() {
        return Optional.ofNullable(rootDistanceMax);
    }

    /** Where {@link #rootDistanceMax()} was assigned, if it was. */
    public Optional<Origin> rootDistanceMaxOrigin() {
        return Optional.ofNullable(rootDistanceOrigin);
    }

    /** The files that were read, in the order they were applied. */
    public List<Path> files() {
        return files;
    }
}
