package dev.pintp.ntp.internal;

import dev.pintp.ntp.NtpSample;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The clock filter of a burst (after RFC 5905 section 10, reduced to one burst): the sample with the smallest
 * round-trip delay is the best, because its offset has the smallest error bound (half the delay). A slow first
 * exchange (a cold JVM loading classes between send and receive, an ARP lookup) has a large delay and is passed over.
 */
public final class ClockFilter {
    private ClockFilter() {
    }

    /** The sample with the smallest delay; the earliest of equals; empty for no samples. */
    public static Optional<NtpSample> best(List<NtpSample> samples) {
        NtpSample best = null;
        for (NtpSample s : samples) {
            if (best == null || s.delay().compareTo(best.delay()) < 0) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The jitter: root mean square of the other samples' offset differences from {@code best}'s (RFC 5905 section
     * 10's peer jitter, over n - 1 differences), rounded to the nanosecond; zero with fewer than two samples.
     */
    public static Duration jitter(List<NtpSample> samples, NtpSample best) {
        if (samples.size() < 2) {
            return Duration.ZERO;
        }
        double sum = 0;
        for (NtpSample s : samples) {
            if (s == best) {
                continue;
            }
            // Seconds as double: a difference of decades squared still fits.
            double diff = seconds(s.offset().minus(best.offset()));
            sum += diff * diff;
        }
        double rms = Math.sqrt(sum / (samples.size() - 1));
        return Duration.ofSeconds((long) Math.floor(rms), Math.round((rms - Math.floor(rms)) * 1e9));
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }
}
