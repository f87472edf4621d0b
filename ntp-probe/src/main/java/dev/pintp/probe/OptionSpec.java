package dev.pintp.probe;

import java.util.List;
import java.util.Objects;

/**
 * One command-line option of the probe: the single definition that the parser, the usage text, the man page and the
 * shell completion are all generated from.
 *
 * @param longName the long form including the dashes, for example {@code --timeout}
 * @param shortName the short form including the dash, for example {@code -w}; empty when there is none
 * @param paramLabel the label of the option's value, for example {@code DURATION}; empty for a flag
 * @param completion what the shell completes the value with: {@code ""} nothing, {@code "dir"} a directory, or
 *     {@code "host"} a host name
 * @param description one sentence for usage and man page
 */
record OptionSpec(String longName, String shortName, String paramLabel, String completion, String description) {

    OptionSpec {
        Objects.requireNonNull(longName, "longName");
        Objects.requireNonNull(shortName, "shortName");
        Objects.requireNonNull(paramLabel, "paramLabel");
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(description, "description");
    }

    /** True when the option takes a value. */
    boolean takesValue() {
        return !paramLabel.isEmpty();
    }

    /** The names to match, long first. */
    List<String> names() {
        return shortName.isEmpty() ? List.of(longName) : List.of(shortName, longName);
    }

    /** {@code -w, --warning DURATION} as the usage text shows it. */
    String synopsis() {
        StringBuilder s = new StringBuilder();
        if (!shortName.isEmpty()) {
            s.append(shortName).append(", ");
        }
        s.append(longName);
        if (takesValue()) {
            s.append(' ').append(paramLabel);
        }
        return s.toString();
    }
}
