package dev.pintp.ntp;

/**
 * A graduated quality of synchronization, from offset and root distance, for graduated power saving. The level is
 * what the systemd job writes as {@code NTP_SYNC_LEVEL}.
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
