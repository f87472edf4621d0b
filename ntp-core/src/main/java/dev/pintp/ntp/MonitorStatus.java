package dev.pintp.ntp;

import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link NtpMonitor} knows now. Immutable. The stable verdict, server and quality are derived from
 * {@link #state()}.
 *
 * @param state the stable state after flap damping, {@link SyncState#initial()} (or the state the monitor was built
 *     with) before the first check
 * @param lastCheck the most recent check, raw (before damping); empty before the first check and whenever the most
 *     recent check could not be made: a failed check is never reported as the last good one
 * @param failure why the most recent check could not be made (it threw, or it ended after its deadline); empty when
 *     it was made
 * @param drift the drift history after the most recent check
 * @param checks how many checks have been attempted, failed ones included
 */
public record MonitorStatus(SyncState state, Optional<CheckResult> lastCheck, Optional<String> failure,
        DriftHistory drift, long checks) {

    /**
     * @throws NullPointerException for a null component
     * @throws IllegalArgumentException when both a last check and a failure are given, or a negative count
     */
    public MonitorStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lastCheck, "lastCheck");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(drift, "drift");
        if (lastCheck.isPresent() && failure.isPresent()) {
            throw new IllegalArgumentException("the most recent check either was made or failed, not both");
        }
        if (checks < 0) {
            throw new IllegalArgumentException("checks must not be negative, was " + checks);
        }
    }

    /** The status of a monitor that has not attempted a check. */
    public static MonitorStatus unknown() {
        return unknown(SyncState.initial());
    }

    /** The status of a monitor that starts from {@code state} and has not attempted a check. */
    public static MonitorStatus unknown(SyncState state) {
        return new MonitorStatus(state, Optional.empty(), Optional.empty(), DriftHistory.empty(), 0);
    }

    /** The stable verdict after damping; {@link Verdict#UNKNOWN} before the first check. */
    public Verdict verdict() {
        return checks == 0 ? Verdict.UNKNOWN : state.verdict();
    }

    /** The stable server's configured host; present iff {@link #verdict()} is synced. */
    public Optional<String> server() {
        return checks == 0 ? Optional.empty() : state.server();
    }

    /** The stable quality; {@link SyncQuality#NONE} unless {@link #verdict()} is synced. */
    public SyncQuality quality() {
        return checks == 0 ? SyncQuality.NONE : state.quality();
    }

    /**
     * True when the stable verdict is {@link Verdict#PRIMARY_SYNCED} and the most recent check was made: the time is
     * verified against a primary (the Pi Zero) and the controller may save power. False before the first check and
     * whenever the most recent check could not be made ({@link #failure()}). A fallback-only sync is synced
     * ({@link Verdict#isSynced()}) but does not allow power saving, as the systemd job's default
     * {@code ConservePowerOnFallback=no}.
     */
    public boolean maySavePower() {
        return failure.isEmpty() && verdict() == Verdict.PRIMARY_SYNCED;
    }

    /** This status as seen while its next check is overdue: failed for {@code why}, the state lost at once. */
    MonitorStatus overdue(String why, SyncState lost) {
        return new MonitorStatus(lost, Optional.empty(), Optional.of(why), drift, Math.max(1, checks));
    }
}
