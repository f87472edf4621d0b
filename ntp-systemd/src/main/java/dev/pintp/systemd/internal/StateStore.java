package dev.pintp.systemd.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.SyncState;
import dev.pintp.ntp.internal.StateText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's files. Persistent, in the state directory, each rewritten only when its bytes change (a steady system
 * writes nothing there, which spares SD cards): {@code sync-state}, {@code backoff-state}, {@code applied}. Volatile,
 * in the runtime directory (tmpfs, gone at reboot): {@code drift-history} (an hour of offsets), {@code last-check}
 * (what {@code status} shows), {@code boot} (marks that this boot's first run has happened) and {@code lock}. All
 * but the last two are in the {@link StateText} format; files of the formats before it are read as that older
 * version and written back in the new one.
 *
 * <p>Every state file is read without following symlinks and with a size bound ({@link #MAX_STATE_BYTES}). A file
 * that is a symlink, not a regular file, larger than the bound, not UTF-8 or not what the job writes is
 * <em>corrupt</em> (reported as {@code corrupt state file FILE:LINE (WHAT)}): {@link #load} moves it aside to {@code NAME.corrupt-<UTC time>} (at most {@link #CORRUPT_COPIES}
 * kept per file, so a file corrupted again and again cannot fill the disk) and uses the initial value for its part of
 * the state. Not thread-safe; the job serializes runs with the lock.
 */
public final class StateStore {
    /** Largest state file read, in bytes: the real files are a few hundred bytes (the drift history a few KiB). */
    public static final int MAX_STATE_BYTES = 64 * 1024;
    /** Corrupt copies kept per state file; the oldest beyond this are deleted. */
    public static final int CORRUPT_COPIES = 3;

    static final String SYNC = "sync-state";
    static final String BACKOFF = "backoff-state";
    static final String APPLIED = "applied";
    static final String DRIFT = "drift-history";
    static final String LAST_CHECK = "last-check";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern DIGEST = Pattern.compile("-|[0-9a-f]{64}");
    private static final Pattern LAST_CHECK_LINE = Pattern.compile("([a-z][a-z0-9._-]*)=(.*)", Pattern.DOTALL);

    private final Path stateDir;
    private final Path runtimeDir;
    private final AtomicFiles files;

    /** A store in the given directories (already resolved under the file root). */
    public StateStore(Path stateDir, Path runtimeDir, AtomicFiles files) {
        this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        this.runtimeDir = Objects.requireNonNull(runtimeDir, "runtimeDir");
        this.files = Objects.requireNonNull(files, "files");
    }

    /**
     * What a run starts from.
     *
     * @param state the persistent state, with the initial value for each part whose file was corrupt
     * @param drift the drift history of this boot, empty when its file was corrupt
     * @param problems one line per corrupt file: which, why, and where it was moved; empty when all was well
     * @param appliedKnown false when the {@code applied} file was corrupt: what the service manager has is unknown
     */
    public record Loaded(JobState state, DriftHistory drift, List<String> problems, boolean appliedKnown) {
        public Loaded {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(drift, "drift");
            problems = List.copyOf(problems);
        }
    }

    /** A file that is not what the job writes; the message says why. */
    static final class CorruptException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptException(String message) {
            super(message);
        }
    }

    /**
     * Loads the state and the drift history for a run; corrupt files are moved aside (class comment).
     *
     * @param now when this happens, for the names of the moved files
     * @throws IOException when a file exists but cannot be read (an I/O error), or a corrupt one cannot be moved
     */
    public Loaded load(Instant now) throws IOException {
        return read(Optional.of(now));
    }

    /** Like {@link #load} but changes nothing: corrupt files stay where they are ({@code status}). */
    public Loaded peek() throws IOException {
        return read(Optional.empty());
    }

    private Loaded read(Optional<Instant> quarantineAt) throws IOException {
        List<String> problems = new ArrayList<>();
        JobState s = JobState.initial();
        Optional<SyncState> sync = part(stateDir.resolve(SYNC), SyncState::decode, quarantineAt, problems);
        if (sync.isPresent()) {
            s = s.withSync(sync.get());
        }
        Optional<BackoffState> backoff = part(stateDir.resolve(BACKOFF), BackoffState::decode, quarantineAt, problems);
        if (backoff.isPresent()) {
            s = s.withBackoff(backoff.get());
        }
        int before = problems.size();
        Optional<Applied> applied = part(stateDir.resolve(APPLIED), Applied::decode, quarantineAt, problems);
        boolean appliedKnown = problems.size() == before;
        if (applied.isPresent()) {
            s = s.withAppliedDropIn(applied.get().dropIn()).withAppliedSteering(applied.get().steering())
                    .withTimesyncdAbsent(applied.get().timesyncdAbsent());
        }
        DriftHistory drift = part(runtimeDir.resolve(DRIFT), DriftHistory::decode, quarantineAt, problems)
                .orElse(DriftHistory.empty());
        return new Loaded(s, drift, problems, appliedKnown);
    }

    private interface Decoder<T> {
        T decode(String text);
    }

    private static <T> Optional<T> part(Path file, Decoder<T> decoder, Optional<Instant> quarantineAt,
            List<String> problems) throws IOException {
        String where;
        try {
            Optional<String> text = readBounded(file, MAX_STATE_BYTES);
            if (text.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(decoder.decode(text.get()));
        } catch (CorruptException e) {
            where = file + " (" + oneLine(e.getMessage()) + ")";
        } catch (StateText.Corrupt e) {
            where = oneLine(e.at(file));
        } catch (RuntimeException e) {
            // the decoders throw StateText.Corrupt; anything else from them is a corrupt file just the same
            where = file + " (" + oneLine(e.getMessage() != null ? e.getMessage() : e.toString()) + ")";
        }
        if (quarantineAt.isEmpty()) {
            problems.add("corrupt state file " + where);
            return Optional.empty();
        }
        Path moved = quarantine(file, quarantineAt.get());
        problems.add("corrupt state file " + where + ", moved to " + moved.getFileName()
                + "; its part of the state starts over");
        return Optional.empty();
    }

    /**
     * The content of a file the job wrote, read without following a symlink and with a size bound.
     *
     * @return empty when the file does not exist
     * @throws CorruptException when it is a symlink or not a regular file, larger than {@code maxBytes}, or not UTF-8
     * @throws IOException when it cannot be read
     */
    static Optional<String> readBounded(Path file, int maxBytes) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (a.isSymbolicLink()) {
            throw new CorruptException("a symlink, not a file the job wrote");
        }
        if (!a.isRegularFile()) {
            throw new CorruptException(a.isDirectory() ? "a directory, not a file" : "not a regular file");
        }
        if (a.size() > maxBytes) {
            throw new CorruptException("larger than " + maxBytes + " bytes");
        }
        Optional<byte[]> bytes;
        try {
            bytes = AtomicFiles.readBytes(file, maxBytes); // again without following links, bounded
        } catch (java.nio.file.AccessDeniedException e) {
            throw e;
        } catch (FileSystemException e) {
            // replaced or grown since the look above: as corrupt as if it had been so then
            throw new CorruptException(e.getReason() != null ? e.getReason() : "changed while read");
        }
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes.get());
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buf).toString());
        } catch (CharacterCodingException e) {
            throw new CorruptException("not UTF-8 text");
        }
    }

    /**
     * Moves {@code file} (whatever it is; a symlink is moved, not followed) to {@code NAME.corrupt-<time>} in its
     * directory and deletes the oldest such copies beyond {@link #CORRUPT_COPIES}.
     *
     * @return where it went
     */
    static Path quarantine(Path file, Instant now) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        prune(dir, name, CORRUPT_COPIES - 1);
        String base = name + ".corrupt-" + STAMP.format(now);
        for (int i = 0; ; i++) {
            Path target = dir.resolve(i == 0 ? base : base + "-" + i);
            try {
                Files.move(file, target, LinkOption.NOFOLLOW_LINKS);
                AtomicFiles.syncDirectory(dir);
                return target;
            } catch (FileAlreadyExistsException e) {
                if (i >= 1000) {
                    throw e;
                }
            }
        }
    }

    private record Copy(Path path, String stamp, int n) {
    }

    private static void prune(Path dir, String name, int keep) throws IOException {
        Pattern p = Pattern.compile(Pattern.quote(name) + "\\.corrupt-(\\d{8}T\\d{6}Z)(?:-(\\d{1,4}))?");
        List<Copy> copies = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, name.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1")
                + ".corrupt-*")) {
            for (Path c : ds) {
                Matcher m = p.matcher(c.getFileName().toString());
                if (m.matches()) {
                    copies.add(new Copy(c, m.group(1), m.group(2) == null ? 0 : Integer.parseInt(m.group(2))));
                }
            }
        }
        copies.sort(Comparator.comparing(Copy::stamp).thenComparingInt(Copy::n));
        for (int i = 0; i < copies.size() - keep; i++) {
            try {
                Files.delete(copies.get(i).path()); // a symlink is removed, not followed
            } catch (IOException e) {
                // a moved-aside directory that is not empty: only root can have made it; leave it
            }
        }
    }

    /** Control characters as spaces, so that a reason stays one log line. */
    static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return sb.toString();
    }

    /**
     * The {@code applied} file: digests of what the manager was last reloaded with. In the {@link StateText} format,
     * kind {@code applied}: {@code dropin=}, {@code steering=} (each a SHA-256 digest in hex, or {@code -}) and
     * {@code timesyncd-absent=}. A file without the header is of the format before (the same lines, no header; keys
     * and values stripped), read so that an upgrade keeps what was applied.
     */
    record Applied(String dropIn, String steering, boolean timesyncdAbsent) {
        private static final String KIND = "applied";
        private static final String LABEL = "applied";

        String encode() {
            return new StateText.Writer(KIND, 1).put("dropin", dropIn).put("steering", steering)
                    .put("timesyncd-absent", timesyncdAbsent).toString();
        }

        static Applied decode(String text) {
            if (StateText.isVersioned(text)) {
                StateText t = StateText.parse(text, KIND, 1, LABEL);
                Applied a = new Applied(digest(t, "dropin"), digest(t, "steering"), t.bool("timesyncd-absent"));
                t.requireAllRead();
                return a;
            }
            String dropIn = null;
            String steering = null;
            Boolean absent = null;
            String[] lines = text.split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.isBlank()) {
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq < 0) {
                    throw new StateText.Corrupt(LABEL, i + 1, "not 'key=value': '" + line + "'", null);
                }
                String k = line.substring(0, eq).strip();
                String v = line.substring(eq + 1).strip();
                String problem = switch (k) {
                    case "dropin", "steering" -> DIGEST.matcher(v).matches() ? null
                            : k + "= is not a SHA-256 digest or -";
                    case "timesyncd-absent" -> v.equals("true") || v.equals("false") ? null
                            : "timesyncd-absent must be true or false";
                    default -> "unknown key '" + k + "'";
                };
                if (problem != null) {
                    throw new StateText.Corrupt(LABEL, i + 1, problem, null);
                }
                switch (k) {
                    case "dropin" -> dropIn = v;
                    case "steering" -> steering = v;
                    default -> absent = Boolean.parseBoolean(v);
                }
            }
            if (dropIn == null || steering == null || absent == null) {
                throw new StateText.Corrupt(LABEL, 0, "applied needs dropin=, steering= and timesyncd-absent=",
                        null);
            }
            return new Applied(dropIn, steering, absent);
        }

        private static String digest(StateText t, String key) {
            String v = t.one(key);
            if (!DIGEST.matcher(v).matches()) {
                throw t.corrupt(t.lineOf(key), key + "= is not a SHA-256 digest or -");
            }
            return v;
        }
    }

    /** Saves the persistent state, writing only the files whose content changed. */
    public void save(JobState s) throws IOException {
        write(stateDir.resolve(SYNC), s.sync().encode());
        write(stateDir.resolve(BACKOFF), s.backoff().encode());
        write(stateDir.resolve(APPLIED), new Applied(s.appliedDropIn(), s.appliedSteering(), s.timesyncdAbsent())
                .encode());
    }

    // The writer compares with what is there before replacing it; a link or non-file put there since the load is
    // moved aside first, so that the comparison never reads through it.
    private void write(Path file, String content) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || a.size() > MAX_STATE_BYTES) {
                quarantine(file, Instant.now());
            }
        } catch (NoSuchFileException e) {
            // written below
        }
        files.writeIfChanged(file, content);
    }

    /** True until {@link #markBoot()} has run in this boot (the runtime directory is on a tmpfs). */
    public boolean isNewBoot() {
        return !Files.exists(runtimeDir.resolve("boot"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Marks that this boot's first run has established its baseline. */
    public void markBoot() throws IOException {
        write(runtimeDir.resolve("boot"), "");
    }

    /** Saves the drift history. */
    public void saveDrift(DriftHistory h) throws IOException {
        write(runtimeDir.resolve(DRIFT), h.encode());
    }

    /**
     * Saves the last check's summary for {@code status}: {@code key=value} lines, kept in the {@link StateText}
     * format, kind {@code last-check}. A control character in a value is kept as a space, and a line that does not
     * start with {@code key=} (a value that held a line end) is kept as the rest of the value before it.
     *
     * @throws IllegalArgumentException when the first line is not {@code key=value}
     */
    public void saveLastCheck(String text) throws IOException {
        StateText.Writer w = new StateText.Writer(LAST_CHECK, 1);
        String key = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.split("\n")) {
            Matcher m = LAST_CHECK_LINE.matcher(line);
            if (m.matches()) {
                if (key != null) {
                    w.put(key, oneLine(value.toString()));
                }
                key = m.group(1);
                value.setLength(0);
                value.append(m.group(2));
            } else if (key != null) {
                value.append(' ').append(line);
            } else {
                throw new IllegalArgumentException("not a key=value line: '" + oneLine(line) + "'");
            }
        }
        if (key != null) {
            w.put(key, oneLine(value.toString()));
        }
        write(runtimeDir.resolve(LAST_CHECK), w.toString());
    }

    /**
     * The last check's summary as {@code key=value} lines, if a run happened in this boot. A file without the
     * {@link StateText} header (written before it) is given as it is.
     *
     * @throws CorruptException when the file is a symlink, not a regular file, too large, not UTF-8 or not what
     *     {@link #saveLastCheck} writes (the message names the line)
     */
    public Optional<String> loadLastCheck() throws IOException {
        Path file = runtimeDir.resolve(LAST_CHECK);
        Optional<String> text = readBounded(file, MAX_STATE_BYTES);
        if (text.isEmpty() || !StateText.isVersioned(text.get())) {
            return text;
        }
        try {
            StateText t = StateText.parse(text.get(), LAST_CHECK, 1, "last check");
            StringBuilder sb = new StringBuilder();
            for (StateText.Line l : t.lines()) {
                if (l.listEntry()) {
                    throw t.corrupt(l, "not 'key=value'");
                }
                sb.append(l.key()).append('=').append(l.value()).append('\n');
            }
            return Optional.of(sb.toString());
        } catch (StateText.Corrupt e) {
            throw new CorruptException(oneLine(e.at(file)));
        }
    }

    /**
     * Opens the lock file for writing without following a symlink; a symlink or non-file in its place is moved
     * aside first.
     */
    public FileChannel openLock() throws IOException {
        Path lock = lockFile();
        try {
            BasicFileAttributes a = Files.readAttributes(lock, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                quarantine(lock, Instant.now());
            }
        } catch (NoSuchFileException e) {
            // created below
        }
        return AtomicFiles.openLock(lock);
    }

    /** The lock file. */
    public Path lockFile() {
        return runtimeDir.resolve("lock");
    }

    /** The state directory. */
    public Path stateDir() {
        return stateDir;
    }

    /** The runtime directory. */
    public Path runtimeDir() {
        return runtimeDir;
    }
}
