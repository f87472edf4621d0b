package dev.pintp.sysconf;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed systemd-style INI file (systemd.syntax(7)): {@code [Section]} headers, {@code Key=Value} assignments with
 * white space around the key and value removed, {@code #} and {@code ;} comment lines, and lines ending in a backslash
 * continued on the next (the backslash becomes a space). Values may be empty. Keys are case-sensitive, as in systemd.
 * Immutable.
 */
public final class IniFile {
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
     * Reads and parses {@code file} as UTF-8.
     *
     * @throws ConfigException when the file is not valid (not UTF-8, an assignment outside a section, a line that is
     *     neither a section, a comment nor an assignment)
     * @throws IOException when the file cannot be read
     */
    public static IniFile parse(Path file) throws ConfigException, IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, 0, null, "not valid UTF-8 text");
        }
        return parse(file, text);
    }

    /**
     * Parses {@code text} as if read from {@code file} (the path is only used in error messages).
     *
     * @throws ConfigException when the text is not valid
     */
    public static IniFile parse(Path file, String text) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(text, "text");
        List<Entry> entries = new ArrayList<>();
        String section = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfigException(file, lineNo, null, "invalid section header '" + line + "'");
                }
                section = line.substring(1, line.length() - 1).strip();
                if (section.isEmpty() || section.contains("[") || section.contains("]")) {
                    throw new ConfigException(file, lineNo, null, "invalid section header '" + line + "'");
                }
                continue;
            }
            StringBuilder logical = new StringBuilder();
            while (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                i++;
                if (i >= lines.length) {
                    line = "";
                    break;
                }
                line = lines[i].strip();
                while (line.startsWith("#") || line.startsWith(";")) { // comments inside a continuation are skipped
                    i++;
                    line = i < lines.length ? lines[i].strip() : "";
                }
            }
            logical.append(line);
            String assignment = logical.toString();
            int eq = assignment.indexOf('=');
            if (eq < 0) {
                throw new ConfigException(file, lineNo, null, "missing '=' in '" + assignment.strip() + "'");
            }
            String key = assignment.substring(0, eq).strip();
            String value = assignment.substring(eq + 1).strip();
            if (key.isEmpty()) {
                throw new ConfigException(file, lineNo, null, "missing key before '='");
            }
            if (section == null) {
                throw new ConfigException(file, lineNo, key, "assignment outside of any [Section]");
            }
            entries.add(new Entry(section, key, value, lineNo));
        }
        return new IniFile(file, entries);
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    /** Every assignment, in file order. */
    public List<Entry> entries() {
        return entries;
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

    /** The value of the last assignment of {@code key} in {@code section} (systemd's "last one wins"). */
    public Optional<String> last(String section, String key) {
        List<Entry> all = all(section, key);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1).value());
    }

    /** The last assignment of {@code key} in {@code section}, with its line. */
    public Optional<Entry> lastEntry(String section, String key) {
        List<Entry> all = all(section, key);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }
}
