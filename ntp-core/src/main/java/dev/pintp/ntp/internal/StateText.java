package dev.pintp.ntp.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one format of pintp's small files (sync state, backoff state, drift history, the job's applied digests and
 * last check, the install manifest), and its one reader:
 *
 * <pre>
 * pintp-state KIND VERSION       the first line: which file this is, in which version of its content
 * key=value                      a value the file has once
 * key value                      one entry of a list; the value is the rest of the line and may hold spaces
 * # a comment                    ignored, like blank lines
 * </pre>
 *
 * A key is {@code [a-z][a-z0-9._-]*}; lines end with {@code \n}; no line holds a control character. The reader is
 * strict (the files are written by pintp alone) and reports a file that is not such a text with a {@link Corrupt}
 * exception naming the line and what was wrong. Text that does not start with {@code pintp-state} is a file of the
 * formats before this one ({@link #isVersioned(String)}), which each kind reads as its version 0. Immutable.
 */
public final class StateText {
    /** The first word of every file in this format. */
    public static final String MAGIC = "pintp-state";

    private static final Pattern HEADER = Pattern.compile("pintp-state ([a-z][a-z0-9-]*) (\\d{1,9})");
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9._-]*");
    private static final Pattern LINE = Pattern.compile("([a-z][a-z0-9._-]*)([= ])(.*)", Pattern.DOTALL);

    private final String label;
    private final int version;
    private final List<Line> lines;
    private final Set<Integer> used = new HashSet<>();

    private StateText(String label, int version, List<Line> lines) {
        this.label = label;
        this.version = version;
        this.lines = List.copyOf(lines);
    }

    /**
     * One line after the header.
     *
     * @param number the line's number in the file, the header being line 1
     * @param key its key
     * @param listEntry true for {@code key value} (an entry of a list), false for {@code key=value}
     * @param value the rest of the line, possibly empty
     */
    public record Line(int number, String key, boolean listEntry, String value) {
    }

    /**
     * A text that is not what pintp writes. {@link #getMessage()} is {@code bad LABEL: WHAT}, for example
     * {@code bad sync state: verdict: 'MAYBE' is not one of [...]}; {@link #line()} says where.
     */
    public static final class Corrupt extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final int line;
        private final String what;

        /**
         * @param label what the text should have been, for example {@code sync state}
         * @param line the line, 1 for the first; 0 when the problem is the file as a whole (a missing key)
         * @param what what was wrong
         */
        public Corrupt(String label, int line, String what, Throwable cause) {
            super("bad " + label + ": " + what, cause);
            this.line = line;
            this.what = what;
        }

        /** The line that is wrong, 1 for the first; 0 when no single line is (a key is missing). */
        public int line() {
            return line;
        }

        /** What was wrong, without the label or the line. */
        public String what() {
            return what;
        }

        /** {@code FILE:LINE (WHAT)}, or {@code FILE (WHAT)} without a line: how a log names the problem. */
        public String at(Object file) {
            return file + (line > 0 ? ":" + line : "") + " (" + what + ")";
        }
    }

    /** True when {@code text} starts with {@link #MAGIC}: a file of this format, not of the formats before it. */
    public static boolean isVersioned(String text) {
        return text.startsWith(MAGIC + " ") || text.equals(MAGIC) || text.startsWith(MAGIC + "\n");
    }

    /**
     * The header line of {@code kind} at {@code version}, with its line end.
     */
    public static String header(String kind, int version) {
        String h = MAGIC + " " + kind + " " + version;
        if (!HEADER.matcher(h).matches()) {
            throw new IllegalArgumentException("bad kind '" + kind + "' or version " + version);
        }
        return h + "\n";
    }

    /**
     * Reads a text of this format.
     *
     * @param kind the kind the first line must name
     * @param newest the newest version of that kind this reader knows; a newer file is refused
     * @param label what the text is, for messages: {@code sync state}
     * @throws Corrupt when the text is not of this format, of another kind or of a newer version
     */
    public static StateText parse(String text, String kind, int newest, String label) {
        Objects.requireNonNull(text, "text");
        String[] raw = text.split("\n", -1);
        Matcher h = HEADER.matcher(raw[0]);
        String expected = header(kind, newest).strip();
        if (!h.matches()) {
            throw new Corrupt(label, 1, "first line must be '" + expected + "', was '" + printable(raw[0]) + "'",
                    null);
        }
        if (!h.group(1).equals(kind)) {
            throw new Corrupt(label, 1, "a " + h.group(1) + " file, not a " + kind + " file", null);
        }
        int version = Integer.parseInt(h.group(2));
        if (version < 1 || version > newest) {
            throw new Corrupt(label, 1, "version " + version + " of " + kind + (version < 1 ? " does not exist"
                    : " is newer than this pintp reads (" + newest + ")"), null);
        }
        if (!text.endsWith("\n")) {
            throw new Corrupt(label, raw.length, "the last line has no line end (the file was cut short)", null);
        }
        List<Line> lines = new ArrayList<>();
        for (int i = 1; i < raw.length - 1; i++) {
            String l = raw[i];
            int number = i + 1;
            for (int k = 0; k < l.length(); k++) {
                if (Character.isISOControl(l.charAt(k))) {
                    throw new Corrupt(label, number, String.format("control character U+%04X", (int) l.charAt(k)),
                            null);
                }
            }
            if (l.isBlank() || l.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches()) {
                throw new Corrupt(label, number, "not 'key=value' or 'key value': '" + l + "'", null);
            }
            lines.add(new Line(number, m.group(1), m.group(2).equals(" "), m.group(3)));
        }
        return new StateText(label, version, lines);
    }

    /** The version the file was written in, 1 or more. */
    public int version() {
        return version;
    }

    /** Every line after the header that is neither blank nor a comment, in file order. */
    public List<Line> lines() {
        return lines;
    }

    /**
     * The value of {@code key}, which must be there exactly once, as {@code key=value}.
     *
     * @throws Corrupt when it is missing, repeated or written as a list entry
     */
    public String one(String key) {
        return optional(key).orElseThrow(() -> new Corrupt(label, 0, "missing " + key, null));
    }

    /**
     * The value of {@code key}, which must be there at most once, as {@code key=value}; empty when it is not there.
     *
     * @throws Corrupt when it is repeated or written as a list entry
     */
    public Optional<String> optional(String key) {
        Line found = null;
        for (Line l : lines) {
            if (l.key().equals(key)) {
                if (l.listEntry()) {
                    throw corrupt(l, key + " is written '" + key + "=value'");
                }
                if (found != null) {
                    throw corrupt(l, key + " given twice");
                }
                found = l;
                used.add(l.number());
            }
        }
        return found == null ? Optional.empty() : Optional.of(found.value());
    }

    /**
     * The value of {@code key}, which must be there exactly once as {@code key=true} or {@code key=false}.
     *
     * @throws Corrupt when it is missing, repeated, a list entry or another word
     */
    public boolean bool(String key) {
        String v = one(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw corrupt(lineOf(key), key + " must be true or false, was '" + v + "'");
        }
        return v.equals("true");
    }

    /** The line of the scalar {@code key}, for an error about its value; {@link #one} must have found it. */
    public Line lineOf(String key) {
        for (Line l : lines) {
            if (l.key().equals(key)) {
                return l;
            }
        }
        throw new IllegalStateException(key + " not read");
    }

    /**
     * The entries of the list {@code key}, each written {@code key value}, in file order.
     *
     * @throws Corrupt when one is written {@code key=value}
     */
    public List<Line> list(String key) {
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.key().equals(key)) {
                if (!l.listEntry()) {
                    throw corrupt(l, key + " is a list, each entry written '" + key + " value'");
                }
                used.add(l.number());
                out.add(l);
            }
        }
        return out;
    }

    /**
     * Refuses a line that none of {@link #one}, {@link #optional} and {@link #list} read.
     *
     * @throws Corrupt naming the first such line
     */
    public void requireAllRead() {
        for (Line l : lines) {
            if (!used.contains(l.number())) {
                throw corrupt(l, "unknown key '" + l.key() + "'");
            }
        }
    }

    /** A {@link Corrupt} for {@code line}. */
    public Corrupt corrupt(Line line, String what) {
        return new Corrupt(label, line.number(), what, null);
    }

    /** A {@link Corrupt} for {@code line}, caused by {@code cause}. */
    public Corrupt corrupt(Line line, String what, Throwable cause) {
        return new Corrupt(label, line.number(), what, cause);
    }

    /** A {@link Corrupt} for the file as a whole. */
    public Corrupt corrupt(String what) {
        return new Corrupt(label, 0, what, null);
    }

    /**
     * The lines of a text of the formats before this one, without its leading and trailing white space; never an
     * empty array. A text made only of line separators that {@link String#strip()} keeps (U+0085 is one) gives one
     * empty line, so a decoder reports it as a wrong header instead of failing on a missing first line.
     */
    public static String[] legacyLines(String text) {
        String[] lines = text.strip().split("\\R");
        return lines.length == 0 ? new String[] {""} : lines;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(60).forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return sb.toString();
    }

    /** Builds a text of this format: the header, then lines in the order they are added. */
    public static final class Writer {
        private final StringBuilder sb;

        /** A text of {@code kind} at {@code version}. */
        public Writer(String kind, int version) {
            sb = new StringBuilder(header(kind, version));
        }

        /** Adds {@code key=value}. */
        public Writer put(String key, Object value) {
            return line(key, '=', String.valueOf(value));
        }

        /** Adds the list entry {@code key value}. */
        public Writer add(String key, Object value) {
            return line(key, ' ', String.valueOf(value));
        }

        /** Adds {@code # comment}. */
        public Writer comment(String comment) {
            check(comment);
            sb.append("# ").append(comment).append('\n');
            return this;
        }

        private Writer line(String key, char separator, String value) {
            if (!KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("bad key '" + key + "'");
            }
            check(value);
            sb.append(key).append(separator).append(value).append('\n');
            return this;
        }

        private static void check(String value) {
            for (int i = 0; i < value.length(); i++) {
                if (Character.isISOControl(value.charAt(i))) {
                    throw new IllegalArgumentException(String.format(
                            "a state value cannot hold the control character U+%04X", (int) value.charAt(i)));
                }
            }
        }

        /** The text. */
        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
