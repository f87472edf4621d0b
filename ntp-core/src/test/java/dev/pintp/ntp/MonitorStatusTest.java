package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MonitorStatusTest {

    private static MonitorStatus status(Verdict verdict, SyncQuality quality) {
        SyncState.Observation o = verdict.isSynced() ? new SyncState.Observation(verdict, Optional.of("host"), quality)
                : SyncState.Observation.UNSYNCHRONIZED;
        return new MonitorStatus(SyncState.stableSince(o, Fixtures.T0), Optional.empty(), Optional.empty(),
                DriftHistory.empty(), 1);
    }

    @Test
    void onlyATimeVerifiedAgainstAPrimaryAllowsPowerSaving() {
        assertTrue(status(Verdict.PRIMARY_SYNCED, SyncQuality.HIGH).maySavePower());
        assertFalse(status(Verdict.FALLBACK_SYNCED, SyncQuality.HIGH).maySavePower());
        assertFalse(status(Verdict.UNSYNCHRONIZED, SyncQuality.NONE).maySavePower());
        assertFalse(MonitorStatus.unknown().maySavePower());
    }

    @Test
    void aFailedLastCheckNeverAllowsPowerSaving() {
        MonitorStatus synced = status(Verdict.PRIMARY_SYNCED, SyncQuality.HIGH);
        MonitorStatus failed = new MonitorStatus(synced.state(), Optional.empty(), Optional.of("deadline passed"),
                DriftHistory.empty(), 2);
        assertFalse(failed.maySavePower(), "even with a synced state");
    }

    @Test
    void unknownBeforeTheFirstCheck() {
        MonitorStatus s = MonitorStatus.unknown();
        assertEquals(Verdict.UNKNOWN, s.verdict());
        assertEquals(0, s.checks());
        assertEquals(Optional.empty(), s.lastCheck());
    }
}
