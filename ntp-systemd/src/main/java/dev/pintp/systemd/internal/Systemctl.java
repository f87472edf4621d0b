package dev.pintp.systemd.internal;

import java.util.List;
import java.util.Map;

/**
 * The side effect of talking to the service manager. The real one runs {@code systemctl}; tests use
 * {@link RecordingSystemctl}. Implementations are thread-safe.
 */
public interface Systemctl {

    /** {@code systemctl daemon-reload}. */
    void daemonReload() throws SystemctlException;

    /** {@code systemctl try-restart UNIT}: restarts the unit if it is running, does nothing otherwise. */
    void tryRestart(String unit) throws SystemctlException;

    /** {@code systemctl start UNIT}. */
    void start(String unit) throws SystemctlException;

    /** {@code systemctl stop UNIT}. */
    void stop(String unit) throws SystemctlException;

    /**
     * {@code systemctl show UNIT -p P1,P2...}: the named properties as a map (a property the manager does not report
     * is absent from the map).
     */
    Map<String, String> show(String unit, List<String> properties) throws SystemctlException;

    /**
     * True when the service manager knows a unit file for {@code unit}: {@code LoadState} is neither
     * {@code not-found} nor {@code masked}.
     */
    default boolean isInstalled(String unit) throws SystemctlException {
        String state = show(unit, List.of("LoadState")).getOrDefault("LoadState", "");
        return !state.isEmpty() && !state.equals("not-found") && !state.equals("masked");
    }
}
