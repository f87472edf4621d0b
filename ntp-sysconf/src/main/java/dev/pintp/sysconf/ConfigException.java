package dev.pintp.sysconf;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A configuration file that cannot be used, with where the problem is. The message is one line,
 * {@code FILE:LINE: KEY: what is wrong} (line and key left out when they do not apply), with control characters in
 * the file name, key and problem escaped ({@link Escapes}): a value from the file can never start a new log line.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String key;

    /**
     * An error at {@code origin}: its file, line and key.
     *
     * @param origin where the value at fault was assigned
     * @param problem what is wrong, for a person
     */
    public ConfigException(Origin origin, String problem) {
        this(origin.file(), origin.line(), origin.key(), problem);
    }

    /**
     * @param file the file at fault, never null
     * @param line 1-based line number, or 0 when the problem is not on one line
     * @param key the key at fault, or null
     * @param problem what is wrong, for a person
     */
    public ConfigException(Path file, int line, String key, String problem) {
        super(format(file, line, key, problem));
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.key = key;
    }

    private static String format(Path file, int line, String key, String problem) {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (key != null) {
            sb.append(key).append(": ");
        }
        return Escapes.escape(sb.append(problem).toString());
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The 1-based line, or 0 when the problem is not on one line. */
    public int line() {
        return line;
    }

    /** The key at fault, or null. */
    public String key() {
        return key;
    }
}
