package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.SyncQuality;
import dev.pintp.ntp.SyncState;
import dev.pintp.ntp.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's files across an upgrade: today's files are read, then written back in the pintp-state format. */
class StateStoreTest {
    private static final Instant T = Instant.parse("2026-11-25T06:00:00Z");
    private static final String DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path root;
    Path state;
    Path run;
    StateStore store;

    @BeforeEach
    void directories() throws IOException {
        state = Files.createDirectories(root.resolve("var/lib/ntp-monitor"));
        run = Files.createDirectories(root.resolve("run/ntp-monitor"));
        store = new StateStore(state, run, new AtomicFiles());
    }

    @Test
    void filesOfTheReleaseBeforeAreReadAndWrittenBackInTheNewFormatWithTheSameModes() throws IOException {
        // the bytes the release before the pintp-state format wrote (its encoders, printed on 2026-12-03)
        Files.writeString(state.resolve("sync-state"), "pintp-sync 2\nverdict=PRIMARY_SYNCED\nserver=192.168.4.2\n"
                + "quality=MEDIUM\nsince=2026-11-25T06:00:00Z\npenalty=0.0\npenalty.at=-\nsuppressed=false\n");
        Files.writeString(state.resolve("backoff-state"), "pintp-backoff 1\n198.51.100.1:123"
                + " rate=2026-11-25T06:00:00Z kisses=2 deny=- failures=0 open=-\n");
        Files.writeString(state.resolve("applied"), "dropin=" + DIGEST + "\nsteering=-\ntimesyncd-absent=true\n");
        Files.writeString(run.resolve("drift-history"), "pintp-drift 1\nserver=- offsetAlert=false"
                + " frequencyAlert=false\n");
        Files.writeString(run.resolve("last-check"), "checked_at=2026-11-25T06:00:00Z\ncheck=primary ok\n"
                + "stable=PRIMARY_SYNCED\nstable_since=-\nresult=ok\n");

        StateStore.Loaded loaded = store.load(T);
        assertEquals(List.of(), loaded.problems());
        assertTrue(loaded.appliedKnown());
        JobState s = loaded.state();
        assertEquals(SyncState.stableSince(new SyncState.Observation(Verdict.PRIMARY_SYNCED,
                Optional.of("192.168.4.2"), SyncQuality.MEDIUM), T), s.sync());
        assertEquals(BackoffState.of(List.of(new BackoffState.Entry("198.51.100.1:123", Optional.of(T), 2,
                Optional.empty(), 0, Optional.empty()))), s.backoff());
        assertEquals(DIGEST, s.appliedDropIn());
        assertEquals(JobState.ABSENT, s.appliedSteering());
        assertTrue(s.timesyncdAbsent());
        assertEquals(DriftHistory.empty(), loaded.drift());
        assertEquals(Optional.of("checked_at=2026-11-25T06:00:00Z\ncheck=primary ok\nstable=PRIMARY_SYNCED\n"
                + "stable_since=-\nresult=ok\n"), store.loadLastCheck());

        store.save(s);
        store.saveDrift(loaded.drift());
        store.saveLastCheck(store.loadLastCheck().orElseThrow());
        assertEquals(s.sync().encode(), Files.readString(state.resolve("sync-state")));
        assertTrue(Files.readString(state.resolve("sync-state")).startsWith("pintp-state sync 1\n"));
        assertEquals("pintp-state backoff 1\naddress 198.51.100.1:123 rate=2026-11-25T06:00:00Z kisses=2 deny=-"
                + " failures=0 open=-\n", Files.readString(state.resolve("backoff-state")));
        assertEquals("pintp-state applied 1\ndropin=" + DIGEST + "\nsteering=-\ntimesyncd-absent=true\n",
                Files.readString(state.resolve("applied")));
        assertEquals("pintp-state drift 1\nserver=-\noffset-alert=false\nfrequency-alert=false\n",
                Files.readString(run.resolve("drift-history")));
        assertEquals("pintp-state last-check 1\nchecked_at=2026-11-25T06:00:00Z\ncheck=primary ok\n"
                + "stable=PRIMARY_SYNCED\nstable_since=-\nresult=ok\n", Files.readString(run.resolve("last-check")));
        for (Path f : List.of(state.resolve("sync-state"), state.resolve("backoff-state"), state.resolve("applied"),
                run.resolve("drift-history"), run.resolve("last-check"))) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        }
        StateStore.Loaded again = store.load(T);
        assertEquals(List.of(), again.problems());
        assertEquals(s, again.state());
    }

    @Test
    void aCorruptFileIsReportedWithFileLineAndWhatWasWrong() throws IOException {
        store.save(JobState.initial());
        Path sync = state.resolve("sync-state");
        Files.writeString(sync, Files.readString(sync).replace("quality=NONE", "quality=GREAT"));
        Path applied = state.resolve("applied");
        Files.writeString(applied, Files.readString(applied).replace("steering=-", "steering=abc"));
        StateStore.Loaded loaded = store.peek();
        assertEquals(List.of("corrupt state file " + sync + ":4 (quality: 'GREAT' is not one of [NONE, LOW, MEDIUM,"
                + " HIGH])", "corrupt state file " + applied + ":3 (steering= is not a SHA-256 digest or -)"),
                loaded.problems());
        Files.writeString(applied, "dropin=-\nsteering=-\nbogus=1\n");
        assertEquals("corrupt state file " + applied + ":3 (unknown key 'bogus')", store.peek().problems().get(1));
    }

    @Test
    void aCorruptLastCheckNamesItsLine() throws IOException {
        Files.writeString(run.resolve("last-check"), "pintp-state last-check 1\nresult=ok\nnot a key\n");
        StateStore.CorruptException e = assertThrows(StateStore.CorruptException.class, () -> store.loadLastCheck());
        assertEquals(run.resolve("last-check") + ":3 (not 'key=value')", e.getMessage());
    }

    @Test
    void aLastCheckValueWithALineEndOrAControlCharacterIsKeptOnItsLine() throws IOException {
        store.saveLastCheck("checked_at=2026-11-25T06:00:00Z\ncheck=UNSYNCHRONIZED: unreachable: no\nroute\u0007\n"
                + "result=ok\n");
        assertEquals("pintp-state last-check 1\nchecked_at=2026-11-25T06:00:00Z\n"
                + "check=UNSYNCHRONIZED: unreachable: no route \nresult=ok\n",
                Files.readString(run.resolve("last-check")));
        assertEquals(Optional.of("checked_at=2026-11-25T06:00:00Z\ncheck=UNSYNCHRONIZED: unreachable: no route \n"
                + "result=ok\n"), store.loadLastCheck());
    }
}
