package dev.pintp.probe;

import java.time.Duration;

/**
 * Parses durations as written on the command line, in systemd's time-span syntax: a bare number is seconds
 * ({@code 1.5}), or numbers with units ({@code 500ms}, {@code 1s}, {@code 2min 30s}); units us, ms, s, m/min, h, d.
 */
final class Durations {
    private Durations() {
    }

    /**
     * The duration {@code text} denotes, exact to the nanosecond.
     *
     * @throws IllegalArgumentException with a message for the user when {@code text} is not a duration
     */
    static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        long total = 0;
        int i = 0;
        boolean any = false;
        while (i < s.length()) {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            if (i == s.length()) {
                break;
            }
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            String whole = s.substring(start, i);
            String fraction = "";
            if (i < s.length() && s.charAt(i) == '.') {
                int f = ++i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) {
                    i++;
                }
                fraction = s.substring(f, i);
            }
            if (whole.isEmpty() && fraction.isEmpty()) {
                throw invalid(text);
            }
            int u = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            String unit = s.substring(u, i);
            long unitNanos = unitNanos(unit, text);
            if (unit.isEmpty() && (any || i < s.length())) {
                throw invalid(text); // a bare number stands alone
            }
            total = Math.addExact(total, scaled(whole, fraction, unitNanos, text));
            any = true;
        }
        return Duration.ofNanos(total);
    }

    private static long scaled(String whole, String fraction, long unitNanos, String text) {
        try {
            long w = whole.isEmpty() ? 0 : Long.parseLong(whole);
            long nanos = Math.multiplyExact(w, unitNanos);
            long scale = unitNanos;
            for (int k = 0; k < fraction.length() && scale > 1; k++) {
                scale /= 10;
                nanos = Math.addExact(nanos, (fraction.charAt(k) - '0') * scale);
            }
            return nanos;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("duration too large: '" + text + "'");
        }
    }

    private static long unitNanos(String unit, String text) {
        switch (unit) {
            case "ns":
            case "nsec":
                return 1L;
            case "us":
            case "usec":
                return 1_000L;
            case "ms":
            case "msec":
                return 1_000_000L;
            case "":
            case "s":
            case "sec":
            case "second":
            case "seconds":
                return 1_000_000_000L;
            case "m":
            case "min":
            case "minute":
            case "minutes":
                return 60_000_000_000L;
            case "h":
            case "hr":
            case "hour":
            case "hours":
                return 3_600_000_000_000L;
            case "d":
            case "day":
            case "days":
                return 86_400_000_000_000L;
            default:
                throw new IllegalArgumentException("unknown time unit '" + unit + "' in '" + text
                        + "' (use us, ms, s, min, h or d)");
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not a duration: '" + text + "' (examples: 1s, 500ms, 1.5, 2min)");
    }
}
