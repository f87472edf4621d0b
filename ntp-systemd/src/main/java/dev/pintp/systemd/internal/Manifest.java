package dev.pintp.systemd.internal;

import dev.pintp.ntp.internal.StateText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What install wrote, so that uninstall removes exactly that: whole files and symlinks it owns, single lines it
 * added to shared files (/etc/hosts), and directories it created. Stored as text ({@link #render()}), one entry a
 * line: {@code file PATH}, {@code link PATH}, {@code line PATH TEXT}, {@code dir PATH}. Immutable.
 *
 * @param entries sorted by kind, then path, so that the same install renders the same text
 */
public record Manifest(List<Entry> entries) {
    private static final String KIND = "manifest";
    private static final int VERSION = 1;

    /** Where the manifest of the real system lives. */
    public static final Path PATH = Path.of("/usr/local/lib/ntp-monitor/install-manifest");

    /** Kinds of entries. */
    public enum Kind {
        /** A file install wrote whole. */
        FILE,
        /** A symlink install made. */
        LINK,
        /** One line install added to a file it shares with others. */
        LINE,
        /** A directory install created. */
        DIR
    }

    /**
     * One thing install wrote.
     *
     * @param kind what it is
     * @param path absolute path on the target system
     * @param line the added line for {@link Kind#LINE}, else empty
     */
    public record Entry(Kind kind, Path path, String line) {
        public Entry {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(line, "line");
        }
    }

    public Manifest {
        List<Entry> sorted = new ArrayList<>(new LinkedHashSet<>(entries));
        sorted.sort(java.util.Comparator.comparing(Entry::kind).thenComparing(e -> e.path().toString())
                .thenComparing(Entry::line));
        entries = List.copyOf(sorted);
    }

    /**
     * The manifest under {@code root}, if install has run there.
     *
     * @throws IOException when it cannot be read, or is corrupt: the message names the file and line. A corrupt
     *     manifest is refused rather than moved aside like the job's state: uninstall would forget what to remove.
     */
    public static Optional<Manifest> load(Path root) throws IOException {
        return load(root, PATH);
    }

    /** The manifest at {@code manifest} (a path on the target system) under {@code root}; see {@link #load(Path)}. */
    public static Optional<Manifest> load(Path root, Path manifest) throws IOException {
        Optional<String> text = AtomicFiles.read(Settings.under(root, manifest));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        List<Entry> entries = new ArrayList<>();
        if (StateText.isVersioned(text.get())) {
            try {
                StateText t = StateText.parse(text.get(), KIND, VERSION, "install manifest");
                for (StateText.Line l : t.lines()) {
                    Kind kind = kind(l.key());
                    if (kind == null || !l.listEntry()) {
                        throw t.corrupt(l, "unknown entry '" + StateStore.oneLine(l.key())
                                + (l.listEntry() ? "" : "=") + "'");
                    }
                    entries.add(entry(manifest, l.number(), kind, l.value()));
                }
            } catch (StateText.Corrupt e) {
                throw corrupt(manifest, e.line(), e.what());
            }
            return Optional.of(new Manifest(entries));
        }
        // the format before StateText: the same lines under a comment instead of the header
        String[] lines = text.get().split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            int sp = l.indexOf(' ');
            String word = sp < 0 ? l : l.substring(0, sp);
            Kind kind = kind(word);
            if (kind == null) {
                throw corrupt(manifest, i + 1, "unknown entry '" + StateStore.oneLine(word) + "'");
            }
            entries.add(entry(manifest, i + 1, kind, sp < 0 ? "" : l.substring(sp + 1)));
        }
        return Optional.of(new Manifest(entries));
    }

    private static Kind kind(String word) {
        for (Kind k : Kind.values()) {
            if (k.name().toLowerCase(java.util.Locale.ROOT).equals(word)) {
                return k;
            }
        }
        return null;
    }

    /** The entry of one line: {@code rest} is the path, or for {@link Kind#LINE} the path, a space and the line. */
    private static Entry entry(Path manifest, int number, Kind kind, String rest) throws IOException {
        String path = rest;
        String line = "";
        if (kind == Kind.LINE) {
            int sp2 = rest.indexOf(' ');
            path = sp2 < 0 ? rest : rest.substring(0, sp2);
            line = sp2 < 0 ? "" : rest.substring(sp2 + 1);
        }
        if (!normalizedAbsolute(path)) {
            throw corrupt(manifest, number, "not an absolute, normalized path: '" + StateStore.oneLine(path) + "'");
        }
        return new Entry(kind, Path.of(path), line);
    }

    private static IOException corrupt(Path manifest, int line, String problem) {
        return new IOException("corrupt install manifest " + manifest + (line > 0 ? ":" + line : "") + ": " + problem
                + " (fix or remove it by hand; install and uninstall rely on it)");
    }

    private static boolean normalizedAbsolute(String p) {
        try {
            return p.startsWith("/") && Path.of(p).normalize().toString().equals(p);
        } catch (java.nio.file.InvalidPathException e) {
            return false;
        }
    }

    /**
     * The text stored on disk: the {@link StateText} format, kind {@code manifest}, one list entry a line
     * ({@code file PATH}, {@code link PATH}, {@code line PATH TEXT}, {@code dir PATH}), the words the package's
     * postrm reads with {@code read kind path text}.
     */
    public String render() {
        StateText.Writer w = new StateText.Writer(KIND, VERSION)
                .comment("Written by ntp-monitor install; read by uninstall. Do not edit.");
        for (Entry e : entries) {
            w.add(e.kind().name().toLowerCase(java.util.Locale.ROOT),
                    e.path() + (e.kind() == Kind.LINE ? " " + e.line() : ""));
        }
        return w.toString();
    }

    /** Entries of one kind. */
    public List<Entry> of(Kind kind) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.kind() == kind) {
                out.add(e);
            }
        }
        return out;
    }

    /** True when this manifest has {@code entry}. */
    public boolean has(Entry entry) {
        return entries.contains(entry);
    }

    /** The paths of all entries. */
    public Set<Path> paths() {
        Set<Path> out = new LinkedHashSet<>();
        for (Entry e : entries) {
            out.add(e.path());
        }
        return out;
    }
}
