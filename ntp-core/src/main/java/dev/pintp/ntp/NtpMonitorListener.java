package dev.pintp.ntp;

/**
 * Receives what an {@link NtpMonitor} sees. Every method has a no-op default; implement the ones you need.
 *
 * <p>Contract: methods are called on the monitor's own thread, one at a time, in the order checks complete; they
 * must return quickly (a slow listener delays the next check). A listener that throws anything (an exception or an
 * {@link Error}) is logged at WARN and the monitor carries on with the next listener and the next check.
 */
public interface NtpMonitorListener {

    /** After every check, with every source's outcome and sample: the raw result, before hysteresis. */
    default void onCheck(CheckResult result) {
    }

    /**
     * After a check that changed the stable verdict, server or quality level (see {@link SyncState}), and after the
     * first check (from {@link Verdict#UNKNOWN}).
     *
     * @param previous the status before the check
     * @param current the status after it
     */
    default void onVerdictChange(MonitorStatus previous, MonitorStatus current) {
    }

    /** When the offset to the primary or the estimated drift crosses its threshold, in either direction. */
    default void onDriftAlert(DriftAlert alert) {
    }
}
