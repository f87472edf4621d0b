package dev.pintp.ntp;

import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link NtpMonitor} knows now. Immutable.
 *
 * @param verdict the stable verdict after hysteresis; {@link Verdict#UNKNOWN} before the first check
 * @param server the stable server's configured host; present iff the verdict is synced
 * @param quality the stable quality; {@link SyncQuality#NONE} unless synced
 * @param state the hysteresis state, {@link SyncState#initial()} before the first check
 * @param lastCheck the most recent check, raw (before hysteresis); empty before the first check
 * @param drift the drift history after the most recent check
 * @param checks how many checks have completed
 */
public record MonitorStatus(Verdict verdict, Optional<String> server, SyncQuality quality, SyncState state,
        Optional<CheckResult> lastCheck, DriftHistory drift, long checks) {

    /** @throws NullPointerException for a null component */
    public MonitorStatus {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastCheck, "lastCheck");
        Objects.requireNonNull(drift, "drift");
    }

    /** The status of a monitor that has not completed a check. */
    public static MonitorStatus unknown() {
        return new MonitorStatus(Verdict.UNKNOWN, Optional.empty(), SyncQuality.NONE, SyncState.initial(),
                Optional.empty(), DriftHistory.empty(), 0);
    }

    /**
     * True when the stable verdict is {@link Verdict#PRIMARY_SYNCED}: the time is verified against a primary (the Pi
     * Zero) and the controller may save power. A fallback-only sync is synced ({@link Verdict#isSynced()}) but does
     * not allow power saving, as the systemd job's default {@code ConservePowerOnFallback=no}.
     */
    public boolean maySavePower() {
        return verdict == Verdict.PRIMARY_SYNCED;
    }
}
