package dev.pintp.sysconf;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a value was assigned: the file, the 1-based line of the assignment and its key, so that an error about the
 * value names the place it came from (and not the file or key that happened to use it).
 *
 * @param file the file, never null
 * @param line the 1-based line, or 0 when not known
 * @param key the key, or null
 */
public record Origin(Path file, int line, String key) {
    /** @throws NullPointerException for a null file */
    public Origin {
        Objects.requireNonNull(file, "file");
    }

    /** A {@link ConfigException} about the value assigned here. */
    public ConfigException error(String problem) {
        return new ConfigException(this, problem);
    }

    /** {@code FILE:LINE} (and {@code : KEY}), control characters escaped. */
    @Override
    public String toString() {
        return Escapes.escape(file + (line > 0 ? ":" + line : "") + (key != null ? ": " + key : ""));
    }
}
