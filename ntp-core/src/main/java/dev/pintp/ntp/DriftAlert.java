package dev.pintp.ntp;

import java.time.Instant;
import java.util.Objects;

/**
 * The primary's offset or the local clock's estimated drift crossed its threshold ({@link
 * NtpConfig#driftAlertOffset()}, {@link NtpConfig#driftAlertPpm()}), upwards ({@code raised}) or back down.
 *
 * @param kind which quantity crossed
 * @param raised true when the quantity rose above the threshold, false when it fell back to or below it
 * @param value the absolute value now: seconds for {@link Kind#OFFSET}, ppm for {@link Kind#FREQUENCY}
 * @param threshold the threshold in the same unit
 * @param server the primary's configured host the offset was measured against
 * @param at wall-clock time of the check that saw the crossing
 */
public record DriftAlert(Kind kind, boolean raised, double value, double threshold, String server, Instant at) {
    /** The quantity that crossed its threshold. */
    public enum Kind {
        /** The absolute offset to the primary. */
        OFFSET,
        /** The absolute estimated frequency error of the local clock. */
        FREQUENCY
    }

    /** @throws NullPointerException for a null kind, server or instant */
    public DriftAlert {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(at, "at");
    }
}
