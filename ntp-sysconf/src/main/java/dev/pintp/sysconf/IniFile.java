package dev.pintp.sysconf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed systemd-style INI file, read by systemd's rules (systemd.syntax(7), systemd's {@code conf-parser.c}): a
 * UTF-8 byte order mark at the start is skipped; lines end at {@code \n}, {@code \r\n}, {@code \r} or a NUL byte;
 * a line whose first non-blank character is {@code #} or {@code ;} is a comment, also inside a continuation; a line
 * ending in an unescaped backslash continues on the next (the backslash becomes a space); {@code [Section]} headers
 * are taken as written (no trimming inside the brackets); {@code Key=Value} assignments have systemd's white space
 * (space, tab, CR, LF) removed around key and value; values may be empty. Keys are case-sensitive. Immutable.
 *
 * <p>Stricter than systemd where systemd only warns and ignores a line: a line without {@code =}, an empty key, an
 * assignment before any section and an empty section name are errors here (a mistake must not be skipped silently).
 */
public final class IniFile {
    /** Largest file read, 1 MiB (systemd's longest line): configuration files are a few hundred bytes. */
    public static final int MAX_BYTES = 1 << 20;

    private static final String WHITESPACE = " \t\n\r";

    /**
     * One assignment.
     *
     * @param section the section it stands in, without brackets
     * @param key the key
     * @param value the value, possibly empty
     * @param line the 1-based line where the assignment starts
     */
    public record Entry(String section, String key, String value, int line) {
        /** @throws NullPointerException for a null section, key or value */
        public Entry {
            Objects.requireNonNull(section, "section");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    private final Path file;
    private final List<Entry> entries;

    private IniFile(Path file, List<Entry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads and parses {@code file} as UTF-8, safely for a root process: the file (or, for a symbolic link, the file
     * it resolves to) must be a regular file of at most {@link #MAX_BYTES}; its type is checked without following
     * links before it is opened, so a FIFO, a device or a directory is refused by name instead of blocking or failing
     * obscurely, and it is opened without following links.
     *
     * @throws java.nio.file.NoSuchFileException when the file does not exist (a dangling link included)
     * @throws ConfigException when the file is not a regular file, is too large, or is not valid (see {@link #parse(Path,
     *     String)}); the message names the file
     * @throws IOException when the file cannot be read
     */
    public static IniFile read(Path file) throws ConfigException, IOException {
        return parse(file, readText(file));
    }

    /**
     * The text of {@code file}, read as {@link #read(Path)} reads it (regular file only, bounded, UTF-8, checked).
     *
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws ConfigException when it is not a regular file, too large, or not UTF-8 (with the line)
     */
    public static String readText(Path file) throws ConfigException, IOException {
        Objects.requireNonNull(file, "file");
        Path target = file;
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            target = file.toRealPath(); // NoSuchFileException for a dangling link
            attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        if (!attrs.isRegularFile()) {
            throw new ConfigException(file, 0, null, "not a regular file (" + kind(target, attrs)
                    + "); only regular files are read");
        }
        if (attrs.size() > MAX_BYTES) {
            throw new ConfigException(file, 0, null, "larger than " + MAX_BYTES / 1024 + " KiB");
        }
        byte[] bytes;
        try (SeekableByteChannel ch = Files.newByteChannel(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                InputStream in = Channels.newInputStream(ch)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new ConfigException(file, 0, null, "larger than " + MAX_BYTES / 1024 + " KiB");
        }
        BasicFileAttributes after = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.fileKey() != null && !attrs.fileKey().equals(after.fileKey())) {
            throw new ConfigException(file, 0, null, "replaced while it was being read");
        }
        return decode(file, bytes);
    }

    private static String kind(Path target, BasicFileAttributes attrs) throws IOException {
        if (attrs.isDirectory()) {
            return "a directory";
        }
        Object type = null;
        try {
            type = Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // not a Unix file system view: say less
        }
        if (type instanceof Integer mode) {
            switch (mode & 0170000) {
                case 0010000:
                    return "a FIFO";
                case 0020000:
                    return "a character device";
                case 0060000:
                    return "a block device";
                case 0140000:
                    return "a socket";
                default:
                    break;
            }
        }
        return "a special file";
    }

    private static String decode(Path file, byte[] bytes) throws ConfigException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(file, line, null, "not valid UTF-8 text");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /**
     * Parses {@code text} as if read from {@code file} (the path is only used in error messages).
     *
     * @throws ConfigException when the text is not valid: a section header without its closing bracket, with an
     *     empty name or with control characters, quotes or backslashes in the name; a line that is neither a
     *     section, a comment nor an assignment; an empty key; an assignment before any section
     */
    public static IniFile parse(Path file, String text) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Entry> entries = new ArrayList<>();
        String section = null;
        List<String> lines = lines(text);
        StringBuilder continuation = null;
        int startLine = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String raw;
            if (i == lines.size()) {
                if (continuation == null) {
                    break;
                }
                raw = ""; // the file ended inside a continuation: parse what was collected
            } else {
                raw = lines.get(i);
                int first = skip(raw, 0);
                if (first < raw.length() && (raw.charAt(first) == '#' || raw.charAt(first) == ';')) {
                    continue; // a comment, also between continued lines (systemd skips those too)
                }
            }
            if (continuation == null) {
                startLine = i + 1;
            }
            if (i < lines.size() && endsInEscape(raw)) {
                if (continuation == null) {
                    continuation = new StringBuilder();
                }
                continuation.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            String logical = continuation == null ? raw : continuation.append(raw).toString();
            continuation = null;
            section = parseLine(file, startLine, strip(logical), section, entries);
        }
        return new IniFile(file, entries);
    }

    private static String parseLine(Path file, int lineNo, String line, String section, List<Entry> entries)
            throws ConfigException {
        if (line.isEmpty()) {
            return section;
        }
        if (line.charAt(0) == '[') {
            if (line.length() < 2 || line.charAt(line.length() - 1) != ']') {
                throw new ConfigException(file, lineNo, null, "invalid section header '" + line + "'");
            }
            String name = line.substring(1, line.length() - 1);
            if (name.isEmpty()) {
                throw new ConfigException(file, lineNo, null, "empty section name '[]'");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c < ' ' || c == 0x7F || c == '"' || c == '\'' || c == '\\') {
                    throw new ConfigException(file, lineNo, null, "bad characters in section header '" + line + "'");
                }
            }
            return name;
        }
        int eq = line.indexOf('=');
        if (eq < 0) {
            throw new ConfigException(file, lineNo, null, "missing '=' in '" + line + "'");
        }
        String key = strip(line.substring(0, eq));
        String value = strip(line.substring(eq + 1));
        if (key.isEmpty()) {
            throw new ConfigException(file, lineNo, null, "missing key before '='");
        }
        if (section == null) {
            throw new ConfigException(file, lineNo, key, "assignment outside of any [Section]");
        }
        entries.add(new Entry(section, key, value, lineNo));
        return section;
    }

    /** Lines as systemd's read_line() ends them: at LF, CRLF, CR or NUL. */
    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\0') {
                out.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < n) {
            out.add(text.substring(start));
        }
        return out;
    }

    /** True when the line ends in a backslash that is not itself escaped ({@code \\} at the end is not). */
    private static boolean endsInEscape(String line) {
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            escaped = !escaped && line.charAt(i) == '\\';
        }
        return escaped;
    }

    private static int skip(String s, int from) {
        int i = from;
        while (i < s.length() && WHITESPACE.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    /** {@code s} without systemd's white space (space, tab, CR, LF) at either end. */
    static String strip(String s) {
        int start = skip(s, 0);
        int end = s.length();
        while (end > start && WHITESPACE.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /** Every assignment, in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** Where {@code e} (an entry of this file) was assigned. */
    public Origin origin(Entry e) {
        return new Origin(file, e.line(), e.key());
    }

    /** Every assignment of {@code key} in {@code section}, in file order. */
    public List<Entry> all(String section, String key) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.section().equals(section) && e.key().equals(key)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The last assignment of {@code key} in {@code section}, with its line (systemd's "last one wins"). */
    public Optional<Entry> lastEntry(String section, String key) {
        List<Entry> all = all(section, key);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The words of a list value as systemd splits one ({@code NTP=a b}): at runs of space, tab, CR and LF.
     * See {@link WordList} for how assignments of a list add up.
     */
    public static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = value.length();
        while (true) {
            i = skip(value, i);
            if (i >= n) {
                return out;
            }
            int end = i;
            while (end < n && WHITESPACE.indexOf(value.charAt(end)) < 0) {
                end++;
            }
            out.add(value.substring(i, end));
            i = end;
        }
    }
}
