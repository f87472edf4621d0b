package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

/**
 * A measured offset checked against the offset a test server was given, within the error bound of the measurement:
 * the true offset lies within half the round-trip delay of the measured one (RFC 5905 section 8, theta is within
 * delta/2 of theta0, however the delay splits between the two directions). On a loaded machine a descheduled thread
 * slows one direction, so a fixed 1 ms fails by chance (-3.001134 s against -3 s was seen); this bound holds on any
 * machine and still catches a wrong sign, unit, era or formula.
 */
final class Offsets {
    /** Four timestamps of microsecond resolution and the 2^-32 s NTP fraction: far below any loopback delay. */
    static final Duration SLACK = Duration.ofNanos(10_000);

    private Offsets() {
    }

    /** Asserts that {@code sample}'s offset is {@code expected} within half its delay plus {@link #SLACK}. */
    static void assertOffset(Duration expected, NtpSample sample) {
        assertFalse(sample.delay().isNegative(), sample::toString);
        Duration bound = sample.delay().dividedBy(2).plus(SLACK);
        Duration error = sample.offset().minus(expected).abs();
        assertTrue(error.compareTo(bound) <= 0, () -> "offset " + sample.offset() + ", expected " + expected
                + " within half the delay " + sample.delay() + ": " + sample);
    }
}
