package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** Reading systemd's timespans, as {@code systemctl show -p NextElapseUSecMonotonic} prints them. */
class TimerRunsTest {
    @Test
    void readsSystemdTimespansInMicroseconds() {
        assertEquals(515_734_423L, TimerRuns.timespanUs("8min 35.734423s"));
        assertEquals(3_723_000_000L, TimerRuns.timespanUs("1h 2min 3s"));
        assertEquals(90_061_500_000L, TimerRuns.timespanUs("1d 1h 1min 1.5s"));
        assertEquals(1_500L, TimerRuns.timespanUs("1ms 500us"));
    }

    @Test
    void noElapsePlannedIsNever() {
        assertEquals(Long.MAX_VALUE, TimerRuns.timespanUs("infinity"));
        assertEquals(Long.MAX_VALUE, TimerRuns.timespanUs("0"));
        assertEquals(Long.MAX_VALUE, TimerRuns.timespanUs(""));
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThrows(AssertionFailedError.class, () -> TimerRuns.timespanUs("8 minutes"));
        assertThrows(AssertionFailedError.class, () -> TimerRuns.timespanUs("5s ago"));
    }
}
