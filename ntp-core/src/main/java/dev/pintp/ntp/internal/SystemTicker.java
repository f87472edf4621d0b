package dev.pintp.ntp.internal;

import dev.pintp.ntp.Ticker;
import java.util.function.LongSupplier;

/**
 * {@link System#nanoTime()} as a {@link Ticker} and a {@link LongSupplier}. A class rather than a method reference,
 * so that a one-shot check does not spin a lambda class at start-up. Stateless and thread-safe.
 */
public final class SystemTicker implements Ticker, LongSupplier {
    /** The shared instance. */
    public static final SystemTicker INSTANCE = new SystemTicker();

    private SystemTicker() {
    }

    @Override
    public long read() {
        return System.nanoTime();
    }

    @Override
    public long getAsLong() {
        return System.nanoTime();
    }
}
