package dev.pintp.ntp;

/** Whether the local clock can be trusted, and against which kind of source. */
public enum Verdict {
    /** No check has completed yet. Only a monitor reports this. */
    UNKNOWN,
    /** A primary (LAN) server answered validly, within the root-distance and offset limits, and was not outvoted. */
    PRIMARY_SYNCED,
    /** No primary qualified, but a fallback server did. */
    FALLBACK_SYNCED,
    /** No source qualified. */
    UNSYNCHRONIZED;

    /** True for {@link #PRIMARY_SYNCED} and {@link #FALLBACK_SYNCED}. */
    public boolean isSynced() {
        return this == PRIMARY_SYNCED || this == FALLBACK_SYNCED;
    }
}
