package dev.pintp.sysconf;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses time spans in systemd's syntax (systemd.time(7)): a sequence of numbers, each with an optional unit, such as
 * {@code 5}, {@code 5s}, {@code 500ms}, {@code 1.5s}, {@code 1min 30s}, {@code 2h}, {@code 1d}. A number without a
 * unit is in seconds. Results are rounded down to whole nanoseconds.
 */
public final class TimeSpans {
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    private static final Pattern PART = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*([a-zA-Zµ]*)\\s*");
    private static final Map<String, BigDecimal> UNITS = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("ns", new BigDecimal("1e-9")), Map.entry("nsec", new BigDecimal("1e-9")),
            Map.entry("us", new BigDecimal("1e-6")), Map.entry("usec", new BigDecimal("1e-6")),
            Map.entry("µs", new BigDecimal("1e-6")),
            Map.entry("ms", new BigDecimal("1e-3")), Map.entry("msec", new BigDecimal("1e-3")),
            Map.entry("s", BigDecimal.ONE), Map.entry("sec", BigDecimal.ONE), Map.entry("second", BigDecimal.ONE),
            Map.entry("seconds", BigDecimal.ONE),
            Map.entry("m", BigDecimal.valueOf(60)), Map.entry("min", BigDecimal.valueOf(60)),
            Map.entry("minute", BigDecimal.valueOf(60)), Map.entry("minutes", BigDecimal.valueOf(60)),
            Map.entry("h", BigDecimal.valueOf(3600)), Map.entry("hr", BigDecimal.valueOf(3600)),
            Map.entry("hour", BigDecimal.valueOf(3600)), Map.entry("hours", BigDecimal.valueOf(3600)),
            Map.entry("d", BigDecimal.valueOf(86400)), Map.entry("day", BigDecimal.valueOf(86400)),
            Map.entry("days", BigDecimal.valueOf(86400)),
            Map.entry("w", BigDecimal.valueOf(604800)), Map.entry("week", BigDecimal.valueOf(604800)),
            Map.entry("weeks", BigDecimal.valueOf(604800)));

    private TimeSpans() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message naming the text when it is not a time span, is negative, or is
     *     too large for a {@link Duration}
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty time span");
        }
        Matcher m = PART.matcher(s);
        BigDecimal seconds = BigDecimal.ZERO;
        int pos = 0;
        while (pos < s.length()) {
            if (!m.find(pos) || m.start() != pos || m.end() == pos) {
                throw new IllegalArgumentException("invalid time span '" + text + "' (examples: 5s, 500ms, 1min 30s)");
            }
            BigDecimal unit = UNITS.get(m.group(2));
            if (unit == null) {
                throw new IllegalArgumentException("unknown time unit '" + m.group(2) + "' in '" + text
                        + "' (use ms, s, min, h, d)");
            }
            seconds = seconds.add(new BigDecimal(m.group(1)).multiply(unit));
            pos = m.end();
        }
        BigDecimal nanos = seconds.multiply(NANOS_PER_SECOND).setScale(0, java.math.RoundingMode.DOWN);
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("time span '" + text + "' is too large");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }
}
