package dev.pintp.ntp;

import java.time.Duration;
import java.util.Objects;

/**
 * The local clock's frequency error against the primary, from a least-squares line through the recent offsets.
 *
 * @param ppm frequency error in parts per million; positive when the local clock runs fast (the offset to the
 *     primary falls over time), negative when it runs slow
 * @param latestOffset the primary's most recent offset (positive: the primary is ahead of the local clock)
 * @param points how many offsets the line was fitted to, at least {@link DriftHistory#MIN_POINTS}
 * @param span time from the first to the last of those offsets
 */
public record DriftEstimate(double ppm, Duration latestOffset, int points, Duration span) {
    /** @throws IllegalArgumentException when {@code ppm} is not finite */
    public DriftEstimate {
        Objects.requireNonNull(latestOffset, "latestOffset");
        Objects.requireNonNull(span, "span");
        if (!Double.isFinite(ppm)) {
            throw new IllegalArgumentException("ppm must be finite, was " + ppm);
        }
    }
}
