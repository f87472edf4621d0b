package dev.pintp.probe;

import java.time.Duration;

/** Durations as decimal seconds, computed exactly from the seconds and nanoseconds (no floating point). */
final class Seconds {
    private Seconds() {
    }

    /** Shortest exact form, for JSON: {@code 0.000123}, {@code -2.5}, {@code 0}, up to nine decimals. */
    static String exact(Duration d) {
        boolean negative = d.isNegative();
        Duration a = d.abs();
        StringBuilder s = new StringBuilder();
        if (negative) {
            s.append('-');
        }
        s.append(a.getSeconds());
        int nanos = a.getNano();
        if (nanos != 0) {
            String f = Integer.toString(nanos + 1_000_000_000).substring(1);
            int end = f.length();
            while (f.charAt(end - 1) == '0') {
                end--;
            }
            s.append('.').append(f, 0, end);
        }
        return s.toString();
    }

    /** Rounded to {@code decimals} places (0 to 9), half up; with a leading {@code +} for non-negative when asked. */
    static String fixed(Duration d, int decimals, boolean signed) {
        boolean negative = d.isNegative();
        Duration a = d.abs();
        long seconds = a.getSeconds();
        long unit = 1;
        for (int i = decimals; i < 9; i++) {
            unit *= 10;
        }
        long fraction = (a.getNano() + unit / 2) / unit;
        long limit = 1_000_000_000L / unit;
        if (fraction >= limit) {
            seconds++;
            fraction -= limit;
        }
        if (seconds == 0 && fraction == 0) {
            negative = false;
        }
        StringBuilder s = new StringBuilder();
        if (negative) {
            s.append('-');
        } else if (signed) {
            s.append('+');
        }
        s.append(seconds);
        if (decimals > 0) {
            String f = Long.toString(fraction + limit).substring(1);
            s.append('.').append(f);
        }
        return s.toString();
    }
}
