package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.internal.StateText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An upgrade keeps the state: the files written before the {@link StateText} format (bytes as the previous release's
 * encoders wrote them, printed by that release on 2026-12-03) are read as what they held and written back in the new
 * format; the new format names the line of what is wrong.
 */
class StateUpgradeTest {
    private static final Instant T = Instant.parse("2026-11-25T06:00:00Z");
    private static final SyncState.Observation PRIMARY_MEDIUM =
            new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.2"), SyncQuality.MEDIUM);

    @Test
    void aSyncStateOfTheFormatBeforeIsReadAndWrittenBackVersioned() {
        String before = "pintp-sync 2\nverdict=PRIMARY_SYNCED\nserver=192.168.4.2\nquality=MEDIUM\n"
                + "since=2026-11-25T06:00:00Z\npenalty=1234.5\npenalty.at=2026-11-25T06:01:00Z\nsuppressed=true\n";
        SyncState s = SyncState.decode(before);
        assertEquals(new SyncState(PRIMARY_MEDIUM, Optional.of(T), 1234.5, Optional.of(T.plusSeconds(60)), true,
                false), s);
        assertEquals("pintp-state sync 1\nverdict=PRIMARY_SYNCED\nserver=192.168.4.2\nquality=MEDIUM\n"
                + "since=2026-11-25T06:00:00Z\npenalty=1234.5\npenalty.at=2026-11-25T06:01:00Z\nsuppressed=true\n",
                s.encode());
        String initial = "pintp-sync 2\nverdict=UNSYNCHRONIZED\nserver=-\nquality=NONE\nsince=-\npenalty=0.0\n"
                + "penalty.at=-\nsuppressed=false\n";
        assertEquals(SyncState.initial(), SyncState.decode(initial));
    }

    @Test
    void aBackoffStateOfTheFormatBeforeIsReadAndWrittenBackVersioned() {
        String before = "pintp-backoff 1\n198.51.100.1:123 rate=2026-11-25T06:00:00Z kisses=2 deny=- failures=0 open=-\n"
                + "[2001:db8::1]:123 rate=- kisses=0 deny=2026-11-25T06:00:00Z failures=1 open=2026-11-25T06:00:05Z\n";
        BackoffState s = BackoffState.decode(before);
        assertEquals(BackoffState.of(List.of(
                new BackoffState.Entry("198.51.100.1:123", Optional.of(T), 2, Optional.empty(), 0, Optional.empty()),
                new BackoffState.Entry("[2001:db8::1]:123", Optional.empty(), 0, Optional.of(T), 1,
                        Optional.of(T.plusSeconds(5))))), s);
        assertEquals("pintp-state backoff 1\n"
                + "address 198.51.100.1:123 rate=2026-11-25T06:00:00Z kisses=2 deny=- failures=0 open=-\n"
                + "address [2001:db8::1]:123 rate=- kisses=0 deny=2026-11-25T06:00:00Z failures=1"
                + " open=2026-11-25T06:00:05Z\n", s.encode());
        assertEquals(BackoffState.empty(), BackoffState.decode("pintp-backoff 1\n"));
        assertEquals("pintp-state backoff 1\n", BackoffState.empty().encode());
    }

    @Test
    void aDriftHistoryOfTheFormatBeforeIsReadAndWrittenBackVersioned() {
        String before = "pintp-drift 1\nserver=192.0.2.2 offsetAlert=true frequencyAlert=false\n"
                + "2026-11-25T06:00:00Z 0\n2026-11-25T06:01:00Z -12000000\n";
        DriftHistory h = DriftHistory.decode(before);
        assertEquals(List.of(new DriftHistory.Point(T, Duration.ZERO),
                new DriftHistory.Point(T.plusSeconds(60), Duration.ofMillis(-12))), h.points());
        assertTrue(h.offsetAlert());
        assertEquals("pintp-state drift 1\nserver=192.0.2.2\noffset-alert=true\nfrequency-alert=false\n"
                + "point 2026-11-25T06:00:00Z 0\npoint 2026-11-25T06:01:00Z -12000000\n", h.encode());
        assertEquals(h, DriftHistory.decode(h.encode()));
        assertEquals(DriftHistory.empty(), DriftHistory.decode("pintp-drift 1\nserver=- offsetAlert=false"
                + " frequencyAlert=false\n"));
    }

    @Test
    void aCorruptFileIsReportedWithItsLineAndWhatWasWrong() {
        String good = SyncState.stableSince(PRIMARY_MEDIUM, T).encode();
        StateText.Corrupt e = assertThrows(StateText.Corrupt.class,
                () -> SyncState.decode(good.replace("quality=MEDIUM", "quality=GREAT")));
        assertEquals(4, e.line());
        assertEquals("quality: 'GREAT' is not one of [NONE, LOW, MEDIUM, HIGH]", e.what());
        assertEquals("/var/lib/ntp-monitor/sync-state:4 (quality: 'GREAT' is not one of [NONE, LOW, MEDIUM, HIGH])",
                e.at("/var/lib/ntp-monitor/sync-state"));

        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode(good.replace("since=", "since=yesterday")));
        assertEquals(5, e.line());
        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode(good + "extra=1\n"));
        assertEquals(9, e.line());
        assertEquals("unknown keys [extra]", e.what());
        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode(good.replace("quality=MEDIUM\n", "")));
        assertEquals(0, e.line(), "a missing key is no one line");
        assertEquals("missing quality", e.what());
        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode(good.substring(0, good.length() - 3)));
        assertEquals(8, e.line());
        assertEquals("the last line has no line end (the file was cut short)", e.what());
        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode("garbage\n"));
        assertEquals(1, e.line());
        assertEquals("first line must be 'pintp-state sync 1'", e.what());
        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode(BackoffState.empty().encode()));
        assertEquals("a backoff file, not a sync file", e.what());
        e = assertThrows(StateText.Corrupt.class, () -> SyncState.decode(good.replace("sync 1", "sync 2")));
        assertEquals("version 2 of sync is newer than this pintp reads (1)", e.what());

        String backoff = BackoffState.of(List.of(new BackoffState.Entry("198.51.100.1:123",
                Optional.empty(), 0, Optional.empty(), 2, Optional.empty()))).encode();
        e = assertThrows(StateText.Corrupt.class, () -> BackoffState.decode(backoff.replace("kisses=0", "kisses=-1")));
        assertEquals(2, e.line());
        assertEquals("bad count '-1'", e.what());

        String drift = "pintp-state drift 1\nserver=192.0.2.2\noffset-alert=false\nfrequency-alert=maybe\n";
        e = assertThrows(StateText.Corrupt.class, () -> DriftHistory.decode(drift));
        assertEquals(4, e.line());
        assertEquals("frequency-alert must be true or false, was 'maybe'", e.what());
        e = assertThrows(StateText.Corrupt.class,
                () -> DriftHistory.decode(drift.replace("maybe", "false") + "point 2026-11-25T06:00:00Z 1.5\n"));
        assertEquals(5, e.line());
    }
}
