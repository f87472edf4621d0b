package dev.pintp.ntp;

/**
 * A monotonic source of elapsed time in nanoseconds, for deadlines and durations; wall time comes from a
 * {@link java.time.Clock}. Injectable so tests can advance time by hand. Must be thread-safe.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences between two reads are meaningful. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return dev.pintp.ntp.internal.SystemTicker.INSTANCE;
    }
}
