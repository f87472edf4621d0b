package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When the fail-safe after a run ends power saving, from the variables systemd gives an {@code OnFailure=} unit
 * ({@code MONITOR_*}) or {@code ExecStopPost=}.
 */
class FailSafeTest {
    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(nullValues = "null", value = {
        // a run that finished: it decided, or failed closed itself
        "success,   exited, 0,    ",
        "exit-code, exited, 1,    ",
        "exit-code, exited, 2,    ",
        // a run that could not clean up
        "signal,    killed, KILL, 'the run did not finish (systemd: result signal, killed KILL)'",
        "oom-kill,  killed, KILL, 'the run did not finish (systemd: result oom-kill, killed KILL)'",
        "timeout,   killed, TERM, 'the run did not finish (systemd: result timeout, killed TERM)'",
        "core-dump, dumped, ABRT, 'the run did not finish (systemd: result core-dump, dumped ABRT)'",
        "exit-code, exited, 3,    'the run did not finish (systemd: result exit-code, exited 3)'",
        "exit-code, exited, 4,    'the run did not finish (systemd: result exit-code, exited 4)'",
        "exit-code, exited, 203,  'the run did not finish (systemd: result exit-code, exited 203)'",
        "exit-code, killed, 1,    'the run did not finish (systemd: result exit-code, killed 1)'",
        "signal,    null,   null, 'the run did not finish (systemd: result signal, - -)'",
        "'a b',     'x;y',  'it''s', 'the run did not finish (systemd: result ''a b'', ''x;y'' ''it\\''s'')'",
    })
    void afterRun(String result, String code, String status, String expected) {
        for (String prefix : new String[] {"MONITOR_", ""}) {
            Map<String, String> env = new HashMap<>();
            env.put(prefix + "SERVICE_RESULT", result);
            if (code != null) {
                env.put(prefix + "EXIT_CODE", code);
            }
            if (status != null) {
                env.put(prefix + "EXIT_STATUS", status);
            }
            assertEquals(Optional.ofNullable(expected), FailSafe.afterRun(env), prefix);
        }
    }

    @org.junit.jupiter.api.Test
    void theFailedRunsVariablesWinOverTheFailSafesOwn() {
        // an OnFailure= unit that were also given its own SERVICE_RESULT: the failed run's result counts
        assertEquals(Optional.of("the run did not finish (systemd: result timeout, killed TERM)"),
                FailSafe.afterRun(Map.of("MONITOR_SERVICE_RESULT", "timeout", "MONITOR_EXIT_CODE", "killed",
                        "MONITOR_EXIT_STATUS", "TERM", "SERVICE_RESULT", "success")));
    }

    @org.junit.jupiter.api.Test
    void runByHandWithoutAResultEndsPowerSavingAsAsked() {
        assertEquals(Optional.of("fail-safe run without MONITOR_SERVICE_RESULT (not by ntp-monitor.service's"
                + " OnFailure=): power saving ends as asked"), FailSafe.afterRun(Map.of()));
    }

    @org.junit.jupiter.api.Test
    void aControlCharacterInAValueIsEscapedForTheLogLine() {
        assertEquals(Optional.of("the run did not finish (systemd: result 'sig\\x0anal', - -)"),
                FailSafe.afterRun(Map.of("SERVICE_RESULT", "sig\nnal")));
    }
}
