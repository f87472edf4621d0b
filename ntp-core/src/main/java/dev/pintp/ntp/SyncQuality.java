package dev.pintp.ntp;

import dev.pintp.ntp.internal.Durations;

/**
 * A graduated quality of synchronization, from offset and root distance, for graduated power saving. The level is
 * what the systemd job writes as {@code NTP_SYNC_LEVEL}. The thresholds scale with the configured limits
 * ({@link #of(NtpSample, NtpConfig)}); with the defaults (maximum offset 128 ms, maximum root distance 5 s): HIGH
 * within 16 ms and 100 ms, MEDIUM within 64 ms and 1 s, LOW up to the limits.
 */
public enum SyncQuality {
    /** Not synchronized: no power saving. */
    NONE(0),
    /** Synchronized within the limits, but with a large offset or root distance. */
    LOW(1),
    /** Synchronized with a moderate offset and root distance. */
    MEDIUM(2),
    /** Synchronized tightly. */
    HIGH(3);

    private final int level;

    SyncQuality(int level) {
        this.level = level;
    }

    /** 0 to 3, higher is better. */
    public int level() {
        return level;
    }

    /**
     * The quality of a sample that passed every check: {@link #HIGH} when its absolute offset is at most 1/8 of
     * {@link NtpConfig#maxOffset()} and its root distance at most 1/50 of {@link NtpConfig#maxRootDistance()};
     * {@link #MEDIUM} within 1/2 and 1/5 of them; {@link #LOW} otherwise, and also when the sample is outside the
     * limits (whether it is used at all is the check's decision, not this method's).
     */
    public static SyncQuality of(NtpSample sample, NtpConfig config) {
        long offset = Math.abs(Durations.saturatedNanos(sample.offset()));
        long distance = Durations.saturatedNanos(sample.rootDistance());
        long maxOffset = config.maxOffset().toNanos();
        long maxDistance = config.maxRootDistance().toNanos();
        if (offset <= maxOffset / 8 && distance <= maxDistance / 50) {
            return HIGH;
        }
        if (offset <= maxOffset / 2 && distance <= maxDistance / 5) {
            return MEDIUM;
        }
        return LOW;
    }

    /** The quality for {@code level}, 0 to 3. */
    public static SyncQuality ofLevel(int level) {
        for (SyncQuality q : values()) {
            if (q.level == level) {
                return q;
            }
        }
        throw new IllegalArgumentException("sync level must be 0 to 3, was " + level);
    }
}
