package dev.pintp.ntp.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Era-safe conversions between raw NTP fields and nanoseconds.
 *
 * <p>A raw 64-bit timestamp is 32 bits of seconds and 32 bits of fraction; the seconds wrap every 2^32 s (136
 * years). Following RFC 4330 section 3, a timestamp whose top bit is set lies in 1968-01-20..2036-02-07 (era 0) and
 * one whose top bit is clear in 2036-02-07..2104-02-26 (era 1). Within that window every timestamp, as nanoseconds
 * since 1900-01-01T00:00:00Z, is below 6.45e18 and fits a {@code long} with room for differences of two of them.
 */
public final class NtpTimestamps {
    /** 1900-01-01T00:00:00Z, the NTP prime epoch. */
    public static final Instant NTP_EPOCH = Instant.ofEpochSecond(-2_208_988_800L);
    /** Nanoseconds from 1900-01-01 to the Unix epoch 1970-01-01. */
    public static final long UNIX_EPOCH_NANOS = 2_208_988_800L * 1_000_000_000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private NtpTimestamps() {
    }

    /**
     * Nanoseconds since 1900 of a raw NTP timestamp, in the RFC 4330 window 1968..2104; the fraction (units of
     * 2^-32 s, about 0.23 ns) is rounded to the nearest nanosecond, halves up.
     */
    public static long toNanos(long raw) {
        long seconds = raw >>> 32;
        if ((seconds & 0x8000_0000L) == 0) {
            seconds += 1L << 32;
        }
        long fraction = raw & 0xFFFF_FFFFL;
        // fraction * 1e9 < 2^32 * 1e9 < 2^62: no overflow.
        return seconds * NANOS_PER_SECOND + ((fraction * NANOS_PER_SECOND + (1L << 31)) >>> 32);
    }

    /** The instant {@code nanos} nanoseconds after 1900-01-01T00:00:00Z. */
    public static Instant toInstant(long nanos) {
        return NTP_EPOCH.plusNanos(nanos);
    }

    /** How long after 1900-01-01 {@code instant} is; exact, for any {@link Instant}. */
    public static Duration sinceNtpEpoch(Instant instant) {
        return Duration.between(NTP_EPOCH, instant);
    }

    /**
     * Nanoseconds of an NTP short-format field (root delay, root dispersion): unsigned 16.16 fixed point seconds,
     * rounded to the nearest nanosecond. At most 65536 s.
     */
    public static long shortToNanos(int raw) {
        long units = raw & 0xFFFF_FFFFL;
        return (units * NANOS_PER_SECOND + (1L << 15)) >>> 16;
    }

    /**
     * Nanoseconds of a precision or poll exponent (log2 seconds), rounded to the nearest nanosecond and capped at
     * 2^20 s: a sample never needs more, and a bogus exponent must not overflow.
     */
    public static long exponentToNanos(int exponent) {
        if (exponent >= 20) {
            return (1L << 20) * NANOS_PER_SECOND;
        }
        return Math.round(Math.scalb((double) NANOS_PER_SECOND, exponent));
    }
}
