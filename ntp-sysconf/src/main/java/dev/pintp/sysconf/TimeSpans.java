package dev.pintp.sysconf;

import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time spans in systemd's syntax (systemd.time(7)), read exactly as systemd's {@code parse_sec()} reads them, and
 * written back in systemd's units. A span is one or more numbers, each with an optional unit ({@code 5}, {@code 5s},
 * {@code 500ms}, {@code 1.5s}, {@code 1min 30s}, {@code 1h30s}, {@code 2h}, {@code 1d}, {@code 1w}, {@code 1M},
 * {@code 1y}), the parts added; a number without a unit is in seconds; white space may stand between the parts and
 * between a number and its unit; a number may start with {@code +} but never {@code -}. {@code infinity} alone is
 * {@link #INFINITY}. Resolution is one microsecond, as in systemd: further digits are dropped. Values of 2^64 µs or more
 * are refused, as systemd refuses them.
 */
public final class TimeSpans {
    /** systemd's {@code infinity}: a Duration that no finite span reaches. */
    public static final Duration INFINITY = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);

    // systemd's WHITESPACE; Java's notion of white space is wider (it would accept a form feed or U+3000)
    private static final String WHITESPACE = " \t\n\r";
    private static final BigInteger USEC_INFINITY = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final long USEC_PER_SEC = 1_000_000L;
    private static final long USEC_PER_MINUTE = 60 * USEC_PER_SEC;
    private static final long USEC_PER_HOUR = 60 * USEC_PER_MINUTE;
    private static final long USEC_PER_DAY = 24 * USEC_PER_HOUR;
    private static final long USEC_PER_WEEK = 7 * USEC_PER_DAY;
    private static final long USEC_PER_MONTH = 2_629_800L * USEC_PER_SEC; // 30.44 days, as systemd
    private static final long USEC_PER_YEAR = 31_557_600L * USEC_PER_SEC; // 365.25 days, as systemd
    // systemd's table, in systemd's order: the first suffix that the text starts with wins ("ms" before "m")
    private static final String[] SUFFIXES = {"seconds", "second", "sec", "s", "minutes", "minute", "min", "months",
        "month", "M", "msec", "ms", "m", "hours", "hour", "hr", "h", "days", "day", "d", "weeks", "week", "w", "years",
        "year", "y", "usec", "us", "\u03bcs", "\u00b5s"};
    private static final long[] MULTIPLIERS = {USEC_PER_SEC, USEC_PER_SEC, USEC_PER_SEC, USEC_PER_SEC, USEC_PER_MINUTE,
        USEC_PER_MINUTE, USEC_PER_MINUTE, USEC_PER_MONTH, USEC_PER_MONTH, USEC_PER_MONTH, 1000, 1000, USEC_PER_MINUTE,
        USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_HOUR, USEC_PER_DAY, USEC_PER_DAY, USEC_PER_DAY,
        USEC_PER_WEEK, USEC_PER_WEEK, USEC_PER_WEEK, USEC_PER_YEAR, USEC_PER_YEAR, USEC_PER_YEAR, 1, 1, 1, 1};
    private static final String EXAMPLES = " (examples: 5s, 500ms, 1min 30s, infinity)";

    private TimeSpans() {
    }

    /**
     * Parses {@code text} as systemd's {@code parse_sec()} does.
     *
     * @return the span, or {@link #INFINITY} for {@code infinity}
     * @throws IllegalArgumentException naming the text (control characters escaped) when it is not a time span, is
     *     negative, or is 2^64 µs or more
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        int n = text.length();
        int p = skipWhitespace(text, 0);
        if (text.startsWith("infinity", p)) {
            if (skipWhitespace(text, p + 8) != n) {
                throw invalid(text);
            }
            return INFINITY;
        }
        BigInteger usec = BigInteger.ZERO;
        boolean something = false;
        while (true) {
            p = skipWhitespace(text, p);
            if (p == n) {
                if (!something) {
                    throw new IllegalArgumentException("empty time span" + EXAMPLES);
                }
                break;
            }
            if (text.charAt(p) == '-') {
                throw new IllegalArgumentException("negative time span '" + Escapes.escape(text) + "'");
            }
            // strtoll: an optional '+', then decimal digits
            int digits = p < n && text.charAt(p) == '+' ? p + 1 : p;
            int e = digits;
            while (e < n && isDigit(text.charAt(e))) {
                e++;
            }
            BigInteger whole;
            if (e == digits) {
                whole = BigInteger.ZERO;
                e = p; // strtoll consumed nothing
            } else {
                whole = new BigInteger(text.substring(digits, e));
                if (whole.bitLength() > 63) {
                    throw tooLarge(text);
                }
            }
            boolean fraction = e < n && text.charAt(e) == '.';
            int afterNumber;
            if (fraction) {
                afterNumber = e + 1;
                while (afterNumber < n && isDigit(text.charAt(afterNumber))) {
                    afterNumber++;
                }
            } else if (e == p) {
                throw invalid(text);
            } else {
                afterNumber = e;
            }
            int unitStart = skipWhitespace(text, afterNumber);
            long multiplier = USEC_PER_SEC;
            int s = unitStart;
            for (int i = 0; i < SUFFIXES.length; i++) {
                if (text.startsWith(SUFFIXES[i], unitStart)) {
                    multiplier = MULTIPLIERS[i];
                    s = unitStart + SUFFIXES[i].length();
                    break;
                }
            }
            if (s == afterNumber && s != n) {
                throw invalid(text); // "12.34.56" or "5x"; "12.34 .56" and "12.34s.56" are fine
            }
            p = s;
            usec = usec.add(whole.multiply(BigInteger.valueOf(multiplier)));
            if (fraction) {
                long m = multiplier / 10;
                int b = e + 1;
                for (; b < n && isDigit(text.charAt(b)); b++, m /= 10) {
                    usec = usec.add(BigInteger.valueOf((text.charAt(b) - '0') * m));
                }
                if (b == e + 1) {
                    throw invalid(text); // "3.", "3.s", "3. 1"
                }
            }
            if (usec.compareTo(USEC_INFINITY) >= 0) {
                throw tooLarge(text);
            }
            something = true;
        }
        BigInteger[] secondsAndMicros = usec.divideAndRemainder(BigInteger.valueOf(USEC_PER_SEC));
        return Duration.ofSeconds(secondsAndMicros[0].longValueExact(), secondsAndMicros[1].longValueExact() * 1000);
    }

    /**
     * {@link #parse(String)} for a value assigned at {@code at}: the error names its file, line and key.
     *
     * @throws ConfigException when {@code text} is not a time span
     */
    public static Duration parse(Origin at, String text) throws ConfigException {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw at.error(e.getMessage());
        }
    }

    /**
     * {@code d} in systemd's units, as {@code systemctl show} writes a span: {@code 5min}, {@code 1h 30s},
     * {@code 500ms}, {@code 1s 500ms}, {@code 0}, {@code infinity}. Below a microsecond in nanoseconds
     * ({@code 250ns}), which systemd never shows but a Duration can hold.
     */
    public static String format(Duration d) {
        Objects.requireNonNull(d, "d");
        if (d.equals(INFINITY)) {
            return "infinity";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.isZero()) {
            return "0";
        }
        StringBuilder sb = new StringBuilder();
        long seconds = d.getSeconds();
        long[] sizes = {USEC_PER_YEAR / USEC_PER_SEC, USEC_PER_MONTH / USEC_PER_SEC, 7 * 86400, 86400, 3600, 60, 1};
        String[] names = {"y", "month", "w", "d", "h", "min", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (seconds >= sizes[i]) {
                append(sb, seconds / sizes[i], names[i]);
                seconds %= sizes[i];
            }
        }
        int nanos = d.getNano();
        append(sb, nanos / 1_000_000, "ms");
        append(sb, nanos / 1000 % 1000, "us");
        append(sb, nanos % 1000, "ns");
        return sb.toString();
    }

    /**
     * {@code message} with every ISO-8601 duration in it ({@code PT1M}, as {@link Duration#toString()} writes them in
     * the library's messages) written in systemd's units ({@code 1min}), so that an error reads in the units of the
     * file it is about.
     */
    public static String readable(String message) {
        return readable(message, TimeSpans::format);
    }

    /**
     * {@code message} with every ISO-8601 duration in it written by {@code format} (the probe writes seconds); a text
     * that only looks like one ({@code PTX}) is kept. The empty string for a null message.
     */
    public static String readable(String message, Function<Duration, String> format) {
        if (message == null) {
            return "";
        }
        // compiled here, on the error path only: a run without errors never pays for it at start-up
        Matcher m = Pattern.compile("-?PT[-0-9HMS.]+").matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String text;
            try {
                text = format.apply(Duration.parse(m.group()));
            } catch (DateTimeParseException e) {
                text = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        return m.appendTail(out).toString();
    }

    private static void append(StringBuilder sb, long value, String unit) {
        if (value == 0) {
            return;
        }
        if (sb.length() > 0) {
            sb.append(' ');
        }
        sb.append(value).append(unit);
    }

    private static int skipWhitespace(String s, int from) {
        int i = from;
        while (i < s.length() && WHITESPACE.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid time span '" + Escapes.escape(text) + "'" + EXAMPLES);
    }

    private static IllegalArgumentException tooLarge(String text) {
        return new IllegalArgumentException("time span '" + Escapes.escape(text) + "' is too large");
    }
}
