package dev.pintp.ntp.internal;

import java.time.Duration;

/**
 * Conversions of {@link Duration}s that cannot overflow. An offset is as large as the local clock is wrong: a clock
 * set centuries off (a corrupt RTC, a mistyped date) gives offsets beyond the 292 years that a {@code long} of
 * nanoseconds holds, and {@link Duration#toNanos()} would throw.
 */
public final class Durations {
    /** The largest magnitude {@link #saturatedNanos(Duration)} returns: about 146 years, so two of them still add. */
    public static final long MAX_NANOS = Long.MAX_VALUE / 2;

    private Durations() {
    }

    /** Nanoseconds of {@code d}, clamped to &plusmn;{@link #MAX_NANOS}. */
    public static long saturatedNanos(Duration d) {
        if (d.compareTo(Duration.ofNanos(MAX_NANOS)) > 0) {
            return MAX_NANOS;
        }
        if (d.compareTo(Duration.ofNanos(-MAX_NANOS)) < 0) {
            return -MAX_NANOS;
        }
        return d.toNanos();
    }

    /** Seconds of {@code d} as a double (nanosecond resolution up to about 100 days, finite for any duration). */
    public static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }
}
